package allowlist

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ipallow/ipallow/internal/ipx"
	"github.com/ipallow/ipallow/internal/trie"
)

// ErrInvalidPrefix is the kind of error CompilePrefixes returns for a
// prefix it cannot compile: the zero Prefix (or one with a bad length), an
// IPv4-mapped prefix, or one with host bits set.
var ErrInvalidPrefix = errors.New("allowlist: invalid prefix")

// CompilePrefixes compiles the union of ps into a Set. An invalid, zoned, IPv4-mapped or
// non-canonical prefix is an error naming it (and its index); duplicates and overlaps are fine.
//
// The error wraps ErrInvalidPrefix and names the first such prefix. (A
// netip.Prefix holds no zone: netip.PrefixFrom drops it.) CompilePrefixes
// gives the same Set as Compile of the netipx.IPSet of ps, faster, and
// reads ps without keeping it.
func CompilePrefixes(ps []netip.Prefix) (*Set, error) {
	for i, p := range ps {
		if prob := ipx.CheckPrefix(p); prob != ipx.OK {
			return nil, prefixError(i, p, prob)
		}
	}
	return &Set{c: trie.FromPrefixes(ps)}, nil
}

// prefixError returns the error for the i'th prefix p with problem prob.
func prefixError(i int, p netip.Prefix, prob ipx.Problem) error {
	var why string
	switch prob {
	case ipx.Mapped:
		if u := ipx.Unmapped(p); u.IsValid() {
			why = fmt.Sprintf("IPv4-mapped; write the IPv4 prefix %s", u)
		} else {
			why = fmt.Sprintf("IPv4-mapped and shorter than /96; write %s for the IPv6 block it spans", p.Masked())
		}
	case ipx.HostBits:
		why = fmt.Sprintf("host bits are set; write %s (or %s for the single address)", p.Masked(), ipx.Host(p.Addr()))
	default:
		return fmt.Errorf("%w: prefix %d is not a valid prefix (the zero Prefix or a bad length); remove it, or give a valid prefix such as 192.0.2.0/24", ErrInvalidPrefix, i)
	}
	return fmt.Errorf("%w: prefix %d (%s): %s", ErrInvalidPrefix, i, p, why)
}
