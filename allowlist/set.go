package allowlist

import (
	"net/netip"

	"go4.org/netipx"
)

// Set is an immutable compiled set of addresses. It is safe for concurrent use.
type Set struct {
	ips *netipx.IPSet
}

// Compile compiles s into a Set. A nil s compiles to the empty Set.
func Compile(s *netipx.IPSet) *Set {
	if s == nil {
		s = new(netipx.IPSet)
	}
	return &Set{ips: s}
}

// Contains reports whether a is in the set. IPv4-mapped IPv6 addresses are
// unmapped first; zoned IPv6 addresses are never contained.
func (s *Set) Contains(a netip.Addr) bool {
	return s.ips.Contains(a.Unmap())
}

// IPSet returns the set as a *netipx.IPSet. The caller must not modify it.
func (s *Set) IPSet() *netipx.IPSet {
	return s.ips
}
