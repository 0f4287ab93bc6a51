package allowlist

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"go4.org/netipx"
)

// Source says where the rule that allowed (or, for FromException, refused)
// an address comes from.
type Source int

const (
	FromSet        Source = iota // a Set compiled from an IPSet alone; Prefix is the set's prefix that holds the address
	FromEntry                    // a listed entry; Index is its position in List.Prefixes
	FromServiceTag               // a service tag; Tag names it and Prefix is the tag's prefix
	FromEgress                   // an implicit egress address or prefix (Egress)
	FromDisabled                 // the list is disabled: every address is allowed
	FromException                // an exception (Resolver.Except) refuses the address; Index is its position in Resolver.Except
)

// String returns "set", "entry", "service tag", "egress", "disabled" or
// "exception".
func (s Source) String() string {
	switch s {
	case FromSet:
		return "set"
	case FromEntry:
		return "entry"
	case FromServiceTag:
		return "service tag"
	case FromEgress:
		return "egress"
	case FromDisabled:
		return "disabled"
	case FromException:
		return "exception"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Rule is the rule that allowed an address or, with Source FromException,
// the exception that refused it.
type Rule struct {
	Source Source
	Index  int          // FromEntry: position in List.Prefixes; FromServiceTag: position in List.ServiceTags; FromException: position in Resolver.Except; otherwise -1
	Prefix netip.Prefix // the prefix that holds the address
	Tag    string       // FromServiceTag: the tag's name
}

// String describes r for logs, for example
//
//	entry 3 203.0.113.0/24
//	service tag AzureCloud 20.33.0.0/16
//	egress 52.170.1.2/32
//	disabled 0.0.0.0/0
//	set 10.0.0.0/8
//	exception 0 203.0.113.64/26
func (r Rule) String() string {
	switch r.Source {
	case FromEntry, FromException:
		return fmt.Sprintf("%s %d %s", r.Source, r.Index, r.Prefix)
	case FromServiceTag:
		return fmt.Sprintf("service tag %s %s", r.Tag, r.Prefix)
	}
	return r.Source.String() + " " + r.Prefix.String()
}

// Explain reports which rule allows a, or false if none does. Like
// Contains, it unmaps an IPv4-mapped a first and never allows a zoned a;
// Explain agrees with Contains for every address.
//
// For a Set from Resolve the rule is the first listed entry that holds a,
// else a service-tag prefix (of the first tag in list order), else an
// egress address or prefix. For a Set from Compile it is FromSet with the
// prefix of s.Prefixes() that holds a.
//
// An address inside one of the Resolver's exceptions (Resolver.Except) is
// refused whatever else holds it: Explain returns false with the first
// exception in Except that holds a, as a Rule with Source FromException.
// For every other refused address the Rule is zero.
//
// Explain costs a binary search over the set's ranges and allocates
// nothing; Contains remains the faster test of membership alone. The
// first call to Explain on a Set builds those ranges (for a Set from
// Resolve, from the rules it was resolved from), so that a reload that
// nobody explains costs only the set.
func (s *Set) Explain(a netip.Addr) (Rule, bool) {
	if s == nil {
		return Rule{}, false
	}
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" {
		return Rule{}, false
	}
	t := s.rules.Load()
	if t == nil {
		t = setRuleTable(s)
		s.rules.Store(t) // racing builders store equal tables
	}
	return t.ready().explain(a)
}

// setRuleTable builds the table of a Set from Compile: one FromSet rule
// per prefix of s.Prefixes(), which are disjoint and sorted.
func setRuleTable(s *Set) *ruleTable {
	ps := s.Prefixes()
	n4, _ := s.c.NumPrefixes()
	t := &ruleTable{rules: make([]Rule, len(ps)), v4: make([]span, 0, n4), v6: make([]span, 0, len(ps)-n4)}
	for i, p := range ps {
		t.rules[i] = Rule{Source: FromSet, Index: -1, Prefix: p}
		sp := span{from: p.Addr(), to: netipx.PrefixLastIP(p), rule: int32(i)}
		if p.Addr().Is4() {
			t.v4 = append(t.v4, sp)
		} else {
			t.v6 = append(t.v6, sp)
		}
	}
	return t
}

// ruleTable annotates the addresses of a resolved Set with the rule that
// wins for them: sorted, disjoint, non-adjacent-when-equal spans per
// family, each naming its winning rule. Exceptions are rules too: they
// come first, so they win wherever they hold an address, and explain
// reports their spans as refused.
type ruleTable struct {
	// src, when not nil, is the resolution that build turns into the
	// table on the first explain.
	src  *resolution
	once sync.Once

	rules  []Rule
	v4, v6 []span
	from4  []uint32  // the first address of each v4 span, as an integer, when index has run
	from6  []uint128 // the same for v6
}

// span is the inclusive address range [from, to], all won by one rule.
type span struct {
	from, to netip.Addr
	rule     int32 // index into ruleTable.rules
}

// explain returns the rule of the span that holds a, and false when there
// is none or when that rule is an exception.
func (t *ruleTable) explain(a netip.Addr) (Rule, bool) {
	var spans []span
	var lo int
	switch {
	case a.Is4() && len(t.from4) == len(t.v4):
		spans, lo = t.v4, search4(t.from4, a.As4())
	case a.Is4():
		spans = t.v4
		lo = searchSpans(spans, a)
	case len(t.from6) == len(t.v6):
		spans, lo = t.v6, search6(t.from6, a.As16())
	default:
		spans = t.v6
		lo = searchSpans(spans, a)
	}
	if lo == 0 || spans[lo-1].to.Less(a) {
		return Rule{}, false
	}
	r := t.rules[spans[lo-1].rule]
	return r, r.Source != FromException
}

// searchSpans returns the number of spans that start at or before a.
func searchSpans(spans []span, a netip.Addr) int {
	lo, hi := 0, len(spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if spans[m].from.Compare(a) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// search4 returns the number of starts at or before the IPv4 address a;
// starts is sorted. Comparing 32-bit integers laid out in one slice costs
// a fraction of comparing the spans' netip.Addr values.
func search4(starts []uint32, a [4]byte) int {
	x := binary.BigEndian.Uint32(a[:])
	lo, hi := 0, len(starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if starts[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// search6 returns the number of starts at or before the IPv6 address a;
// starts is sorted.
func search6(starts []uint128, a [16]byte) int {
	x := uint128From16(a)
	lo, hi := 0, len(starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s := starts[m]; s.hi < x.hi || s.hi == x.hi && s.lo <= x.lo {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// uint128 is an IPv6 address as two integers, for search6.
type uint128 struct{ hi, lo uint64 }

func uint128From16(a [16]byte) uint128 {
	return uint128{binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])}
}

// index fills t.from4 and t.from6, the search keys of t.v4 and t.v6.
func (t *ruleTable) index() {
	t.from4 = make([]uint32, len(t.v4))
	for i, sp := range t.v4 {
		b := sp.from.As4()
		t.from4[i] = binary.BigEndian.Uint32(b[:])
	}
	t.from6 = make([]uint128, len(t.v6))
	for i, sp := range t.v6 {
		t.from6[i] = uint128From16(sp.from.As16())
	}
}

// ready builds t from its resolution, once.
func (t *ruleTable) ready() *ruleTable {
	if t.src != nil {
		t.once.Do(func() { t.fill(t.src.rules()) })
	}
	return t
}

// fill builds the table of rules, given in priority order (where several
// rules hold an address, the one with the lowest index wins), into t.
func (t *ruleTable) fill(rules []Rule) {
	t.rules = rules
	var v4, v6 []int32
	for i, r := range rules {
		if r.Prefix.Addr().Is4() {
			v4 = append(v4, int32(i))
		} else {
			v6 = append(v6, int32(i))
		}
	}
	t.v4 = sweep(rules, v4)
	t.v6 = sweep(rules, v6)
	t.index()
}

// event is where a rule starts holding addresses (start) or stops (at is
// the first address after its prefix). A prefix that runs to the family's
// last address has no stop event.
type event struct {
	at    netip.Addr
	rule  int32
	start bool
}

// sweep computes the winning rule along the address line of one family:
// walking the events in address order with a min-heap of the rules that
// hold the current position (removed ones are dropped lazily), the heap's
// top wins each segment between consecutive event addresses.
func sweep(rules []Rule, ids []int32) []span {
	if len(ids) == 0 {
		return nil
	}
	events := make([]event, 0, 2*len(ids))
	for _, id := range ids {
		p := rules[id].Prefix
		events = append(events, event{at: p.Addr(), rule: id, start: true})
		if next := netipx.PrefixLastIP(p).Next(); next.IsValid() {
			events = append(events, event{at: next, rule: id})
		}
	}
	slices.SortFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
	last := netip.AddrFrom4([4]byte{255, 255, 255, 255})
	if rules[ids[0]].Prefix.Addr().Is6() {
		last = netip.AddrFrom16([16]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff,
			8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff})
	}

	active := make([]bool, len(rules))
	var h heap
	var spans []span
	for i := 0; i < len(events); {
		at := events[i].at
		for ; i < len(events) && events[i].at == at; i++ {
			e := events[i]
			active[e.rule] = e.start
			if e.start {
				h.push(e.rule)
			}
		}
		for len(h) > 0 && !active[h[0]] {
			h.pop()
		}
		if len(h) == 0 {
			continue
		}
		to := last
		if i < len(events) {
			to = events[i].at.Prev()
		}
		w := h[0]
		if n := len(spans); n > 0 && spans[n-1].rule == w && spans[n-1].to.Next() == at {
			spans[n-1].to = to
		} else {
			spans = append(spans, span{from: at, to: to, rule: w})
		}
	}
	return slices.Clip(spans)
}

// heap is a binary min-heap of rule indexes.
type heap []int32

func (h *heap) push(x int32) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p] <= s[i] {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *heap) pop() {
	s := *h
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1] < s[c] {
			c++
		}
		if s[i] <= s[c] {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
}
