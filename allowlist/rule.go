package allowlist

import (
	"fmt"
	"net/netip"
	"slices"

	"go4.org/netipx"
)

// Source says where the rule that allowed an address comes from.
type Source int

const (
	FromSet        Source = iota // a Set compiled from an IPSet alone; Prefix is the set's prefix that holds the address
	FromEntry                    // a listed entry; Index is its position in List.Prefixes
	FromServiceTag               // a service tag; Tag names it and Prefix is the tag's prefix
	FromEgress                   // an implicit egress address or prefix (Egress)
	FromDisabled                 // the list is disabled: every address is allowed
)

// String returns "set", "entry", "service tag", "egress" or "disabled".
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
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Rule is the rule that allowed an address.
type Rule struct {
	Source Source
	Index  int          // FromEntry: position in List.Prefixes; FromServiceTag: position in List.ServiceTags; otherwise -1
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
func (r Rule) String() string {
	switch r.Source {
	case FromEntry:
		return fmt.Sprintf("entry %d %s", r.Index, r.Prefix)
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
// Explain costs a binary search over the set's ranges and allocates
// nothing; Contains remains the faster test of membership alone. Resolve
// builds the ranges up front; for a Set from Compile the first call to
// Explain builds them.
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
	return t.explain(a)
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
// family, each naming its winning rule.
type ruleTable struct {
	rules  []Rule
	v4, v6 []span
}

// span is the inclusive address range [from, to], all won by one rule.
type span struct {
	from, to netip.Addr
	rule     int32 // index into ruleTable.rules
}

func (t *ruleTable) explain(a netip.Addr) (Rule, bool) {
	spans := t.v4
	if a.Is6() {
		spans = t.v6
	}
	// Find the last span that starts at or before a.
	lo, hi := 0, len(spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if spans[m].from.Compare(a) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 || spans[lo-1].to.Less(a) {
		return Rule{}, false
	}
	return t.rules[spans[lo-1].rule], true
}

// newRuleTable builds the table for rules given in priority order: where
// several rules hold an address, the one with the lowest index wins.
func newRuleTable(rules []Rule) *ruleTable {
	t := &ruleTable{rules: rules}
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
	return t
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
