//go:build !purego

package trie

import (
	"net/netip"
	"testing"
)

// TestWithoutUnsafe checks the As16 path that lookups take when the
// layout of netip.Addr is not the one it reads directly.
func TestWithoutUnsafe(t *testing.T) {
	if !repOK {
		t.Fatal("netip.Addr layout not recognised: Contains runs without its fast path")
	}
	s, probes := randomSet(t, 7, 500, 200, []int{8, 24, 32})
	tb := Build(s.Prefixes())
	repOK = false
	defer func() { repOK = true }()
	checkAgainst(t, &tb, s, probes)
	for _, p := range []string{"1.2.3.4", "::ffff:1.2.3.4", "2001:db8::1", "fe80::1%eth0"} {
		a := netip.MustParseAddr(p)
		b := a.As16()
		if hi, lo := lookupWords(&a); hi != be64(b[:8]) || lo != be64(b[8:]) {
			t.Errorf("addrWords(%v) without the layout read = %#x %#x", a, hi, lo)
		}
	}
}
