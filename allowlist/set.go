package allowlist

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/ipallow/ipallow/internal/trie"
	"go4.org/netipx"
)

// Set is an immutable compiled set of IP addresses, built for fast
// membership tests. It is safe for concurrent use.
//
// A Set keeps its addresses once, as sorted disjoint ranges, and answers
// Contains with a branch-free search of them (through a small index of
// the address's leading bits) or, for a large set whose ranges cluster
// too tightly for that index (as cloud service tags do), with a
// compressed trie built from them. Its memory and build time grow with
// what it holds: a set of 10 prefixes takes a few hundred bytes.
// [Set.Prefixes] and [Set.IPSet] are derived from the ranges when called.
//
// The zero Set and a nil *Set are the empty set: they contain no address,
// and every method treats them as empty (fail closed).
type Set struct {
	c     trie.Set                  // the ranges and what answers Contains
	rules atomic.Pointer[ruleTable] // rule information for Explain: stored by Resolve, or built by the first Explain (rule.go)
}

// Compile compiles s into a Set. A nil s compiles to the empty Set.
// Compile reads s and does not keep a reference to it.
func Compile(s *netipx.IPSet) *Set {
	if s == nil {
		return new(Set)
	}
	return &Set{c: trie.FromRanges(s.Ranges())}
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
	return s.c.Contains(a)
}

// IPSet returns the set as a new *netipx.IPSet, built from s's ranges on
// each call (s does not keep one). It returns an empty IPSet for a nil s.
func (s *Set) IPSet() *netipx.IPSet {
	var b netipx.IPSetBuilder
	if s != nil {
		s.c.Ranges(func(from, to netip.Addr) bool {
			b.AddRange(netipx.IPRangeFrom(from, to))
			return true
		})
	}
	ips, _ := b.IPSet() // errors only on invalid ranges, which a Set cannot hold
	return ips
}

// Prefixes returns the minimal sorted list of prefixes that covers exactly
// the addresses of s, IPv4 before IPv6 (as netipx.IPSet.Prefixes does).
// It returns a new slice on each call.
func (s *Set) Prefixes() []netip.Prefix {
	ps := make([]netip.Prefix, 0, s.NumPrefixes())
	if s == nil {
		return ps
	}
	return s.c.AppendPrefixes(ps)
}

// NumPrefixes returns the number of prefixes Prefixes would return.
func (s *Set) NumPrefixes() int {
	if s == nil {
		return 0
	}
	n4, n6 := s.c.NumPrefixes()
	return n4 + n6
}

// SetStats describes the size of a compiled Set.
type SetStats struct {
	Prefixes4, Prefixes6 int // minimal prefixes of each family (see Set.Prefixes)
	Nodes4, Nodes6       int // trie nodes of each family (0 for a set small enough to search its ranges)
	Bytes                int // memory held by the Set: the Set itself, its ranges and its index or trie
}

// setBytes is the size of a Set.
var setBytes = int(reflect.TypeFor[Set]().Size())

// Stats returns the sizes of s. Bytes leaves out what Explain builds on
// its first call for a Set from Compile.
func (s *Set) Stats() SetStats {
	if s == nil {
		return SetStats{}
	}
	st := s.c.Stats()
	return SetStats{
		Prefixes4: st.Prefixes4, Prefixes6: st.Prefixes6,
		Nodes4: st.Nodes4, Nodes6: st.Nodes6,
		Bytes: setBytes + st.Bytes,
	}
}

// maxStringPrefixes is how many prefixes String lists before it abbreviates.
const maxStringPrefixes = 8

// String returns a short description of s for debugging: its first
// prefixes and its size, like
// "Set{10.0.0.0/8 192.168.0.0/16; 2 prefixes, 0 nodes, 96 bytes}".
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
