package allowlist

import (
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/ipallow/ipallow/internal/trie"
	"go4.org/netipx"
)

// Set is an immutable compiled set of IP addresses, built for fast
// membership tests. It is safe for concurrent use.
//
// A nil *Set is the empty set: it contains no address, and every method
// treats it as empty (fail closed).
type Set struct {
	t     trie.Table                // the compiled trie that answers Contains
	ips   *netipx.IPSet             // the set it was compiled from
	rules atomic.Pointer[ruleTable] // rule information for Explain: stored by Resolve, or built by the first Explain (rule.go)
}

// Compile compiles s into a Set. A nil s compiles to the empty Set.
// Compile reads s and does not keep a mutable reference to anything the
// caller can change (a netipx.IPSet is immutable).
func Compile(s *netipx.IPSet) *Set {
	if s == nil {
		s = new(netipx.IPSet)
	}
	return &Set{t: trie.Build(s.Prefixes()), ips: s}
}

// Contains reports whether a is in s. It is exactly
// s.IPSet().Contains(a.Unmap()): an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
// is looked up as the IPv4 address a.b.c.d, with any zone dropped; a zoned
// IPv6 address and the zero Addr are never contained. Contains does not
// allocate.
func (s *Set) Contains(a netip.Addr) bool {
	if s == nil {
		return false
	}
	return s.t.Contains(a)
}

// IPSet returns the set as a *netipx.IPSet. The caller must not modify it.
// It returns an empty IPSet for a nil s.
func (s *Set) IPSet() *netipx.IPSet {
	if s == nil {
		return new(netipx.IPSet)
	}
	return s.ips
}

// Prefixes returns the minimal sorted list of prefixes that covers exactly
// the addresses of s, IPv4 before IPv6 (as netipx.IPSet.Prefixes does).
// It returns a new slice on each call.
func (s *Set) Prefixes() []netip.Prefix {
	return s.IPSet().Prefixes()
}

// NumPrefixes returns the number of prefixes Prefixes would return.
func (s *Set) NumPrefixes() int {
	st := s.Stats()
	return st.Prefixes4 + st.Prefixes6
}

// SetStats describes the size of a compiled Set.
type SetStats struct {
	Prefixes4, Prefixes6 int // minimal prefixes of each family (see Set.Prefixes)
	Nodes4, Nodes6       int // trie nodes of each family
	Bytes                int // memory held by the trie, in bytes (beyond the IPSet)
}

// Stats returns the sizes of s's compiled trie.
func (s *Set) Stats() SetStats {
	if s == nil {
		return SetStats{}
	}
	st := s.t.Stats()
	return SetStats{
		Prefixes4: st.Prefixes4, Prefixes6: st.Prefixes6,
		Nodes4: st.Nodes4, Nodes6: st.Nodes6,
		Bytes: st.Bytes,
	}
}

// maxStringPrefixes is how many prefixes String lists before it abbreviates.
const maxStringPrefixes = 8

// String returns a short description of s for debugging: its first
// prefixes and its size, like
// "Set{10.0.0.0/8 192.168.0.0/16; 2 prefixes, 34 nodes, 816 bytes}".
func (s *Set) String() string {
	if s == nil {
		return "Set(nil)"
	}
	var b strings.Builder
	b.WriteString("Set{")
	ps := s.Prefixes()
	for i, p := range ps {
		if i == maxStringPrefixes {
			fmt.Fprintf(&b, " …")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
	}
	st := s.Stats()
	if len(ps) > 0 {
		b.WriteString("; ")
	}
	fmt.Fprintf(&b, "%d prefixes, %d nodes, %d bytes}", len(ps), st.Nodes4+st.Nodes6, st.Bytes)
	return b.String()
}
