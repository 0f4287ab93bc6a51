package main

import (
	"strings"
	"testing"
)

func TestRunDefaults(t *testing.T) {
	var out strings.Builder
	if status := run(&out, defaultRanges, defaultAddrs); status != 0 {
		t.Fatalf("status %d, output:\n%s", status, out.String())
	}
	for _, want := range []string{
		"73.140.245.7           allowed by 73.140.245.0/24 (Prefixes[0])\n",
		"193.168.1.20           allowed by 193.168.1.0/24 (Prefixes[1])\n",
		"8.8.8.8                refused\n",
		"10.0.0.1               refused\n",
		"::ffff:73.140.245.7    allowed by 73.140.245.0/24 (Prefixes[0])\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunInvalidList(t *testing.T) {
	var out strings.Builder
	status := run(&out, "73.140.245.0/24,137.117.106.90/29,10.0.0.0/8,", []string{"73.140.245.7"})
	if status != 1 {
		t.Errorf("status %d, want 1", status)
	}
	for _, want := range []string{
		"fix these 3 problem(s)",
		`entry 1 "137.117.106.90/29": host bits are set; the range starts at 137.117.106.88/29`,
		`entry 2 "10.0.0.0/8": lies inside 10.0.0.0/8`,
		`entry 3 "": empty entry`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "allowed") {
		t.Errorf("an invalid list allowed an address:\n%s", out.String())
	}
}

func TestRunModes(t *testing.T) {
	tests := []struct {
		ranges, addr, want string
	}{
		{"", "8.8.8.8", "8.8.8.8                allowed (the allowlist is disabled)"},
		{"0.0.0.0/32", "8.8.8.8", "8.8.8.8                refused"},
		{"AzureCloud,20.20.20.20", "20.20.20.20", "20.20.20.20            allowed by 20.20.20.20/32 (Prefixes[0])"},
		{"73.140.245.0/24", "fe80::1%eth0", "fe80::1%eth0           refused"},
	}
	for _, tt := range tests {
		var out strings.Builder
		if status := run(&out, tt.ranges, []string{tt.addr}); status != 0 {
			t.Errorf("%q: status %d", tt.ranges, status)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%q: output lacks %q:\n%s", tt.ranges, tt.want, out.String())
		}
	}
}

func TestRunBadAddress(t *testing.T) {
	var out strings.Builder
	if status := run(&out, defaultRanges, []string{"73.140.245.7:443"}); status != 2 {
		t.Errorf("status %d, want 2:\n%s", status, out.String())
	}
}
