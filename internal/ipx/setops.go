package ipx

import (
	"net/netip"

	"go4.org/netipx"
)

// Minus returns the addresses of a that are not in b, as minimal sorted
// prefixes (IPv4 first), or nil if there are none. A nil set is empty.
func Minus(a, b *netipx.IPSet) []netip.Prefix {
	var sb netipx.IPSetBuilder
	if a != nil {
		sb.AddSet(a)
	}
	if b != nil {
		sb.RemoveSet(b)
	}
	s, _ := sb.IPSet() // errors only on invalid input, which an IPSet cannot hold
	if ps := s.Prefixes(); len(ps) > 0 {
		return ps
	}
	return nil
}
