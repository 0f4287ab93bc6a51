package allowlist

import (
	"cmp"
	"errors"
	"math/big"
	"math/bits"
	"net/netip"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"go4.org/netipx"
	"pgregory.net/rapid"
)

// fitUnion returns the union of ps.
func fitUnion(t interface{ Fatalf(string, ...any) }, ps []netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range ps {
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatalf("IPSet: %v", err)
	}
	return s
}

// fitCount returns the number of addresses in the prefixes ps, counted
// with big.Int (::/0 has 2^128).
func fitCount(ps []netip.Prefix) *big.Int {
	n := new(big.Int)
	for _, p := range ps {
		n.Add(n, new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()-p.Bits())))
	}
	return n
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string // comma-separated prefixes of the set
		max   int
		want  string // comma-separated prefixes
		added string // addresses added, in decimal
		err   string
	}{
		{name: "two /25 halves", in: "10.0.0.0/25,10.0.0.128/25", max: 1,
			want: "10.0.0.0/24", added: "0"},
		{name: "two /25 in a /23", in: "10.0.0.0/25,10.0.1.128/25", max: 1,
			want: "10.0.0.0/23", added: "256"},
		{name: "three /26 and a gap", in: "10.0.0.0/26,10.0.0.128/26,10.0.0.192/26", max: 1,
			want: "10.0.0.0/24", added: "64"},
		{name: "three /26 in two /24, max 2", in: "10.0.0.0/26,10.0.0.128/26,10.0.1.0/26", max: 2,
			want: "10.0.0.0/24,10.0.1.0/26", added: "128"},
		{name: "fits already", in: "10.0.0.0/26,10.0.0.128/26,10.0.1.0/26", max: 3,
			want: "10.0.0.0/26,10.0.0.128/26,10.0.1.0/26", added: "0"},
		{name: "a tie goes to the broader prefix first", in: "10.0.0.0/26,10.0.1.0/26,10.0.2.0/26,10.0.3.0/26", max: 3,
			want: "10.0.0.0/23,10.0.2.0/26,10.0.3.0/26", added: "384"},
		// 10.0.0.0/25 holds six prefixes and 10.0.0.128/28 two; with 5 the
		// optimum (32 addresses) is 3+2 or 4+1, and the 4-prefix cover of
		// 10.0.0.0/25 starts broader (10.0.0.0/27 against 10.0.0.0/28)
		// although it has more prefixes.
		{name: "a tie goes to the broader prefix first, deep", in: "10.0.0.0/28,10.0.0.16/29,10.0.0.64/28,10.0.0.80/30,10.0.0.96/29,10.0.0.112/30,10.0.0.128/31,10.0.0.136/31", max: 5,
			want: "10.0.0.0/27,10.0.0.64/27,10.0.0.96/29,10.0.0.112/30,10.0.0.128/28", added: "32"},
		// The same six prefixes, moved to 10.0.0.64/26 and halved, are the
		// upper part of 10.0.0.0/25, whose lower part is 10.0.0.0/32; with
		// 6 the optimum (16 addresses) gives 10.0.0.0/25 five prefixes or
		// four, and five start broader there (10.0.0.64/28 against /29).
		{name: "a tie goes to the broader prefix first, upper part", in: "10.0.0.0/32,10.0.0.64/29,10.0.0.72/30,10.0.0.96/29,10.0.0.104/31,10.0.0.112/30,10.0.0.120/31,10.0.0.128/32,10.0.0.132/32", max: 6,
			want: "10.0.0.0/32,10.0.0.64/28,10.0.0.96/28,10.0.0.112/30,10.0.0.120/31,10.0.0.128/29", added: "16"},
		{name: "a tie goes to fewer prefixes: halves merge", in: "10.0.0.0/26,10.0.0.192/26,10.0.1.0/26,10.0.1.192/26", max: 2,
			want: "10.0.0.0/23", added: "256"},
		{name: "mixed families, max 2", in: "10.0.0.0/26,10.0.1.0/26,2001:db8::/64,2001:db8:1::/64", max: 2,
			want: "10.0.0.0/23,2001:db8::/47", added: "2417814745741110930309504"}, // 384 + 2^81 - 2^65
		{name: "IPv6 addresses count: the IPv4 pair merges", in: "10.0.0.0/26,10.0.1.0/26,2001:db8::/64,2001:db8:1::/64", max: 3,
			want: "10.0.0.0/23,2001:db8::/64,2001:db8:1::/64", added: "384"},
		{name: "IPv4 addresses count: the IPv6 pair merges", in: "10.0.0.0/32,10.0.1.0/32,2001:db8::/128,2001:db8::4/128", max: 3,
			want: "10.0.0.0/32,10.0.1.0/32,2001:db8::/125", added: "6"},
		{name: "::/0", in: "::/128,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", max: 1,
			want: "::/0", added: "340282366920938463463374607431768211454"}, // 2^128 - 2
		{name: "both /0: the cost passes 2^128", in: "0.0.0.0/32,255.255.255.255/32,::/128,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", max: 2,
			want: "0.0.0.0/0,::/0", added: "340282366920938463463374607436063178748"}, // 2^128 - 2 + 2^32 - 2
		// 0.0.0.0/0 and ::/0 (2^128 + 2^32 - 4 added) would win if the sum
		// wrapped at 2^128.
		{name: "both /0 lose to one", in: "0.0.0.0/32,255.255.255.255/32,::/128,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", max: 3,
			want: "0.0.0.0/0,::/128,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", added: "4294967294"},
		{name: "exact at 2^127: 3 addresses decide", in: "::/128,7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128,8000::/128,8000::2/128,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", max: 3,
			want: "::/128,7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128,8000::/1", added: "170141183460469231731687303715884105725"}, // 2^127 - 3, against 2^127 for ::/1,8000::/126,ffff:...
		{name: "::/0 already", in: "::/0,10.0.0.0/8,11.0.0.0/8,12.0.0.0/8", max: 2,
			want: "8.0.0.0/5,::/0", added: "83886080"}, // 2^27 - 3*2^24
		{name: "empty", in: "", max: 0},
		{name: "empty, negative max", in: "", max: -1},
		{name: "max 0", in: "10.0.0.0/26,10.0.1.0/26", max: 0,
			err: "allowlist: no fit: max is 0, but the set has 2 IPv4 prefixes; use a max of 1 or more"},
		{name: "negative max", in: "2001:db8::/64", max: -1,
			err: "allowlist: no fit: max is -1, but the set has 1 IPv6 prefix; use a max of 1 or more"},
		{name: "both families, max 1", in: "10.0.0.0/26,2001:db8::/64", max: 1,
			err: "allowlist: no fit: max is 1, but the set has 1 IPv4 and 1 IPv6 prefixes and a prefix holds one family only; use a max of 2 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []netip.Prefix
			if tc.in != "" {
				in = pfx(strings.Split(tc.in, ",")...)
			}
			s := fitUnion(t, in)
			got, err := Fit(s, tc.max)
			if tc.err != "" {
				if !errors.Is(err, ErrNoFit) || err.Error() != tc.err {
					t.Fatalf("Fit error = %v, want %q (ErrNoFit)", err, tc.err)
				}
				if got != nil {
					t.Errorf("Fit returned %v with the error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			var want []netip.Prefix
			if tc.want != "" {
				want = pfx(strings.Split(tc.want, ",")...)
			}
			if diff := gocmp.Diff(want, got, netipCmp); diff != "" {
				t.Errorf("Fit(%s, %d) (-want +got):\n%s", tc.in, tc.max, diff)
			}
			if tc.added != "" {
				if n := fitCount(FitAdded(s, got)).String(); n != tc.added {
					t.Errorf("FitAdded holds %s addresses, want %s", n, tc.added)
				}
			}
			if inUniverse(in) {
				if brute, _ := fitBruteForce(fitUniverseOf(s.Prefixes()), tc.max); gocmp.Diff(brute, got, netipCmp) != "" {
					t.Errorf("brute force finds %v", brute)
				}
			}
		})
	}
}

func TestFitNil(t *testing.T) {
	for _, max := range []int{-1, 0, 200} {
		if got, err := Fit(nil, max); got != nil || err != nil {
			t.Errorf("Fit(nil, %d) = %v, %v; want nil, nil", max, got, err)
		}
	}
	if got := FitAdded(nil, pfx("10.0.0.0/31")); gocmp.Diff(pfx("10.0.0.0/31"), got, netipCmp) != "" {
		t.Errorf("FitAdded(nil, 10.0.0.0/31) = %v", got)
	}
	if got := FitAdded(fitUnion(t, pfx("10.0.0.0/31")), pfx("10.0.0.0/31")); got != nil {
		t.Errorf("FitAdded of the set itself = %v, want nil", got)
	}
}

// fitUniverse is a set of addresses in the brute force's small space: the
// 256 addresses of 10.0.0.0/24 (bits 0..255) and the 256 of
// 2001:db8::/120 (bits 256..511). No optimal cover of a set inside it uses
// a prefix outside it: a broader prefix adds at least the addresses that
// the /24 or /120 adds.
type fitUniverse [8]uint64

var (
	fitBase4 = netip.MustParsePrefix("10.0.0.0/24")
	fitBase6 = netip.MustParsePrefix("2001:db8::/120")
)

// fitBlock returns the bits of the aligned block of 2^h addresses that holds
// address index i (0..511).
func fitBlock(i, h int) fitUniverse {
	var u fitUniverse
	start := i &^ (1<<h - 1)
	for j := start; j < start+1<<h; j++ {
		u[j/64] |= 1 << (j % 64)
	}
	return u
}

func (u fitUniverse) or(v fitUniverse) fitUniverse {
	for i := range u {
		u[i] |= v[i]
	}
	return u
}

// missing returns the addresses of u not in v.
func (u fitUniverse) missing(v fitUniverse) fitUniverse {
	for i := range u {
		u[i] &^= v[i]
	}
	return u
}

func (u fitUniverse) count() int {
	n := 0
	for _, w := range u {
		n += bits.OnesCount64(w)
	}
	return n
}

// first returns the lowest index in u, or -1.
func (u fitUniverse) first() int {
	for i, w := range u {
		if w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// fitBlockPrefix returns the prefix of the block of 2^h addresses at index i.
func fitBlockPrefix(i, h int) netip.Prefix {
	start := i &^ (1<<h - 1)
	if start < 256 {
		b := fitBase4.Addr().As4()
		b[3] = byte(start)
		return netip.PrefixFrom(netip.AddrFrom4(b), 32-h)
	}
	b := fitBase6.Addr().As16()
	b[15] = byte(start - 256)
	return netip.PrefixFrom(netip.AddrFrom16(b), 128-h)
}

// fitUniverseOf returns the addresses of ps, which lie in the small space.
func fitUniverseOf(ps []netip.Prefix) fitUniverse {
	var u fitUniverse
	for _, p := range ps {
		i := int(p.Addr().As16()[15])
		if p.Addr().Is6() {
			i += 256
		}
		u = u.or(fitBlock(i, p.Addr().BitLen()-p.Bits()))
	}
	return u
}

// inUniverse reports whether every prefix of ps lies in the small space.
func inUniverse(ps []netip.Prefix) bool {
	for _, p := range ps {
		if !(fitBase4.Overlaps(p) && p.Bits() >= 24) && !(fitBase6.Overlaps(p) && p.Bits() >= 120) {
			return false
		}
	}
	return true
}

// fitBruteForce returns the best cover of s with at most max prefixes of
// the small space, by Fit's rules (fewest added addresses, then fewest
// prefixes, then first in lexicographic order), and its cost, or -1 if
// there is none. It tries every prefix of the space that holds the first
// address not yet covered, broadest first, and so every cover made of
// disjoint prefixes (a cover with a prefix inside another does no better:
// dropping the inner one keeps the union and saves a prefix). Branches
// already worse than the best found are cut, since adding a prefix never
// lowers the cost or the count.
func fitBruteForce(s fitUniverse, max int) (best []netip.Prefix, cost int) {
	cost = -1
	var chosen []netip.Prefix
	var walk func(covered fitUniverse)
	walk = func(covered fitUniverse) {
		c := covered.missing(s).count()
		if cost >= 0 && (c > cost || c == cost && len(chosen) > len(best)) {
			return
		}
		i := s.missing(covered).first()
		if i < 0 {
			sorted := slices.Clone(chosen)
			slices.SortFunc(sorted, fitCompare)
			if cost < 0 || c < cost || len(sorted) < len(best) || slices.CompareFunc(sorted, best, fitCompare) < 0 {
				best, cost = sorted, c
			}
			return
		}
		if len(chosen) == max {
			return
		}
		for h := 8; h >= 0; h-- {
			chosen = append(chosen, fitBlockPrefix(i, h))
			walk(covered.or(fitBlock(i, h)))
			chosen = chosen[:len(chosen)-1]
		}
	}
	walk(fitUniverse{})
	return best, cost
}

func fitCompare(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// drawFitSet draws up to n prefixes of /24 to /32 in the 2^w addresses
// from 10.0.0.0 and of /120 to /128 in those from 2001:db8:: (w is 8 to
// 16), so that they often nest, touch and repeat.
func drawFitSet(t *rapid.T, n, w int) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for range rapid.IntRange(0, n).Draw(t, "n") {
		base, bl := fitBase4, 32
		if rapid.IntRange(0, 2).Draw(t, "v6") == 0 {
			base, bl = fitBase6, 128
		}
		a := base.Addr().As16()
		off := rapid.IntRange(0, 1<<w-1).Draw(t, "offset")
		a[14], a[15] = byte(off>>8), byte(off)
		addr := netip.AddrFrom16(a)
		if bl == 32 {
			addr = addr.Unmap()
		}
		h := rapid.IntRange(0, 8).Draw(t, "h")
		b.AddPrefix(netip.PrefixFrom(addr, bl-h).Masked())
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drawFitCopies draws a set with ties: up to 4 prefixes of /26 to /32 in
// 10.0.0.0/22, copied to up to 3 other /22 of 10.0.0.0/20 and sometimes
// to 2001:db8::/118 (where each costs as much), and up to 2 more
// prefixes anywhere in 10.0.0.0/20.
func drawFitCopies(t *rapid.T) *netipx.IPSet {
	var b netipx.IPSetBuilder
	add := func(base netip.Prefix, off, h int) {
		a := base.Addr().As16()
		a[14], a[15] = byte(off>>8), byte(off)
		addr := netip.AddrFrom16(a)
		if base.Addr().Is4() {
			addr = addr.Unmap()
		}
		b.AddPrefix(netip.PrefixFrom(addr, addr.BitLen()-h).Masked())
	}
	type pfx struct{ off, h int }
	tmpl := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) pfx {
		return pfx{rapid.IntRange(0, 1023).Draw(t, "offset"), rapid.IntRange(0, 6).Draw(t, "h")}
	}), 1, 4).Draw(t, "template")
	copies := rapid.SliceOfNDistinct(rapid.IntRange(0, 3), 1, 4, rapid.ID).Draw(t, "copies")
	for _, c := range copies {
		for _, p := range tmpl {
			add(fitBase4, c<<10+p.off, p.h)
		}
	}
	if rapid.Bool().Draw(t, "v6") {
		for _, p := range tmpl {
			add(fitBase6, p.off, p.h)
		}
	}
	for range rapid.IntRange(0, 2).Draw(t, "extra") {
		add(fitBase4, rapid.IntRange(0, 4095).Draw(t, "offset"), rapid.IntRange(0, 8).Draw(t, "h"))
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drawFitMax draws a max for ps: mostly one that makes Fit merge, from
// one per family to one less than len(ps).
func drawFitMax(t *rapid.T, ps []netip.Prefix) int {
	lo, hi := fitFamilies(ps), len(ps)-1
	if hi < lo || rapid.IntRange(0, 3).Draw(t, "anyMax") == 0 {
		lo, hi = 0, len(ps)+1
	}
	return rapid.IntRange(lo, hi).Draw(t, "max")
}

// fitFamilies returns the number of address families in ps.
func fitFamilies(ps []netip.Prefix) int {
	n := 0
	if slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Addr().Is4() }) {
		n++
	}
	if slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Addr().Is6() }) {
		n++
	}
	return n
}

