package trie

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go4.org/netipx"
	"pgregory.net/rapid"
)

var prefixCmp = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

// withPolicy runs f with trieMin and maxFlatSteps set to min and steps
// (-1, -1: every Set with ranges gets a trie).
func withPolicy(min, steps int, f func()) {
	oldMin, oldSteps := trieMin, maxFlatSteps
	trieMin, maxFlatSteps = min, steps
	defer func() { trieMin, maxFlatSteps = oldMin, oldSteps }()
	f()
}

// setProbes returns the edge addresses of s (each range's ends and their
// neighbours), the addresses of ps and their neighbours, their
// IPv4-mapped and zoned forms, and the zero Addr.
func setProbes(s *netipx.IPSet, ps []netip.Prefix) []netip.Addr {
	as := []netip.Addr{{}, netip.IPv4Unspecified(), netip.IPv6Unspecified(), netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}
	for _, r := range s.Ranges() {
		as = append(as, r.From(), r.To(), r.From().Prev(), r.To().Next())
	}
	for _, p := range ps {
		as = append(as, p.Addr(), p.Addr().Prev(), netipx.PrefixLastIP(p), netipx.PrefixLastIP(p).Next())
	}
	out := as[:0]
	for _, a := range as {
		if !a.IsValid() {
			continue
		}
		out = append(out, a)
		if a.Is4() {
			m := netip.AddrFrom16(a.As16())
			out = append(out, m, m.WithZone("eth0"))
		} else {
			out = append(out, a.WithZone("eth0"))
		}
	}
	return append(out, netip.Addr{})
}

// checkSet fails t unless set holds exactly the addresses of s.
func checkSet(t interface {
	Helper()
	Fatalf(string, ...any)
}, set *Set, s *netipx.IPSet, probes []netip.Addr) {
	t.Helper()
	for _, a := range probes {
		if got, want := set.Contains(a), s.Contains(a.Unmap()); got != want {
			t.Fatalf("%v set: Contains(%v) = %v, want %v; set %v", set.Form(), a, got, want, s.Prefixes())
		}
	}
	if diff := cmp.Diff(s.Prefixes(), set.AppendPrefixes(nil), prefixCmp); diff != "" && len(s.Prefixes()) > 0 {
		t.Fatalf("AppendPrefixes mismatch (-want +got):\n%s", diff)
	}
	n4, n6 := set.NumPrefixes()
	if n4+n6 != len(s.Prefixes()) {
		t.Fatalf("NumPrefixes = %d+%d, want %d", n4, n6, len(s.Prefixes()))
	}
	var rs []netipx.IPRange
	set.Ranges(func(from, to netip.Addr) bool {
		rs = append(rs, netipx.IPRangeFrom(from, to))
		return true
	})
	if len(rs) != len(s.Ranges()) || set.NumRanges() != len(rs) {
		t.Fatalf("Ranges: %d ranges (NumRanges %d), want %d", len(rs), set.NumRanges(), len(s.Ranges()))
	}
	for i, r := range s.Ranges() {
		if rs[i] != r {
			t.Fatalf("range %d = %v, want %v", i, rs[i], r)
		}
	}
}

// TestSetMatchesIPSet: a Set built from random prefixes (overlapping,
// duplicated, unsorted) holds exactly what netipx says, in every form.
// The policy is drawn so that the same sets also get a trie; the test fails
// unless every form was reached.
func TestSetMatchesIPSet(t *testing.T) {
	reached := map[Form]int{}
	rapid.Check(t, func(t *rapid.T) {
		add := rapid.SliceOfN(rapid.Custom(genPrefix), 0, 30).Draw(t, "add")
		// Bulk: more prefixes from a seed, so that sets large enough for
		// an index are common.
		add = append(add, bulkPrefixes(rapid.Uint64().Draw(t, "seed"), rapid.SampledFrom([]int{0, 0, 50, 400}).Draw(t, "bulk"))...)
		rm := rapid.SliceOfN(rapid.Custom(genPrefix), 0, 10).Draw(t, "remove")
		pol := rapid.SampledFrom([][2]int{{-1, -1}, {4, 1}, {trieMin, maxFlatSteps}}).Draw(t, "policy")
		s := ipset(t, add, rm)
		withPolicy(pol[0], pol[1], func() {
			var set Set
			if len(rm) == 0 { // the prefixes as given, unsorted and overlapping
				set = FromPrefixes(add)
			} else { // the ranges, shuffled
				rs := s.Ranges()
				r := rand.New(rand.NewPCG(uint64(len(rs)), 1))
				r.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
				set = FromRanges(rs)
			}
			reached[set.Form()]++
			checkSet(t, &set, s, setProbes(s, add))
		})
	})
	for _, f := range []Form{FormEmpty, FormFlat, FormFlatIndex, FormTrie} {
		if reached[f] == 0 {
			t.Errorf("no set reached form %v (reached: %v)", f, reached)
		}
	}
}

// bulkPrefixes returns n random prefixes from seed: IPv4 (/8 to /32,
// half of them in 10.0.0.0/14) and IPv6 (/16 to /128, half in
// 2603:1020:206::/48).
func bulkPrefixes(seed uint64, n int) []netip.Prefix {
	r := rand.New(rand.NewPCG(seed, 3))
	ps := make([]netip.Prefix, 0, n)
	for range n {
		if r.IntN(4) > 0 {
			x := r.Uint32()
			if r.IntN(2) == 0 {
				x = 10<<24 | x&0x3ffff
			}
			ps = append(ps, netip.PrefixFrom(addr4(x), 8+r.IntN(25)).Masked())
			continue
		}
		hi, lo := r.Uint64(), r.Uint64()
		if r.IntN(2) == 0 {
			hi = 0x2603_1020_0206_0000 | hi&0xffff
		}
		ps = append(ps, netip.PrefixFrom(addr6(hi, lo), 16+r.IntN(113)).Masked())
	}
	return ps
}

