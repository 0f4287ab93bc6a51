package trie

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"go4.org/netipx"
)

// benchStreams returns 4096 addresses in s and 4096 outside it (half of
// them just past a range).
func benchStreams(s *netipx.IPSet) (hits, misses []netip.Addr) {
	r := rand.New(rand.NewPCG(9, 9))
	rs := s.Ranges()
	for len(hits) < 4096 {
		p := rs[r.IntN(len(rs))].Prefixes()[0]
		b := p.Addr().As16()
		for i := p.Bits() + 128 - p.Addr().BitLen(); i < 128; i++ {
			b[i/8] |= byte(r.Uint32()&1) << (7 - i%8)
		}
		a := netip.AddrFrom16(b)
		if p.Addr().Is4() {
			a = a.Unmap()
		}
		hits = append(hits, a)
	}
	for len(misses) < 4096 {
		var a netip.Addr
		if r.IntN(2) == 0 {
			a = rs[r.IntN(len(rs))].To().Next()
		} else if rs[0].From().Is4() && (r.IntN(5) > 0 || rs[len(rs)-1].From().Is4()) {
			a = netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
		} else {
			var b [16]byte
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			b[0] = 0x20 | b[0]&0x1f
			a = netip.AddrFrom16(b)
		}
		if a.IsValid() && !s.Contains(a) {
			misses = append(misses, a)
		}
	}
	return hits, misses
}

// BenchmarkContains measures Table.Contains on random sets (IPv4, and
// IPv4 with IPv6 in 2001:db8::/32), on streams of hits and of misses.
func BenchmarkContains(b *testing.B) {
	for _, c := range []struct {
		name  string
		n, n6 int
		lens  []int
	}{
		{"v4_200", 200, 0, []int{16, 24, 28, 32}},
		{"mix_1k", 800, 200, []int{16, 20, 24, 28, 32}},
		{"v4_10k", 10000, 0, []int{12, 16, 20, 24, 28, 32}},
	} {
		s, _ := randomSet(nil, 1, c.n, c.n6, c.lens)
		tb := Build(s.Prefixes())
		hits, misses := benchStreams(s)
		for _, st := range []struct {
			name  string
			addrs []netip.Addr
			want  bool
		}{{"hit", hits, true}, {"miss", misses, false}} {
			b.Run(fmt.Sprintf("set=%s/%s", c.name, st.name), func(b *testing.B) {
				b.ReportAllocs()
				i, bad := 0, 0
				for b.Loop() {
					if tb.Contains(st.addrs[i&4095]) != st.want {
						bad++
					}
					i++
				}
				if bad > 0 {
					b.Fatalf("%d wrong answers", bad)
				}
			})
		}
	}
}

// tenantPrefixes returns n random prefixes shaped like one tenant's
// allowlist: IPv4 with probability 0.8 (/16 to /32, mostly /24 and /32),
// else IPv6 in 2000::/3 (/32 to /64, and some /128).
func tenantPrefixes(r *rand.Rand, n int) []netip.Prefix {
	ps := make([]netip.Prefix, 0, n)
	for range n {
		if r.IntN(5) == 0 {
			hi, lo := r.Uint64(), r.Uint64()
			hi = 0x2000<<48 | hi&(1<<61-1)
			ps = append(ps, netip.PrefixFrom(addr6(hi, lo), []int{32, 40, 48, 48, 56, 64, 128}[r.IntN(7)]).Masked())
			continue
		}
		bits := []int{16, 20, 22, 24, 24, 24, 24, 26, 28, 32, 32, 32}[r.IntN(12)]
		ps = append(ps, netip.PrefixFrom(addr4(r.Uint32()), bits).Masked())
	}
	return ps
}

// aksPrefixes returns n IPv4 prefixes shaped like an AKS authorized IP
// ranges list: 55 % /32, 35 % /24 to /29, 10 % /16 to /23, 70 % of the
// longer ones inside a few "site" /16 blocks.
func aksPrefixes(r *rand.Rand, n int) []netip.Prefix {
	sites := make([]uint32, 1+n/10)
	for i := range sites {
		sites[i] = r.Uint32() &^ 0xffff
	}
	ps := make([]netip.Prefix, 0, n)
	for range n {
		var bits int
		switch x := r.IntN(100); {
		case x < 55:
			bits = 32
		case x < 90:
			bits = 24 + r.IntN(6)
		default:
			bits = 16 + r.IntN(8)
		}
		a := r.Uint32()
		if bits > 16 && r.IntN(10) < 7 {
			a = sites[r.IntN(len(sites))] | a&0xffff
		}
		ps = append(ps, netip.PrefixFrom(addr4(a), bits).Masked())
	}
	return ps
}

