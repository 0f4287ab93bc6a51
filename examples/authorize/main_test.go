package main

import (
	"strings"
	"testing"
)

// publicTags is the repository's copy of a real Public-cloud download.
const publicTags = "../../servicetag/testdata/ServiceTags_Public_20251020.json.gz"

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		c          config
		wantStatus int
		want       []string // lines or fragments the output must hold
		notWant    []string
	}{
		{
			name: "defaults",
			c:    config{ranges: defaultRanges, addrs: defaultAddrs},
			want: []string{
				"73.140.245.7           allowed by entry 0 73.140.245.0/24\n",
				"193.168.1.20           allowed by entry 1 193.168.1.0/24\n",
				"8.8.8.8                refused",
				"10.0.0.1               refused",
				"::ffff:73.140.245.7    allowed by entry 0 73.140.245.0/24\n",
			},
		},
		{
			name:       "invalid list",
			c:          config{ranges: "73.140.245.0/24,137.117.106.90/29,10.0.0.0/8,", addrs: []string{"73.140.245.7"}},
			wantStatus: 1,
			want: []string{
				"fix these 3 problem(s)",
				`entry 1 "137.117.106.90/29": host bits are set; the range starts at 137.117.106.88/29`,
				`entry 2 "10.0.0.0/8": lies inside 10.0.0.0/8`,
				`entry 3 "": empty entry`,
			},
			notWant: []string{"allowed"},
		},
		{
			name: "disabled",
			c:    config{ranges: "", addrs: []string{"8.8.8.8"}},
			want: []string{"the allowlist is disabled", "8.8.8.8                allowed by disabled"},
		},
		{
			name: "egress only",
			c:    config{ranges: "0.0.0.0/32", egress: "52.170.10.20", addrs: []string{"52.170.10.20", "8.8.8.8"}},
			want: []string{"52.170.10.20           allowed by egress 52.170.10.20/32", "8.8.8.8                refused"},
		},
		{
			name: "list plus outbound prefix",
			c:    config{ranges: "73.140.245.0/24", egress: "52.170.10.16/30", addrs: []string{"52.170.10.17"}},
			want: []string{"52.170.10.17           allowed by egress 52.170.10.16/30"},
		},
		{
			name: "service tag with the real Public download",
			c:    config{ranges: "AzureCloud,20.20.20.20", serviceTags: publicTags, addrs: []string{"20.20.20.20", "8.8.8.8", "20.33.0.1"}},
			want: []string{
				"service tags: Public cloud, changeNumber 374",
				"20.20.20.20            allowed by entry 0 20.20.20.20/32",
				"8.8.8.8                refused",
				"20.33.0.1              allowed by service tag AzureCloud ",
			},
		},
		{
			name:       "service tag without a download",
			c:          config{ranges: "AzureCloud,20.20.20.20", addrs: []string{"20.20.20.20"}},
			wantStatus: 1,
			want:       []string{"-service-tags FILE"},
		},
		{
			name:       "unknown tag gets suggestions",
			c:          config{ranges: "AzureCloud.francecentral", serviceTags: publicTags, addrs: []string{"8.8.8.8"}},
			wantStatus: 1,
			want:       []string{"AzureCloud.centralfrance"},
		},
		{
			name: "update that locks out an operator",
			c: config{ranges: defaultRanges, diff: "73.140.245.0/24,203.0.114.0/24", hasDiff: true,
				addrs: []string{"193.168.1.20", "73.140.245.7"}},
			want: []string{
				"gains access: 1 prefix(es)\n  203.0.114.0/24\n",
				"loses access: 2 prefix(es)\n  193.168.1.0/24\n  194.168.1.0/24\n",
				"LOCK-OUT: 193.168.1.20 would lose access (allowed now by entry 1 193.168.1.0/24)",
			},
			notWant: []string{"LOCK-OUT: 73.140.245.7"},
		},
		{
			name:       "invalid update",
			c:          config{ranges: defaultRanges, diff: "10.0.0.0/8", hasDiff: true, addrs: []string{"73.140.245.7"}},
			wantStatus: 1,
			want:       []string{"the update would be refused"},
		},
		{
			name:       "bad address",
			c:          config{ranges: defaultRanges, addrs: []string{"73.140.245.7:443"}},
			wantStatus: 2,
			want:       []string{"not an IP address"},
		},
		{
			name:       "bad egress",
			c:          config{ranges: defaultRanges, egress: "fe80::1%eth0", addrs: []string{"73.140.245.7"}},
			wantStatus: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			if status := run(&out, tt.c); status != tt.wantStatus {
				t.Errorf("status %d, want %d; output:\n%s", status, tt.wantStatus, out.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			for _, bad := range tt.notWant {
				if strings.Contains(out.String(), bad) {
					t.Errorf("output has %q:\n%s", bad, out.String())
				}
			}
		})
	}
}
