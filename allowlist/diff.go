package allowlist

import (
	"net/netip"

	"go4.org/netipx"
)

// Change is what an update from one Set to another does to access.
type Change struct {
	Gained []netip.Prefix // ranges allowed by the new set and not by the old one, as minimal prefixes
	Lost   []netip.Prefix // ranges allowed by the old set and not by the new one, as minimal prefixes
}

// Diff reports the address ranges that gain and lose access when old is
// replaced by new. A nil Set counts as empty.
func Diff(old, new *Set) Change {
	o, n := ipsetOf(old), ipsetOf(new)
	return Change{Gained: minus(n, o), Lost: minus(o, n)}
}

func ipsetOf(s *Set) *netipx.IPSet {
	if s == nil {
		return new(netipx.IPSet)
	}
	return s.IPSet()
}

func minus(a, b *netipx.IPSet) []netip.Prefix {
	var bld netipx.IPSetBuilder
	bld.AddSet(a)
	bld.RemoveSet(b)
	s, _ := bld.IPSet() // errors only on invalid input, which an IPSet cannot hold
	return s.Prefixes()
}