// TestFitBruteForce checks Fit against the optimum found by brute force:
// the same cost, and exactly the cover that the tie rule picks.
func TestFitBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawFitSet(t, 8, 8)
		ps := s.Prefixes()
		max := drawFitMax(t, ps)
		got, err := Fit(s, max)
		want, cost := fitBruteForce(fitUniverseOf(ps), max)
		if cost < 0 {
			if !errors.Is(err, ErrNoFit) {
				t.Fatalf("Fit(%v, %d) = %v, %v; brute force finds no cover", ps, max, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Fit(%v, %d): %v; brute force finds %v", ps, max, err, want)
		}
		if n := fitCount(FitAdded(s, got)); n.Cmp(big.NewInt(int64(cost))) != 0 {
			t.Fatalf("Fit(%v, %d) = %v adds %v addresses; the optimum %v adds %d", ps, max, got, n, want, cost)
		}
		if diff := gocmp.Diff(want, got, netipCmp); diff != "" {
			t.Fatalf("Fit(%v, %d) (-brute force +got):\n%s", ps, max, diff)
		}
	})
}

// fitSearch returns the best cover of ps by Fit's rules, found by trying
// every cover made of disjoint candidates: the longest prefix that holds
// two of ps, or one. No other prefix is worth having, as it would shrink
// to the candidate holding the same prefixes of ps and add fewer
// addresses (TestFitBruteForce, which tries every prefix, checks Fit on
// small sets without this argument). It returns a nil cost if no cover
// of at most max exists.
func fitSearch(ps []netip.Prefix, max int) (best []netip.Prefix, cost *big.Int) {
	type cand struct {
		p    netip.Prefix
		has  uint64   // the prefixes of ps it holds, a bit each
		cost *big.Int // its addresses outside ps
	}
	var cands []cand
	seen := map[netip.Prefix]bool{}
	for i, p := range ps {
		for _, q := range ps[i:] {
			if p.Addr().BitLen() != q.Addr().BitLen() {
				continue
			}
			bits := min(p.Bits(), q.Bits())
			for !netip.PrefixFrom(p.Addr(), bits).Masked().Contains(q.Addr()) {
				bits--
			}
			c := cand{p: netip.PrefixFrom(p.Addr(), bits).Masked()}
			if seen[c.p] {
				continue
			}
			seen[c.p] = true
			var in []netip.Prefix
			for k, r := range ps {
				if c.p.Overlaps(r) {
					c.has |= 1 << k
					in = append(in, r)
				}
			}
			c.cost = new(big.Int).Sub(fitCount([]netip.Prefix{c.p}), fitCount(in))
			cands = append(cands, c)
		}
	}
	all := uint64(1)<<len(ps) - 1
	var chosen []netip.Prefix
	var walk func(covered uint64, c *big.Int)
	walk = func(covered uint64, c *big.Int) {
		if cost != nil && (c.Cmp(cost) > 0 || c.Cmp(cost) == 0 && len(chosen) > len(best)) {
			return
		}
		if covered == all {
			sorted := slices.Clone(chosen)
			slices.SortFunc(sorted, fitCompare)
			if cost == nil || c.Cmp(cost) < 0 || len(sorted) < len(best) || slices.CompareFunc(sorted, best, fitCompare) < 0 {
				best, cost = sorted, c
			}
			return
		}
		if len(chosen) == max {
			return
		}
		first := uint64(1) << bits.TrailingZeros64(all&^covered)
		for _, x := range cands {
			if x.has&first != 0 && x.has&covered == 0 {
				chosen = append(chosen, x.p)
				walk(covered|x.has, new(big.Int).Add(c, x.cost))
				chosen = chosen[:len(chosen)-1]
			}
		}
	}
	walk(0, new(big.Int))
	return best, cost
}

