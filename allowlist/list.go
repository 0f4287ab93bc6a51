package allowlist

import "net/netip"

// Policy holds the rule switches that Parse applies to a range list.
// The zero Policy is the general policy: it accepts any number of IPv4 and
// IPv6 entries, global or not, and rejects service-tag names. Policies for
// other uses are built from the same switches; for AKS with API Server
// VNet Integration, copy AKS and set MaxEntries to 2000.
type Policy struct {
	MaxEntries     int  // 0: no limit
	MaxServiceTags int  // 0: service-tag entries are rejected as malformed
	IPv4Only       bool // reject IPv6 entries
	RequireGlobal  bool // reject entries that lie wholly inside non-global space
}

// AKS is the policy of Azure Kubernetes Service's API server authorized IP
// ranges: at most 200 entries, at most one service tag, IPv4 only, global
// addresses only, where "global" is decided as the az CLI decides it
// (CPython 3.13's ipaddress; see Parse).
var AKS = Policy{MaxEntries: 200, MaxServiceTags: 1, IPv4Only: true, RequireGlobal: true}

// Mode says how a List restricts access.
type Mode int

const (
	Restricted Mode = iota // only listed ranges, tags and implicit egress
	Disabled               // "": everything is allowed
	EgressOnly             // "0.0.0.0/32": only the implicit egress addresses
)

// List is a parsed range list. Build it with Parse; String prints it back.
//
// Prefixes are canonical (no host bits; a bare address becomes /32 or
// /128), in input order, with duplicates kept; nil when there are none.
// ServiceTags are kept as written, case and all (tag lookups elsewhere
// ignore case); nil when there are none. Disabled and EgressOnly lists
// have no entries.
//
// The zero List is Restricted with no entries: it allows nothing. Parse
// never returns it without an error, and its String form, "<empty>", is
// rejected by Parse, so it cannot turn into a Disabled list on a round
// trip through text.
type List struct {
	Mode        Mode
	Prefixes    []netip.Prefix // canonical, in input order, duplicates kept
	ServiceTags []string

	// Policy is the policy the list was parsed with. Parse sets it, and
	// the lint (Resolver.Lint) reads its limits from it, so a policy is
	// stated once. The zero Policy is the general one.
	Policy Policy
}
