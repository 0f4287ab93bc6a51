package trie

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

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