// TestFitSearch checks Fit against fitSearch on sets of up to 16 prefixes,
// spread more widely or made of copies (which tie): the same cost, and
// exactly the cover that the tie rule picks.
func TestFitSearch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s *netipx.IPSet
		if rapid.Bool().Draw(t, "copies") {
			s = drawFitCopies(t)
		} else {
			s = drawFitSet(t, 16, 12)
		}
		ps := s.Prefixes()
		if len(ps) > 16 {
			t.Skip("too many prefixes to search")
		}
		max := drawFitMax(t, ps)
		got, err := Fit(s, max)
		want, cost := fitSearch(ps, max)
		if cost == nil {
			if !errors.Is(err, ErrNoFit) {
				t.Fatalf("Fit(%v, %d) = %v, %v; the search finds no cover", ps, max, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Fit(%v, %d): %v; the search finds %v", ps, max, err, want)
		}
		if n := fitCount(FitAdded(s, got)); n.Cmp(cost) != 0 {
			t.Fatalf("Fit(%v, %d) = %v adds %v addresses; the optimum %v adds %v", ps, max, got, n, want, cost)
		}
		if diff := gocmp.Diff(want, got, netipCmp); diff != "" {
			t.Fatalf("Fit(%v, %d) (-search +got):\n%s", ps, max, diff)
		}
	})
}

