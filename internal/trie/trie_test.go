package trie

import (
	"net/netip"
	"testing"

	"go4.org/netipx"
	"pgregory.net/rapid"
)

func ipset(t interface{ Fatalf(string, ...any) }, add, remove []netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range add {
		b.AddPrefix(p)
	}
	for _, p := range remove {
		b.RemovePrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatalf("IPSet: %v", err)
	}
	return s
}

func genPrefix(t *rapid.T) netip.Prefix {
	var a netip.Addr
	if rapid.Bool().Draw(t, "v4") {
		// Cluster IPv4 addresses in 10.0.0.0/14 half of the time.
		x := rapid.Uint32().Draw(t, "a4")
		if rapid.Bool().Draw(t, "near") {
			x = 10<<24 | x&0x3ffff
		}
		a = netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
	} else {
		hi, lo := rapid.Uint64().Draw(t, "hi"), rapid.Uint64().Draw(t, "lo")
		if rapid.Bool().Draw(t, "near") {
			hi = 0x2603_1020_0206_0000 | hi&0xf
		}
		var b [16]byte
		for i := range 8 {
			b[i], b[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
		}
		a = netip.AddrFrom16(b)
	}
	return netip.PrefixFrom(a, rapid.IntRange(0, a.BitLen()).Draw(t, "bits")).Masked()
}

// TestTableMatchesIPSet checks Table against netipx on random sets, at the
// ends of every range and just outside them.
func TestTableMatchesIPSet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		add := rapid.SliceOfN(rapid.Custom(genPrefix), 0, 300).Draw(t, "add")
		rm := rapid.SliceOfN(rapid.Custom(genPrefix), 0, 30).Draw(t, "remove")
		s := ipset(t, add, rm)
		tb := Build(s.Prefixes())
		var probes []netip.Addr
		for _, r := range s.Ranges() {
			probes = append(probes, r.From(), r.To(), r.From().Prev(), r.To().Next())
		}
		for _, p := range add {
			probes = append(probes, p.Addr(), p.Addr().Prev(), netipx.PrefixLastIP(p), netipx.PrefixLastIP(p).Next())
		}
		for _, a := range probes {
			if !a.IsValid() {
				continue
			}
			// Table follows netipx.IPSet.Contains(a.Unmap()).
			if got, want := tb.Contains(a), s.Contains(a.Unmap()); got != want {
				t.Fatalf("Contains(%v) = %v, want %v; set %v", a, got, want, s.Prefixes())
			}
		}
	})
}

func TestBuildPanics(t *testing.T) {
	tests := []struct {
		name string
		ps   []netip.Prefix
	}{
		{"overlap", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16")}},
		{"unsorted", []netip.Prefix{netip.MustParsePrefix("11.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}},
		{"unmasked", []netip.Prefix{netip.MustParsePrefix("10.0.0.1/8")}},
		{"invalid", []netip.Prefix{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Build(%v) did not panic", tt.ps)
				}
			}()
			Build(tt.ps)
		})
	}
}

func TestZeroTable(t *testing.T) {
	var tb Table
	for _, s := range []string{"0.0.0.0", "::", "::ffff:1.2.3.4", "2001:db8::1"} {
		if tb.Contains(netip.MustParseAddr(s)) {
			t.Errorf("zero Table contains %s", s)
		}
	}
	if tb.Contains(netip.Addr{}) {
		t.Error("zero Table contains the zero Addr")
	}
	if st := tb.Stats(); st != (Stats{}) {
		t.Errorf("zero Table Stats = %+v", st)
	}
}

// TestShapes checks that each way of entering a family's trie is taken by
// the set it is meant for, and answers like netipx there: the IPv4 root
// block with fixed levels, the IPv6 hash of the leading bits (with
// prefixes shorter than the hashed bits expanded, and /128s that take
// extra steps below the fixed levels), and the IPv6 root block when the
// prefixes are too spread out to hash.
func TestShapes(t *testing.T) {
	tests := []struct {
		name   string
		ps     []string
		hashed bool
	}{
		{"v4", []string{"0.0.0.0/1", "10.0.0.0/8", "192.168.1.0/24", "192.168.2.7/32", "203.0.113.128/25"}, false},
		{"v6 hashed", []string{"2603:1000::/40", "2603:1020:206::/48", "2603:1020:206:400::/56", "2a01:111:f100::/64", "2a01:111:f100:1::1/128", "2a01:111:f100:1::2/127"}, true},
		{"v6 regional", []string{"2603:1020:206:1::/120", "2603:1020:206:1::200/123", "2603:1020:206:2::/121"}, true},
		{"v6 root", []string{"::/1", "8000::/2", "c000::/3", "e000::/64", "f000::/128"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var add []netip.Prefix
			for _, p := range tt.ps {
				add = append(add, netip.MustParsePrefix(p))
			}
			s := ipset(t, add, nil)
			tb := Build(s.Prefixes())
			if got := tb.h6.t != 0; got != tt.hashed {
				t.Errorf("IPv6 hashed = %v, want %v", got, tt.hashed)
			}
			for _, p := range add {
				for _, a := range []netip.Addr{p.Addr(), p.Addr().Prev(), netipx.PrefixLastIP(p), netipx.PrefixLastIP(p).Next()} {
					if a.IsValid() && tb.Contains(a) != s.Contains(a) {
						t.Errorf("Contains(%v) = %v, want %v", a, tb.Contains(a), s.Contains(a))
					}
				}
			}
		})
	}
}
