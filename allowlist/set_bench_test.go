package allowlist

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"go4.org/netipx"
)

// synthSet returns a deterministic random set of about n prefixes: 80 %
// IPv4 (40 % /24, 15 % /32, the rest /8 to /31) and 20 % IPv6 (/32 to /64
// and some /128, in 2000::/3).
func synthSet(n int) *netipx.IPSet {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	var b netipx.IPSetBuilder
	for range n {
		if rng.IntN(5) > 0 {
			x := rng.Uint32()
			bits := 8 + rng.IntN(24)
			switch r := rng.IntN(100); {
			case r < 40:
				bits = 24
			case r < 55:
				bits = 32
			}
			a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
			b.AddPrefix(netip.PrefixFrom(a, bits).Masked())
			continue
		}
		var a [16]byte
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		a[0] = 0x20 | a[0]&0x1f
		bits := []int{32, 48, 56, 64, 128}[rng.IntN(5)]
		b.AddPrefix(netip.PrefixFrom(netip.AddrFrom16(a), bits).Masked())
	}
	s, _ := b.IPSet()
	return s
}

// streams returns 4096 addresses in s (hits) and 4096 outside it (misses).
func streams(s *netipx.IPSet) (hits, misses []netip.Addr) {
	rng := rand.New(rand.NewPCG(7, 7))
	rs := s.Ranges()
	for len(hits) < 4096 {
		hits = append(hits, randomIn(rng, rs[rng.IntN(len(rs))]))
	}
	for len(misses) < 4096 {
		var a [16]byte
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		x := netip.AddrFrom4([4]byte(a[:4]))
		if rng.IntN(5) == 0 {
			a[0] = 0x20 | a[0]&0x1f
			x = netip.AddrFrom16(a)
		}
		if rng.IntN(2) == 0 { // a near miss: just outside a range
			r := rs[rng.IntN(len(rs))]
			if x = r.To().Next(); !x.IsValid() {
				continue
			}
		}
		if !s.Contains(x) {
			misses = append(misses, x)
		}
	}
	return hits, misses
}

var sizes = []int{10, 100, 1000, 10000, 100000}

func BenchmarkSetContains(b *testing.B) {
	for _, n := range sizes {
		s := synthSet(n)
		set := Compile(s)
		hits, misses := streams(s)
		for _, st := range []struct {
			name  string
			addrs []netip.Addr
			want  bool
		}{{"hit", hits, true}, {"miss", misses, false}} {
			b.Run(fmt.Sprintf("prefixes=%d/%s", n, st.name), func(b *testing.B) {
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
				b.ReportMetric(float64(set.Stats().Bytes)/float64(set.NumPrefixes()), "B/prefix")
			})
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, n := range sizes {
		s := synthSet(n)
		b.Run(fmt.Sprintf("prefixes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var set *Set
			for b.Loop() {
				set = Compile(s)
			}
			b.ReportMetric(float64(set.Stats().Bytes)/float64(set.NumPrefixes()), "B/prefix")
		})
	}
	for _, tag := range []string{"AzureCloud", ""} {
		name := tag
		if name == "" {
			name = "union"
		}
		s := loadTag(b, tag)
		b.Run("servicetag="+name, func(b *testing.B) {
			b.ReportAllocs()
			var set *Set
			for b.Loop() {
				set = Compile(s)
			}
			b.ReportMetric(float64(set.Stats().Bytes)/float64(set.NumPrefixes()), "B/prefix")
		})
		ps := loadTagPrefixes(b, tag)
		b.Run("servicetag="+name+"/CompilePrefixes", func(b *testing.B) {
			b.ReportAllocs()
			var set *Set
			for b.Loop() {
				set, _ = CompilePrefixes(ps)
			}
			b.ReportMetric(float64(set.Stats().Bytes)/float64(set.NumPrefixes()), "B/prefix")
		})
	}
}
