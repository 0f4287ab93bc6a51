package ipsource

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/ipx"
	"net/netip"

	"go4.org/netipx"
)

// trustSet is the compiled list of trusted proxy prefixes.
type trustSet struct {
	set   *netipx.IPSet
	small []netip.Prefix // the aggregated set, when short enough to scan
}

// smallTrust is the length up to which a linear scan over prefixes beats
// the binary search of netipx.IPSet.
const smallTrust = 8

// newTrustSet validates the trusted proxy prefixes and compiles them.
//
// It rejects an empty list (use RemoteAddr when nothing is trusted), invalid
// prefixes, prefixes with host bits set, /0 prefixes (they trust a whole
// address family, so an attacker's entries would be skipped), and
// IPv4-mapped prefixes (peers and entries are unmapped before the check, so
// such a prefix would never match; write the IPv4 prefix instead).
// netip.Prefix cannot carry a zone, so zones need no check here.
func newTrustSet(trusted []netip.Prefix) (trustSet, error) {
	if len(trusted) == 0 {
		return trustSet{}, fmt.Errorf("%w: the trusted proxy list is empty; with no proxy in front, use RemoteAddr()", ErrInvalidConfig)
	}
	var b netipx.IPSetBuilder
	for i, p := range trusted {
		switch prob := ipx.CheckPrefix(p); {
		case prob == ipx.Invalid:
			return trustSet{}, fmt.Errorf("%w: trusted[%d] is not a valid prefix (zero value or bad length); build it with netip.ParsePrefix", ErrInvalidConfig, i)
		case prob == ipx.Mapped && p.Bits() >= 96:
			return trustSet{}, fmt.Errorf("%w: trusted[%d] %s is IPv4-mapped; peers and entries are unmapped before the check, so write the IPv4 prefix %s",
				ErrInvalidConfig, i, p, ipx.Unmapped(p))
		case p != p.Masked():
			return trustSet{}, fmt.Errorf("%w: trusted[%d] %s has host bits set; write %s, or %s/%d for the single proxy",
				ErrInvalidConfig, i, p, p.Masked(), p.Addr(), p.Addr().BitLen())
		case p.Bits() == 0:
			return trustSet{}, fmt.Errorf("%w: trusted[%d] %s trusts every address of its family, so any entry a client writes would be skipped; list your proxies' prefixes",
				ErrInvalidConfig, i, p)
		}
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		return trustSet{}, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	t := trustSet{set: s}
	if ps := s.Prefixes(); len(ps) <= smallTrust {
		t.small = ps
	}
	return t, nil
}

// contains reports whether a, which must be unmapped and unzoned, is a
// trusted proxy.
func (t trustSet) contains(a netip.Addr) bool {
	if t.small != nil {
		for _, p := range t.small {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return t.set.Contains(a)
}
