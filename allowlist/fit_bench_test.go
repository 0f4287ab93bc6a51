package allowlist

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"go4.org/netipx"
)

// BenchmarkFit fits the AzureCloud tag of the 2025-10-20 Public download
// (13,080 prefixes, 3,206 once merged) and a synthetic set the size and
// shape of GitHub Actions' ranges (5,314 published) into AKS's 200 entries,
// and AzureCloud into 2,000.
func BenchmarkFit(b *testing.B) {
	tag, err := loadPublic(b).Lookup("AzureCloud")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		s    *netipx.IPSet
		max  int
	}{
		{"AzureCloud", fitUnion(b, tag.Prefixes), 200},
		{"actions-like", actionsLike(5314), 200},
		{"AzureCloud", fitUnion(b, tag.Prefixes), 2000}, // API Server VNet Integration's limit
	} {
		n := len(bc.s.Prefixes())
		b.Run(fmt.Sprintf("%s-%d-to-%d", bc.name, n, bc.max), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(bc.s, bc.max); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// actionsLike returns a deterministic set of n random prefixes shaped like
// GitHub Actions' published ranges: 82 % IPv4, /15 to /32 (mostly /24,
// /23 and /31), in 40 provider /8s; the rest IPv6, /45 to /64 (mostly
// /62 to /64), in 10 provider /32s.
func actionsLike(n int) *netipx.IPSet {
	rng := rand.New(rand.NewPCG(5314, 200))
	var blocks4 [40]byte
	for i := range blocks4 {
		blocks4[i] = byte(rng.IntN(223) + 1)
	}
	var blocks6 [10]uint32
	for i := range blocks6 {
		blocks6[i] = 0x2000_0000 | rng.Uint32()>>3
	}
	bits4 := []int{15, 16, 17, 17, 18, 19, 20, 21, 22, 22, 23, 23, 23, 24, 24, 24, 24, 24, 24, 25, 26, 27, 27, 28, 28, 29, 30, 31, 31, 31, 32}
	bits6 := []int{45, 47, 48, 54, 55, 56, 56, 57, 58, 59, 60, 61, 61, 62, 62, 62, 63, 63, 63, 64, 64, 64, 64, 64}
	var b netipx.IPSetBuilder
	for range n {
		if rng.IntN(100) < 82 {
			x := rng.Uint32()
			a := netip.AddrFrom4([4]byte{blocks4[rng.IntN(len(blocks4))], byte(x >> 16), byte(x >> 8), byte(x)})
			b.AddPrefix(netip.PrefixFrom(a, bits4[rng.IntN(len(bits4))]).Masked())
			continue
		}
		var a [16]byte
		top := blocks6[rng.IntN(len(blocks6))]
		a[0], a[1], a[2], a[3] = byte(top>>24), byte(top>>16), byte(top>>8), byte(top)
		for i := 4; i < 16; i++ {
			a[i] = byte(rng.Uint32())
		}
		b.AddPrefix(netip.PrefixFrom(netip.AddrFrom16(a), bits6[rng.IntN(len(bits6))]).Masked())
	}
	s, _ := b.IPSet()
	return s
}