// TestSetForms checks that each form is taken by the sets it is meant for
// and answers like netipx there, at the thresholds: tiny sets are
// searched without an index, larger scattered ones (even of 10,000
// ranges) with one; a set of more than trieMin ranges gets a trie when a
// family's search would take more than maxFlatSteps steps (IPv6 hosts of
// one /64, which no index tells apart), or when a family has more ranges
// than 16-bit index entries can name.
func TestSetForms(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	scattered := func(n4, n6 int) []netip.Prefix {
		var ps []netip.Prefix
		for range n4 {
			a := netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
			ps = append(ps, netip.PrefixFrom(a, 24+r.IntN(9)).Masked())
		}
		for range n6 {
			var b [16]byte
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			b[0] = 0x20 | b[0]&0x1f
			ps = append(ps, netip.PrefixFrom(netip.AddrFrom16(b), []int{32, 48, 64, 128}[r.IntN(4)]).Masked())
		}
		return ps
	}
	// hosts returns n IPv6 /128s of 2001:db8::/64, not adjacent: n ranges
	// that share 64 bits.
	hosts := func(n int) []netip.Prefix {
		var ps []netip.Prefix
		for i := range n {
			ps = append(ps, netip.PrefixFrom(addr6(0x20010db8<<32, uint64(2*i)), 128))
		}
		return ps
	}
	// every returns n IPv4 /32s from 10.0.0.0, not adjacent.
	every := func(n int) []netip.Prefix {
		var ps []netip.Prefix
		for i := range n {
			ps = append(ps, netip.PrefixFrom(addr4(10<<24+2*uint32(i)), 32))
		}
		return ps
	}
	steps := 1 << maxFlatSteps // hosts(steps) take maxFlatSteps steps, one more host one more
	tests := []struct {
		name string
		ps   []netip.Prefix
		want Form // FormFlat for "either flat form"
	}{
		{"empty", nil, FormEmpty},
		{"one IPv4", []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, FormFlat},
		{"one IPv6", []netip.Prefix{netip.MustParsePrefix("2001:db8::/128")}, FormFlat},
		{"everything", []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}, FormFlat},
		{"10 scattered", scattered(8, 2), FormFlat},
		{"100 scattered", scattered(80, 20), FormFlatIndex},
		{"1000 scattered", scattered(800, 200), FormFlatIndex},
		{"10000 scattered", scattered(8000, 2000), FormFlatIndex},
		{"trieMin hosts", hosts(trieMin), FormFlat},
		{"trieMin+1 hosts", hosts(trieMin + 1), FormTrie},
		{"hosts at maxFlatSteps", append(hosts(steps), scattered(trieMin, 0)...), FormFlatIndex},
		{"hosts past maxFlatSteps", append(hosts(steps+1), scattered(trieMin, 0)...), FormTrie},
		{"0xffff IPv4 ranges", every(0xffff), FormFlatIndex},
		{"0x10000 IPv4 ranges", every(0x10000), FormTrie},
		{"IPv6 sharing 64 bits", []netip.Prefix{netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("2001:db8::3/128"), netip.MustParsePrefix("2001:db8::5/128"), netip.MustParsePrefix("2001:db8::8/126"), netip.MustParsePrefix("2001:db8::10/128")}, FormFlat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ipset(t, tt.ps, nil)
			set := FromPrefixes(tt.ps)
			if got := set.Form(); got != tt.want && !(tt.want == FormFlat && got == FormFlatIndex) {
				t.Errorf("form %v, want %v (stats %+v)", got, tt.want, set.Stats())
			}
			checkSet(t, &set, s, setProbes(s, tt.ps))
		})
	}
}

// TestZeroSet: the zero Set is empty for every method.
func TestZeroSet(t *testing.T) {
	var s Set
	for _, a := range []string{"0.0.0.0", "::", "::ffff:1.2.3.4", "2001:db8::1", "fe80::1%eth0"} {
		if s.Contains(netip.MustParseAddr(a)) {
			t.Errorf("zero Set contains %s", a)
		}
	}
	if s.Contains(netip.Addr{}) || s.Form() != FormEmpty || s.NumRanges() != 0 || len(s.AppendPrefixes(nil)) != 0 {
		t.Error("zero Set is not empty")
	}
	if n4, n6 := s.NumPrefixes(); n4+n6 != 0 {
		t.Error("zero Set has prefixes")
	}
	s.Ranges(func(from, to netip.Addr) bool { t.Errorf("zero Set has range %v-%v", from, to); return true })
	if st := s.Stats(); st != (SetStats{}) {
		t.Errorf("zero Set Stats = %+v", st)
	}
}

// TestEachPrefix: the minimal prefixes of a range are netipx's.
func TestEachPrefix(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := rapid.Custom(genPrefix).Draw(t, "a"), rapid.Custom(genPrefix).Draw(t, "b")
		from, to := a.Addr(), netipx.PrefixLastIP(b)
		if from.Is4() != to.Is4() {
			return
		}
		if to.Less(from) {
			from, to = b.Addr(), netipx.PrefixLastIP(a)
			if to.Less(from) {
				return
			}
		}
		set := FromRanges([]netipx.IPRange{netipx.IPRangeFrom(from, to)})
		want := netipx.IPRangeFrom(from, to).Prefixes()
		if diff := cmp.Diff(want, set.AppendPrefixes(nil), prefixCmp); diff != "" {
			t.Fatalf("prefixes of %v-%v (-want +got):\n%s", from, to, diff)
		}
	})
}
