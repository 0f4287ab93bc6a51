package trie

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
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
	t.Run("hashed", func(t *testing.T) { tableMatchesIPSet(t) })
	t.Run("sparse", func(t *testing.T) {
		hashing = false
		defer func() { hashing = true }()
		tableMatchesIPSet(t)
	})
}

func tableMatchesIPSet(t *testing.T) {
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
// extra steps below the fixed levels), and the IPv6 sparse trie when the
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
		{"v6 sparse", []string{"::/1", "8000::/2", "c000::/3", "e000::/64", "f000::/128"}, false},
		{"v6 sparse, /128 chains", []string{"2000::/8", "2400::1/128", "2400::2/128", "2400::4/128", "2400::8:0:0:0/128", "2400::1:0:0:0:0/128", "2400:0:0:1::/64", "2400:0:0:1:8000::/65", "2600::/63", "2600:0:0:2::/127"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var add []netip.Prefix
			for _, p := range tt.ps {
				add = append(add, netip.MustParsePrefix(p))
			}
			s := ipset(t, add, nil)
			tb := Build(s.Prefixes())
			if got := tb.mode == modeHash; got != tt.hashed {
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

// checkAgainst compares tb with s on the ends of every range of s, the
// addresses just outside them, their IPv4-mapped forms and extra probes.
func checkAgainst(t *testing.T, tb *Table, s *netipx.IPSet, extra []netip.Addr) {
	t.Helper()
	probes := extra
	for _, r := range s.Ranges() {
		probes = append(probes, r.From(), r.To(), r.From().Prev(), r.To().Next())
	}
	bad := 0
	for _, a := range probes {
		if !a.IsValid() {
			continue
		}
		forms := []netip.Addr{a}
		if a.Is4() {
			forms = append(forms, netip.AddrFrom16(a.As16()))
		} else {
			forms = append(forms, a.WithZone("eth0"))
		}
		b16 := a.As16()
		if a.Is4() {
			if got, want := tb.Contains4(uint32(be64(b16[8:]))), s.Contains(a); got != want {
				t.Errorf("Contains4(%v) = %v, want %v", a, got, want)
			}
		}
		for _, b := range forms {
			if got, want := tb.Contains(b), s.Contains(b.Unmap()) && b.Zone() == "" || s.Contains(b.Unmap()) && b.Unmap().Is4(); got != want {
				t.Errorf("Contains(%v) = %v, want %v", b, got, want)
				if bad++; bad > 5 {
					t.FailNow()
				}
			}
		}
	}
}

// randomSet returns n random IPv4 prefixes (and n6 IPv6 ones in
// 2001:db8::/32) as an IPSet, and random probes.
func randomSet(t *testing.T, seed uint64, n, n6 int, lens []int) (*netipx.IPSet, []netip.Addr) {
	r := rand.New(rand.NewPCG(seed, 1))
	var add []netip.Prefix
	var probes []netip.Addr
	for range n {
		a := netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
		add = append(add, netip.PrefixFrom(a, lens[r.IntN(len(lens))]).Masked())
		probes = append(probes, a, netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}))
	}
	for range n6 {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
		a := netip.AddrFrom16(b)
		add = append(add, netip.PrefixFrom(a, []int{48, 56, 64, 128}[r.IntN(4)]).Masked())
		probes = append(probes, a)
	}
	return ipset(t, add, nil), probes
}

// TestRoots checks the IPv4 root forms: a 16-bit root with and without the
// early stop at empty entries, a 32-bit root when the nodes outgrow 16-bit
// indexes, a root of fewer bits with 2 levels when the prefixes share
// leading bits, and the mixed families of a large set.
func TestRoots(t *testing.T) {
	tests := []struct {
		name      string
		n, n6     int
		lens      []int
		wide      bool
		exit      bool
		levels    int
		hashedSix bool
	}{
		{"small 16-bit root", 200, 0, []int{16, 24, 28, 32}, false, false, 3, false},
		{"large 16-bit root, early stop", 3000, 1000, []int{16, 20, 24, 28, 32}, false, true, 3, true},
		{"32-bit root", 30000, 0, []int{32}, true, true, 3, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, probes := randomSet(t, uint64(i), tt.n, tt.n6, tt.lens)
			tb := Build(s.Prefixes())
			if got := len(tb.wide4) > 0; got != tt.wide {
				t.Errorf("wide root = %v, want %v", got, tt.wide)
			}
			if tb.exit4 != tt.exit {
				t.Errorf("exit4 = %v, want %v", tb.exit4, tt.exit)
			}
			if got := int(tb.s4) / stride; got != tt.levels {
				t.Errorf("IPv4 levels = %d, want %d", got, tt.levels)
			}
			if got := tb.mode == modeHash; got != tt.hashedSix {
				t.Errorf("IPv6 hashed = %v, want %v", got, tt.hashedSix)
			}
			checkAgainst(t, &tb, s, probes)
		})
	}
	t.Run("shared bits, 2 levels", func(t *testing.T) {
		s := ipset(t, []netip.Prefix{
			netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.2.3.4/32"),
			netip.MustParsePrefix("10.7.255.0/25"),
		}, nil)
		tb := Build(s.Prefixes())
		if tb.s4 != 2*stride || tb.m4 == 0 {
			t.Errorf("s4 = %d, m4 = %#x; want 2 levels below a root after the shared bits", tb.s4, tb.m4)
		}
		checkAgainst(t, &tb, s, []netip.Addr{netip.MustParseAddr("11.1.0.0"), netip.MustParseAddr("10.8.0.0")})
	})
	t.Run("IPv6 shared bits beyond 64", func(t *testing.T) {
		s := ipset(t, []netip.Prefix{netip.MustParsePrefix("::1:0/120"), netip.MustParsePrefix("::1:1000/124")}, nil)
		tb := Build(s.Prefixes())
		if tb.mode != modeHash || tb.c6 <= 64 {
			t.Errorf("mode %d, c6 %d: want a hash after more than 64 shared bits", tb.mode, tb.c6)
		}
		checkAgainst(t, &tb, s, []netip.Addr{
			netip.MustParseAddr("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), netip.MustParseAddr("::1:0:0"),
			// The high word differs from the set's by the bits of its low word.
			netip.MustParseAddr("0:0:1::1:0"), netip.MustParseAddr("0:0:1::1:1000"),
		})
	})
}

// lookupWords returns the 128-bit form of *a as Contains reads it.
func lookupWords(a *netip.Addr) (hi, lo uint64) {
	if repOK {
		return addrWords(a)
	}
	return slowWords(*a)
}

// TestAddrWords checks the address read (the unsafe one, or its purego twin)
// against As16.
func TestAddrWords(t *testing.T) {
	for _, p := range []string{"0.0.0.0", "1.2.3.4", "::ffff:1.2.3.4", "::", "2001:db8::1", "fe80::1%eth0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"} {
		a := netip.MustParseAddr(p)
		b := a.As16()
		if hi, lo := lookupWords(&a); hi != be64(b[:8]) || lo != be64(b[8:]) {
			t.Errorf("addrWords(%v) = %#x %#x", a, hi, lo)
		}
	}
	if hi, lo := lookupWords(&netip.Addr{}); hi != 0 || lo != 0 {
		t.Errorf("addrWords(zero Addr) = %#x %#x", hi, lo)
	}
}

// flips returns the addresses that differ from a in exactly one bit, and
// the last address of p with each bit flipped: a terminal node must
// compare every bit of its prefix.
func flips(a netip.Addr, p netip.Prefix) []netip.Addr {
	var out []netip.Addr
	for _, x := range []netip.Addr{a, netipx.PrefixLastIP(p)} {
		b := x.As16()
		for i := range 128 {
			c := b
			c[i/8] ^= 0x80 >> (i % 8)
			out = append(out, netip.AddrFrom16(c))
		}
	}
	return out
}

// TestSparse checks modeSparse (root array, nodes and terminal nodes) on
// sets too scattered to hash: random /128s and short prefixes, chains of
// /128s that share up to 126 bits (long single-child paths below the root
// before a split), dense clusters beside scattered prefixes, prefixes
// around 64 bits, and a set of one prefix. Every address that differs
// from a prefix's first or last address by one bit is probed.
func TestSparse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	rnd6 := func(bits int) netip.Prefix {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		b[0] = 0x20 | b[0]&0x1f
		return netip.PrefixFrom(netip.AddrFrom16(b), bits).Masked()
	}
	var scattered, chains, dense []netip.Prefix
	for range 400 {
		scattered = append(scattered, rnd6([]int{32, 48, 56, 64, 128}[r.IntN(5)]))
	}
	// Chains: /128s one bit apart from a common address, and a /127.
	base := netip.MustParseAddr("2a01:111:f100:3000::")
	for i := range 8 {
		b := base.As16()
		b[15] = 1 << i
		chains = append(chains, netip.PrefixFrom(netip.AddrFrom16(b), 128))
		b = base.As16()
		b[8+i] = 1
		chains = append(chains, netip.PrefixFrom(netip.AddrFrom16(b), 128))
	}
	chains = append(chains, netip.MustParsePrefix("2a01:111:f100:3000::100/127"), netip.MustParsePrefix("2a01:111:f100:3001::/64"), netip.MustParsePrefix("2a01:111:f100:3001:0:0:0:1/128"))
	// Dense: a /48 cut into many /64s, /120s and /128s.
	for i := range 300 {
		x := r.Uint64()
		switch i % 3 {
		case 0:
			dense = append(dense, netip.MustParsePrefix(fmt.Sprintf("2603:1020:206:%x::/64", x&0xffff)))
		case 1:
			dense = append(dense, netip.MustParsePrefix(fmt.Sprintf("2603:1020:206:%x::%x:0/120", x&0xff, x>>16&0xffff)))
		default:
			dense = append(dense, netip.MustParsePrefix(fmt.Sprintf("2603:1020:206:%x::%x/128", x&0xff, x>>32&0xffff)))
		}
	}
	short := []netip.Prefix{netip.MustParsePrefix("3000::/4"), netip.MustParsePrefix("2000::/12")}
	tests := []struct {
		name   string
		add    []netip.Prefix
		force  bool // turn hashing off
		sparse bool // the mode expected
		terms  bool // whether terminal nodes are expected
	}{
		{"scattered", scattered, false, true, true},
		{"scattered and short", append(slices.Clone(scattered), short...), false, true, true},
		{"chains", append(slices.Clone(chains), short...), false, true, true},
		{"dense and scattered", append(append(slices.Clone(dense), scattered[:50]...), short...), false, true, true},
		{"dense, forced", dense, true, true, true},
		{"chains, forced", chains, true, true, true},
		{"one /128, forced", []netip.Prefix{netip.MustParsePrefix("2001:db8::1/128")}, true, true, false},
		{"one /64, forced", []netip.Prefix{netip.MustParsePrefix("2001:db8::/64")}, true, true, false},
		{"v4 and scattered", append(slices.Clone(scattered[:100]), short[1], netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")), false, true, true},
		{"v4 and few scattered, hashed", append(slices.Clone(scattered[:100]), netip.MustParsePrefix("10.0.0.0/8")), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.force {
				hashing = false
				defer func() { hashing = true }()
			}
			s := ipset(t, tt.add, nil)
			tb := Build(s.Prefixes())
			if got := tb.mode == modeSparse; got != tt.sparse {
				t.Fatalf("sparse = %v, want %v (mode %d)", got, tt.sparse, tb.mode)
			}
			terms := 0
			for _, n := range tb.nodes[one+1:] {
				if n.bits != 0 {
					terms++
				}
			}
			if got := terms > 0; got != tt.terms {
				t.Errorf("terminal nodes: %d, want some: %v", terms, tt.terms)
			}
			var probes []netip.Addr
			for _, p := range s.Prefixes() {
				if p.Addr().Is6() {
					probes = append(probes, flips(p.Addr(), p)...)
				}
			}
			for _, p := range tt.add {
				probes = append(probes, p.Addr(), netipx.PrefixLastIP(p))
			}
			checkAgainst(t, &tb, s, probes)
		})
	}
}
