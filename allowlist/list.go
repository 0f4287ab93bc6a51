package allowlist

import "net/netip"

// Policy holds the rule switches that Parse and ParseLines apply to a
// range list. The zero Policy is the general policy: it accepts any number
// of IPv4 and IPv6 entries, global or not, trims only ASCII spaces and
// tabs around entries, and rejects service-tag names. Policies for other
// uses are built from the same switches; for AKS with API Server VNet
// Integration, copy AKS and set MaxEntries to 2000.
type Policy struct {
	MaxEntries     int  // 0: no limit
	MaxServiceTags int  // 0: service-tag entries are rejected as malformed
	IPv4Only       bool // reject IPv6 entries
	RequireGlobal  bool // reject entries that lie wholly inside non-global space

	// TrimUnicodeSpace trims around each entry every character that the
	// az CLI trims, which is what Python's str.strip() removes: ASCII
	// space, \t, \n, \v, \f, \r, the separators \x1c to \x1f, U+0085,
	// U+00A0, U+1680, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F and
	// U+3000. It does not trim U+200B (zero width space), the byte order
	// mark U+FEFF or NUL, which the CLI keeps too. Each entry that lost
	// more than spaces and tabs is recorded as a LintTrimmed finding,
	// naming the characters, because other tools may read them otherwise.
	// Without TrimUnicodeSpace only ASCII spaces and tabs are trimmed, and
	// any other such character makes the entry malformed.
	TrimUnicodeSpace bool

	// ProviderTags widens the service-tag grammar to the names of other
	// providers' published ranges: after the first part (a capital ASCII
	// letter, then letters and digits) come any number of parts, each a
	// dot followed by an ASCII letter or digit and then letters, digits,
	// '-' and '_': AWS.EC2.us-east-1, GitHub.actions_macos,
	// GoogleCloud.us-central1, Oracle.OBJECT_STORAGE, Cloudflare. Without
	// it a tag name has Azure's shape: at most one dot, and letters and
	// digits only (see Parse).
	ProviderTags bool
}

// AKS is the policy of Azure Kubernetes Service's API server authorized IP
// ranges: at most 200 entries, at most one service tag with Azure's name
// grammar, IPv4 only, global addresses only, where "global" is decided as
// the az CLI decides it (CPython 3.13's ipaddress; see Parse), and the
// characters around each entry trimmed as the az CLI trims them.
var AKS = Policy{MaxEntries: 200, MaxServiceTags: 1, IPv4Only: true, RequireGlobal: true, TrimUnicodeSpace: true}

// Providers is a policy for services that admit the published ranges of
// several providers by tag, such as "Cloudflare,GitHub.hooks,AzureFrontDoor.Backend"
// beside their own ranges: IPv4 and IPv6, global or not, any number of
// entries, up to 16 service tags, with the wider tag grammar of
// ProviderTags. Spaces and tabs alone are trimmed. Copy it and change a
// field to adapt it.
var Providers = Policy{MaxServiceTags: 16, ProviderTags: true}

// Mode says how a List restricts access.
type Mode int

const (
	Restricted Mode = iota // only listed ranges, tags and implicit egress
	Disabled               // "": everything is allowed
	EgressOnly             // "0.0.0.0/32": only the implicit egress addresses
)

// List is a parsed range list. Build it with Parse or ParseLines; String
// prints it back.
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

	// notes are what parsing noticed without refusing the list (the
	// characters that TrimUnicodeSpace trimmed), for the lint.
	notes []Finding
}

// parseNotes returns the findings that parsing recorded about l, in
// entry order; the lint reports them before its own.
func (l List) parseNotes() []Finding { return l.notes }
