package allowlist

import "net/netip"

// Source says where the rule that allowed an address comes from.
type Source int

const (
	FromSet        Source = iota // a Set compiled from an IPSet alone; Prefix is the set's prefix that holds the address
	FromEntry                    // a listed entry; Index is its position in List.Prefixes
	FromServiceTag               // a service tag; Tag names it and Prefix is the tag's prefix
	FromEgress                   // an implicit egress address or prefix
	FromDisabled                 // the list is disabled: every address is allowed
)

// Rule is the rule that allowed an address.
type Rule struct {
	Source Source
	Index  int          // with FromEntry: the entry's position in List.Prefixes
	Prefix netip.Prefix // the prefix that holds the address
	Tag    string       // with FromServiceTag: the tag's name
}

// Explain reports which rule allows a, or false if none does.
// Explain agrees with Contains for every address.
func (s *Set) Explain(a netip.Addr) (Rule, bool) {
	// Placeholder until sets carry rule information: report only membership.
	if !s.Contains(a) {
		return Rule{}, false
	}
	return Rule{Source: FromSet}, true
}
