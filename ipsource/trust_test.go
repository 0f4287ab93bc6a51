package ipsource

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// Every constructor that takes trusted prefixes validates them the same way.
func TestTrustedPrefixErrors(t *testing.T) {
	ctors := map[string]func([]netip.Prefix) (Extractor, error){
		"XForwardedFor": XForwardedFor,
		"Forwarded":     Forwarded,
		"Header":        func(p []netip.Prefix) (Extractor, error) { return Header("X-Real-IP", p) },
	}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		msg     string // "" means accepted
	}{
		{"nil", nil, "empty; with no proxy in front, use RemoteAddr()"},
		{"empty", []netip.Prefix{}, "empty"},
		{"zero", []netip.Prefix{{}}, "trusted[0] is not a valid prefix"},
		{"bad bits", []netip.Prefix{netip.PrefixFrom(netip.MustParseAddr("10.0.0.0"), 33)}, "trusted[0] is not a valid"},
		{"host bits", pfx("10.0.0.0/8", "10.1.2.3/8"), "trusted[1] 10.1.2.3/8 has host bits set; write 10.0.0.0/8, or 10.1.2.3/32"},
		{"mapped", pfx("::ffff:10.0.0.0/104"), "IPv4-mapped; peers and entries are unmapped before the check, so write the IPv4 prefix 10.0.0.0/8"},
		{"mapped all", pfx("::ffff:0:0/96"), "IPv4-mapped"},
		{"mapped host", pfx("::ffff:10.0.0.1/128"), "10.0.0.1/32"},
		{"v4 slash 0", pfx("0.0.0.0/0"), "trusts every address"},
		{"v6 slash 0", pfx("::/0"), "trusts every address"},
		{"ok v4", pfx("10.0.0.0/8"), ""},
		{"ok v6", pfx("2001:db8::/32"), ""},
		{"ok host", pfx("203.0.113.7/32"), ""},
		{"ok duplicates", pfx("10.0.0.0/8", "10.0.0.0/8", "10.1.0.0/16"), ""},
		{"ok nat64", pfx("64:ff9b::/96"), ""},
	}
	for cname, ctor := range ctors {
		for _, tt := range tests {
			t.Run(cname+"/"+tt.name, func(t *testing.T) {
				x, err := ctor(tt.trusted)
				if tt.msg == "" {
					if err != nil || x == nil {
						t.Fatalf("got %v, %v; want an Extractor", x, err)
					}
					return
				}
				if x != nil || !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("got %v, %v; want an ErrInvalidConfig", x, err)
				}
				if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "ipsource."+cname+": invalid configuration: ") {
					t.Errorf("message %q lacks %q or the constructor's name", err, tt.msg)
				}
			})
		}
	}
}

func TestHopsErrors(t *testing.T) {
	for name, ctor := range map[string]func(int) (Extractor, error){
		"XForwardedForCount": XForwardedForCount,
		"ForwardedCount":     ForwardedCount,
	} {
		for _, hops := range []int{-1, 0, MaxHops + 1, 1 << 40} {
			if x, err := ctor(hops); x != nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "hops") {
				t.Errorf("%s(%d) = %v, %v; want an ErrInvalidConfig", name, hops, x, err)
			}
		}
		for _, hops := range []int{1, 2, MaxHops} {
			if _, err := ctor(hops); err != nil {
				t.Errorf("%s(%d): %v", name, hops, err)
			}
		}
	}
}

// A peer is unmapped before the trust check, so an IPv4 trusted prefix
// matches an IPv4-mapped peer, and a zoned peer matches without its zone.
func TestTrustedPeerForms(t *testing.T) {
	x := must(XForwardedFor(pfx("10.0.0.0/8", "fe80::/10")))
	for _, remote := range []string{"10.0.0.1:1", "[::ffff:10.0.0.1]:1", "[fe80::1%eth0]:1"} {
		diff(t, ok("203.0.113.7"), run(t, x, newReq(remote, "X-Forwarded-For", "203.0.113.7")))
	}
	// Neither NAT64 nor IPv4-compatible peers are IPv4: not trusted.
	for _, remote := range []string{"[64:ff9b::a00:1]:1", "[::a00:1]:1"} {
		got := run(t, x, newReq(remote, "X-Forwarded-For", "203.0.113.7"))
		if got.Addr == "203.0.113.7" {
			t.Errorf("%s was trusted as 10.0.0.1", remote)
		}
	}
}
