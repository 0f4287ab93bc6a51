// Package allowlist parses, validates, resolves, compiles and enforces CIDR
// allowlists with the rules of Azure Kubernetes Service's "API server
// authorized IP ranges".
//
// The life of a list has four steps, each with its own type:
//
//	text ──Parse──▶ List ──Resolver.Resolve──▶ *Set ──Holder + Middleware──▶ net/http
//
// # Parsing: text to List
//
// [Parse] reads a range list as a user writes it for
// az aks update --api-server-authorized-ip-ranges and accepts and rejects
// exactly what the az CLI does under the [AKS] policy. An empty (or blank)
// value disables the allowlist ([Disabled]); 0.0.0.0/32 alone allows only
// the cluster's egress addresses ([EgressOnly]). Entries are split on
// commas and trimmed of ASCII spaces and tabs only; a bare address means
// /32. "Global" is decided as the CLI decides it (CPython 3.13's ipaddress
// module), so 10.1.2.3 is refused while 0.0.0.0/0 and 10.0.0.0/7 pass; the
// lint warns about such entries.
//
// Where AKS is vague or lenient, Parse is stricter and says more:
//
//   - Every problem of a list is reported at once, each as an [*EntryError]
//     with its index, text, kind (for [errors.Is]) and a fix:
//     137.117.106.90/29 gets "the range starts at 137.117.106.88/29" rather
//     than the CLI's generic "should be a list of IPv4 addresses or CIDRs".
//   - Netmask and hostmask lengths (/255.255.255.0) and zero-padded lengths
//     (/024), which the CLI passes through, are refused with the exact fix.
//   - Zones, IPv4-mapped and IPv4-compatible IPv6, leading zeros, short and
//     integer IPv4 forms, and non-ASCII bytes are malformed under every
//     policy: nothing is repaired silently.
//   - The 200-entry limit, which only the resource provider enforces, is
//     checked here, counting duplicates.
//   - At most one service tag is allowed, with a strict name grammar that
//     every published tag name matches.
//
// [AKS] is one [Policy]; the zero Policy accepts IPv6 and private ranges,
// any number of entries and no service tags, for general use.
//
// # Resolving: List to the enforced Set
//
// What AKS enforces is not only what the user wrote. A [Resolver] adds the
// expansion of the list's service tag (from a [TagSource], usually a
// *servicetag.Document) and the implicit [Egress] addresses (the load
// balancer's outbound IPs and prefixes, the API server's own IP). Disabled
// resolves to a set that holds every address; EgressOnly to the egress
// alone. Resolve also returns lint [Finding] values, never fatal:
// duplicates, covered entries, non-global or very broad entries, node
// prefixes or extra egress that the list does not cover, and a list close
// to its limit.
//
// [Diff] tells what an update (which in AKS replaces the whole list) gains
// and loses, and [Change.LockedOut] whom it cuts off.
//
// # Compiled sets
//
// A [Set] is immutable and safe for concurrent use. [Set.Contains] answers
// from a compressed prefix trie (package internal/trie) without allocating,
// with the semantics of netipx.IPSet.Contains(a.Unmap()): an IPv4-mapped
// client (::ffff:a.b.c.d) matches IPv4 prefixes, and a zoned IPv6 address
// never matches. [Set.Explain] names the rule that allows an address: a
// listed entry with its index, a service tag with the tag's prefix, or an
// egress address. [Compile] makes a Set from any *netipx.IPSet.
//
// # Enforcing: net/http
//
// [Middleware] wraps an http.Handler in the usual Go shape. Each request's
// client address comes from an ipsource.Extractor (the TCP peer by
// default, which is all AKS sees) and is checked against the Set that a
// [Holder] holds at that moment. [Holder.Store] replaces the Set
// atomically, with no lock on the request path, and each request is decided
// by the one Set it loaded. A refused request gets 403 with the body
// "forbidden\n", which reveals nothing of the list; an extractor error and
// an empty Holder are refusals too. Every [Decision] goes to an optional
// hook ([WithDecisionHook]; [LogDecisions] adapts it to log/slog), and the
// wrapped handler can read it with [DecisionFrom] when the middleware is
// built [WithDecisionInContext]. A [FileWatcher] keeps a Holder in step with
// a file; invalid content or a missing file never reaches the Holder: the
// last good Set stays, and the failure is reported.
package allowlist