// TestFitCover checks Fit's promises on sets of any shape against netipx:
// the union contains s, the list is no longer than max and is the minimal
// prefix list of its own union, s's own prefixes come back when they are
// few enough, and a larger max never adds more addresses.
func TestFitCover(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genIPSet(t, 40)
		ps := s.Prefixes()
		families := fitFamilies(ps)
		max := rapid.IntRange(-1, len(ps)+1).Draw(t, "max")
		got, err := Fit(s, max)
		if len(ps) == 0 {
			if got != nil || err != nil {
				t.Fatalf("Fit(empty, %d) = %v, %v; want nil, nil", max, got, err)
			}
			return
		}
		if max < families {
			if !errors.Is(err, ErrNoFit) || got != nil {
				t.Fatalf("Fit(%d prefixes, %d families, max %d) = %v, %v; want ErrNoFit", len(ps), families, max, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Fit(%v, %d): %v", ps, max, err)
		}
		if len(ps) <= max {
			if diff := gocmp.Diff(ps, got, netipCmp); diff != "" {
				t.Fatalf("Fit with room for every prefix (-s.Prefixes() +got):\n%s", diff)
			}
		}
		if len(got) > max {
			t.Fatalf("Fit(%v, %d) returned %d prefixes", ps, max, len(got))
		}
		u := fitUnion(t, got)
		var rest netipx.IPSetBuilder
		rest.AddSet(s)
		rest.RemoveSet(u)
		if r, _ := rest.IPSet(); len(r.Prefixes()) > 0 {
			t.Fatalf("Fit(%v, %d) = %v misses %v", ps, max, got, r.Prefixes())
		}
		if diff := gocmp.Diff(u.Prefixes(), got, netipCmp); diff != "" {
			t.Fatalf("Fit(%v, %d) is not the minimal list of its union (-minimal +got):\n%s", ps, max, diff)
		}
		if len(ps) > max {
			more, err := Fit(s, max+1)
			if err != nil {
				t.Fatalf("Fit(s, %d): %v", max+1, err)
			}
			if a, b := fitCount(FitAdded(s, more)), fitCount(FitAdded(s, got)); a.Cmp(b) > 0 {
				t.Fatalf("Fit(%v) adds %v addresses with max %d but %v with max %d", ps, a, max+1, b, max)
			}
		}
	})
}
