package allowlist

import (
	"github.com/ipallow/ipallow/internal/ipx"
	"net/netip"

	"go4.org/netipx"
)

// Change is what an update from one Set to another does to access.
type Change struct {
	Gained []netip.Prefix // ranges allowed by the new set and not by the old one, as minimal sorted prefixes; nil if none
	Lost   []netip.Prefix // ranges allowed by the old set and not by the new one, as minimal sorted prefixes; nil if none
}

// Diff reports the address ranges that gain and lose access when old is
// replaced by new. A nil Set counts as empty.
//
// An AKS update replaces the whole list: a range left out of the new list
// is removed. Resolve the current and the proposed list with the same
// Resolver, Diff them, and check the Change with LockedOut before applying
// the update.
func Diff(old, new *Set) Change {
	o, n := ipsetOf(old), ipsetOf(new)
	return Change{Gained: ipx.Minus(n, o), Lost: ipx.Minus(o, n)}
}

func ipsetOf(s *Set) *netipx.IPSet {
	if s == nil {
		return new(netipx.IPSet)
	}
	return s.IPSet()
}

// CutsOff reports whether the change takes access away from a: whether a
// lies in c.Lost. Like Set.Contains it unmaps an IPv4-mapped a first; a
// zoned address was never allowed and so is never cut off.
func (c Change) CutsOff(a netip.Addr) bool {
	a = a.Unmap()
	if a.Zone() != "" {
		return false
	}
	for _, p := range c.Lost {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// LockedOut returns those of addrs (as given) that the change cuts off: the
// lock-out check to run before an update replaces a list, with the
// operator's own address, the nodes' and the CI runners'. It returns nil
// when nobody given is cut off.
func (c Change) LockedOut(addrs ...netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		if c.CutsOff(a) {
			out = append(out, a)
		}
	}
	return out
}
