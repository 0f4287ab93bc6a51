package allowlist

import "net/netip"

// Policy holds the rule switches that Parse applies to a range list.
// The zero Policy accepts any number of IPv4 and IPv6 entries, global or
// not, and rejects service-tag names.
type Policy struct {
	MaxEntries     int  // 0: no limit
	MaxServiceTags int  // 0: service-tag entries are rejected as malformed
	IPv4Only       bool // reject IPv6 entries
	RequireGlobal  bool // reject entries that lie wholly inside non-global space
}

// AKS is the policy of Azure Kubernetes Service's API server authorized IP
// ranges: at most 200 entries, at most one service tag, IPv4 only, global
// addresses only.
var AKS = Policy{MaxEntries: 200, MaxServiceTags: 1, IPv4Only: true, RequireGlobal: true}

// Mode says how a List restricts access.
type Mode int

const (
	Restricted Mode = iota // only listed ranges, tags and implicit egress
	Disabled               // "": everything is allowed
	EgressOnly             // "0.0.0.0/32": only the implicit egress addresses
)

// List is a parsed range list.
type List struct {
	Mode        Mode
	Prefixes    []netip.Prefix // canonical, in input order, duplicates kept
	ServiceTags []string
}