// benchSetCases are the sets of BenchmarkSetContains and BenchmarkSetBuild.
var benchSetCases = []struct {
	name string
	gen  func(*rand.Rand, int) []netip.Prefix
	n    int
}{
	{"tenant10", tenantPrefixes, 10},
	{"tenant50", tenantPrefixes, 50},
	{"tenant100", tenantPrefixes, 100},
	{"aks200", aksPrefixes, 200},
	{"tenant1000", tenantPrefixes, 1000},
}

// BenchmarkSetContains measures Set.Contains on sets of the size and
// shape of tenant allowlists and of an AKS list, each hot in cache.
func BenchmarkSetContains(b *testing.B) {
	for _, c := range benchSetCases {
		ps := c.gen(rand.New(rand.NewPCG(uint64(c.n), 4)), c.n)
		set := FromPrefixes(ps)
		hits, misses := benchStreams(ipset(b, ps, nil))
		for _, st := range []struct {
			name  string
			addrs []netip.Addr
			want  bool
		}{{"hit", hits, true}, {"miss", misses, false}} {
			b.Run(fmt.Sprintf("set=%s/%s", c.name, st.name), func(b *testing.B) {
				b.ReportAllocs()
				i, bad := 0, 0
				for b.Loop() {
					if set.Contains(st.addrs[i&4095]) != st.want {
						bad++
					}
					i++
				}
				if bad > 0 {
					b.Fatalf("%d wrong answers", bad)
				}
				b.ReportMetric(float64(set.Stats().Bytes), "B/set")
			})
		}
	}
}

// BenchmarkSetBuild measures FromPrefixes.
func BenchmarkSetBuild(b *testing.B) {
	for _, c := range benchSetCases {
		r := rand.New(rand.NewPCG(uint64(c.n), 5))
		sets := make([][]netip.Prefix, 64)
		for i := range sets {
			sets[i] = c.gen(r, c.n)
		}
		b.Run("set="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				FromPrefixes(sets[i&63])
				i++
			}
		})
	}
}

// BenchmarkSetForms compares the two forms of a Set on the same sets, to
// place the thresholds: scattered tenant-like sets and clustered AKS-like ones,
// each built searched (flat) and as a trie. It reports the bytes a Set
// holds and the time to build it (build-ns).
func BenchmarkSetForms(b *testing.B) {
	for _, c := range []struct {
		name string
		gen  func(*rand.Rand, int) []netip.Prefix
		n    int
	}{
		{"tenant", tenantPrefixes, 500}, {"tenant", tenantPrefixes, 1000}, {"tenant", tenantPrefixes, 2000},
		{"tenant", tenantPrefixes, 5000}, {"tenant", tenantPrefixes, 20000},
		{"aks", aksPrefixes, 1000}, {"aks", aksPrefixes, 5000},
	} {
		ps := c.gen(rand.New(rand.NewPCG(uint64(c.n), 6)), c.n)
		hits, misses := benchStreams(ipset(b, ps, nil))
		for _, form := range []struct {
			name       string
			min, steps int
		}{{"flat", 1 << 30, 0}, {"trie", -1, -1}} {
			oldMin, oldSteps := trieMin, maxFlatSteps
			trieMin, maxFlatSteps = form.min, form.steps
			start := time.Now()
			set := FromPrefixes(ps)
			build := time.Since(start)
			trieMin, maxFlatSteps = oldMin, oldSteps
			for _, st := range []struct {
				name  string
				addrs []netip.Addr
				want  bool
			}{{"hit", hits, true}, {"miss", misses, false}} {
				b.Run(fmt.Sprintf("set=%s%d/form=%s/%s", c.name, c.n, form.name, st.name), func(b *testing.B) {
					i, bad := 0, 0
					for b.Loop() {
						if set.Contains(st.addrs[i&4095]) != st.want {
							bad++
						}
						i++
					}
					if bad > 0 {
						b.Fatalf("%d wrong answers", bad)
					}
					b.ReportMetric(float64(set.Stats().Bytes), "B/set")
					b.ReportMetric(float64(build.Nanoseconds()), "build-ns")
				})
			}
		}
	}
}
