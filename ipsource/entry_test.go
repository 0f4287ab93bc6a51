package ipsource

import (
	"github.com/ipallow/ipallow/internal/ascii"
	"strings"
	"testing"
)

func TestParseEntry(t *testing.T) {
	tests := []struct {
		in   string
		want string // address, or "!reason"
	}{
		{"203.0.113.7", "203.0.113.7"},
		{"203.0.113.7:0", "203.0.113.7"},
		{"203.0.113.7:443", "203.0.113.7"},
		{"203.0.113.7:65535", "203.0.113.7"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:DB8::1", "2001:db8::1"},
		{"2001:db8::1:443", "2001:db8::1:443"}, // an address, never cut at the last colon
		{"[2001:db8::1]", "2001:db8::1"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"[::ffff:203.0.113.7]:80", "203.0.113.7"},
		{"::ffff:cb00:7107", "203.0.113.7"},
		{"64:ff9b::203.0.113.7", "64:ff9b::cb00:7107"},
		{"::203.0.113.7", "::cb00:7107"},
		{"2002:cb00:7107::1", "2002:cb00:7107::1"},
		{"1111:2222:3333:4444:5555:6666:255.255.255.255", "1111:2222:3333:4444:5555:6666:ffff:ffff"},

		{"", "!" + reasonEmpty},
		{"203.0.113.7:", "!" + reasonPort},
		{"203.0.113.7:65536", "!" + reasonPort},
		{"203.0.113.7:99999", "!" + reasonPort},
		{"203.0.113.7:123456", "!" + reasonPort},
		{"203.0.113.7:080", "!" + reasonPort},
		{"203.0.113.7:00", "!" + reasonPort},
		{"[2001:db8::1]:", "!" + reasonPort},
		{"[2001:db8::1]:0443", "!" + reasonPort},
		{"[2001:db8::1]:+1", "!" + reasonChar},
		{"203.0.113.7:-1", "!" + reasonChar},
		{"203.0.113.7:http", "!" + reasonChar},
		{"[203.0.113.7]", "!" + reasonBracketV4},
		{"[203.0.113.7]:80", "!" + reasonBracketV4},
		{"[2001:db8::1", "!" + reasonBrackets},
		{"2001:db8::1]", "!" + reasonBrackets},
		{"[[2001:db8::1]]", "!" + reasonBrackets},
		{"[2001:db8::1]]", "!" + reasonBrackets},
		{"[2001:db8::1]x", "!" + reasonChar},
		{"[2001:db8::1]443", "!" + reasonBrackets},
		{"fe80::1%eth0", "!" + reasonChar},
		{"[fe80::1%eth0]:80", "!" + reasonChar},
		{"fe80::1%25eth0", "!" + reasonChar},
		{"010.0.0.1", "!" + reasonAddr},
		{"10.0.0.01", "!" + reasonAddr},
		{"::ffff:010.0.0.1", "!" + reasonAddr},
		{"127.1", "!" + reasonAddr},
		{"2130706433", "!" + reasonAddr},
		{"0x7f.0.0.1", "!" + reasonChar},
		{"1.2.3.4.", "!" + reasonAddr},
		{"1.2.3", "!" + reasonAddr},
		{"unknown", "!" + reasonUnknown},
		{"UNKNOWN", "!" + reasonUnknown},
		{"unknown:80", "!" + reasonChar},
		{"_hidden", "!" + reasonObfuscated},
		{"\"203.0.113.7\"", "!" + reasonChar},
		{"203.0.113.7 10.0.0.1", "!" + reasonChar},
		{"203.0.113.7\t", "!" + reasonChar},
		{"203.0.113.7\xc2\xa0", "!" + reasonChar},
		{"２03.0.113.7", "!" + reasonChar},
		{"203。0.113.7", "!" + reasonChar},
		{"0.0.0.0", "!" + reasonUnspecified},
		{"::", "!" + reasonUnspecified},
		{"[::]:80", "!" + reasonUnspecified},
		{"::ffff:0.0.0.0", "!" + reasonUnspecified},
		{"1.2.3.4:5:6", "!" + reasonAddr},
		{":80", "!" + reasonAddr},
		{"abc", "!" + reasonAddr},
		{strings.Repeat("1", 129), "!" + reasonTooLong},
	}
	for _, tt := range tests {
		a, reason := parseEntry(tt.in)
		got := "!" + reason
		if reason == "" {
			checkAddr(t, a)
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("parseEntry(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimOWS(t *testing.T) {
	for in, want := range map[string]string{
		" \t1.2.3.4\t ": "1.2.3.4",
		"\u00a01.2.3.4": "\u00a01.2.3.4", // NBSP is not whitespace here
		"\v1.2.3.4":     "\v1.2.3.4",
		"\n1.2.3.4\r":   "\n1.2.3.4\r",
		"   ":           "",
	} {
		if got := ascii.TrimSpaceTab(in); got != want {
			t.Errorf("ascii.TrimSpaceTab(%q) = %q, want %q", in, got, want)
		}
	}
}
