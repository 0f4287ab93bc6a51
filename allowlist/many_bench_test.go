package allowlist

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"

	"go4.org/netipx"
)

// tenantPrefixes returns n distinct prefixes shaped like one tenant's
// allowlist: IPv4 with probability 0.8 (/16 to /32, 35 % /24 and 27 %
// /32), else IPv6 in 2000::/3 (/32 to /64, and 5 % /128).
func tenantPrefixes(r *rand.Rand, n int) []netip.Prefix {
	v4 := []int{16, 17, 18, 20, 21, 22, 23, 24, 24, 24, 24, 24, 24, 24, 25, 26, 28, 29, 30, 32, 32, 32, 32, 32, 32}
	v6 := []int{32, 32, 32, 32, 40, 44, 48, 48, 48, 48, 48, 48, 52, 56, 56, 56, 60, 64, 64, 128}
	seen := make(map[netip.Prefix]bool, n)
	ps := make([]netip.Prefix, 0, n)
	for len(ps) < n {
		var p netip.Prefix
		if r.IntN(5) == 0 {
			var b [16]byte
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			b[0] = 0x20 | b[0]&0x1f
			p = netip.PrefixFrom(netip.AddrFrom16(b), v6[r.IntN(len(v6))]).Masked()
		} else {
			x := r.Uint32()
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}), v4[r.IntN(len(v4))]).Masked()
		}
		if !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	return ps
}

// manyCases are the sets of the many-sets benchmarks: many small sets
// kept together (one per tenant), and single sets of 1 to 1,000 prefixes
// (averaged over independent sets).
var manyCases = []struct {
	name    string
	sets, n int
	single  bool
}{
	{"10kx10", 10_000, 10, false},
	{"1kx50", 1_000, 50, false},
	{"1x1", 2_000, 1, true},
	{"1x10", 1_000, 10, true},
	{"1x100", 200, 100, true},
	{"1x1000", 40, 1_000, true},
}

func manySets(sets, n int) [][]netip.Prefix {
	r := rand.New(rand.NewPCG(uint64(sets), uint64(n)))
	out := make([][]netip.Prefix, sets)
	for i := range out {
		out[i] = tenantPrefixes(r, n)
	}
	return out
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkManySets measures CompilePrefixes (ns per set, cycling through
// the case's sets), the heap retained per Set with all the case's sets
// alive (B/set) and what Stats says a Set holds (stats-B/set).
func BenchmarkManySets(b *testing.B) {
	for _, c := range manyCases {
		pss := manySets(c.sets, c.n)
		b.Run("case="+c.name, func(b *testing.B) {
			before := heapInUse()
			sets := make([]*Set, len(pss))
			for i, ps := range pss {
				sets[i], _ = CompilePrefixes(ps)
			}
			retained := heapInUse() - before - uint64(8*len(sets))
			stats := 0
			for _, s := range sets {
				stats += s.Stats().Bytes
			}
			runtime.KeepAlive(sets)
			sets = nil
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := CompilePrefixes(pss[i%len(pss)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(retained)/float64(len(pss)), "B/set")
			b.ReportMetric(float64(stats)/float64(len(pss)), "stats-B/set")
		})
	}
}

// BenchmarkManyCompile is BenchmarkManySets' build through netipx: the
// IPSetBuilder, then Compile (ns per set).
func BenchmarkManyCompile(b *testing.B) {
	for _, c := range manyCases[:2] {
		pss := manySets(c.sets, c.n)
		ipss := make([]*netipx.IPSet, len(pss))
		for i, ps := range pss {
			var sb netipx.IPSetBuilder
			for _, p := range ps {
				sb.AddPrefix(p)
			}
			ipss[i], _ = sb.IPSet()
		}
		b.Run("case="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				Compile(ipss[i%len(ipss)])
				i++
			}
		})
	}
}

// BenchmarkManyContains measures Contains over 16 independent sets of 10
// and of 100 prefixes: 4,096 lookups on one set, then the next.
func BenchmarkManyContains(b *testing.B) {
	for _, n := range []int{10, 100} {
		pss := manySets(16, n)
		sets := make([]*Set, len(pss))
		hits := make([][]netip.Addr, len(pss))
		misses := make([][]netip.Addr, len(pss))
		for i, ps := range pss {
			sets[i], _ = CompilePrefixes(ps)
			hits[i], misses[i] = streams(sets[i].IPSet())
		}
		for _, st := range []struct {
			name  string
			addrs [][]netip.Addr
			want  bool
		}{{"hit", hits, true}, {"miss", misses, false}} {
			b.Run(fmt.Sprintf("prefixes=%d/%s", n, st.name), func(b *testing.B) {
				b.ReportAllocs()
				i, bad := 0, 0
				for b.Loop() {
					k := i >> 12 & 15
					if sets[k].Contains(st.addrs[k][i&4095]) != st.want {
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
