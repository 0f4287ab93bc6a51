// Package allowlist parses, validates, resolves and compiles CIDR
// allowlists with the rules of Azure Kubernetes Service's "API server
// authorized IP ranges", and answers questions about them: which rule
// allows an address, what an update gains and loses, how to fit a list
// into a limit.
//
// The package is pure: it reads text and netip values and returns values,
// with no I/O, clock or net/http, so a CLI, an admission webhook or a
// controller can use it as it is. Package allowlist/guard runs its Sets in
// a server.
//
// The life of a list has three steps here, each with its own type, and a
// fourth in guard:
//
//	text ──Parse──▶ List ──Resolver.Resolve──▶ *Set ──guard.Holder + guard.Middleware──▶ net/http
//
// # Parsing: text to List
//
// [Parse] reads a range list as a user writes it for
// az aks update --api-server-authorized-ip-ranges, and [ParseLines] reads
// the same entries from a file: one or several a line, with # comments,
// blank lines, CRLF and a byte order mark. An empty (or blank) value
// disables the allowlist ([Disabled]); a file without entries never does,
// it is an error ([ErrNoEntries]). 0.0.0.0/32 alone allows only the
// cluster's egress addresses ([EgressOnly]). Entries are split on commas
// and trimmed, under the [AKS] policy of what the az CLI trims (Python's
// str.strip(), which takes line feeds and U+00A0 as well as spaces), under
// other policies of ASCII spaces and tabs only. A bare address means /32.
// "Global" is decided as the CLI decides it (CPython 3.13's ipaddress
// module), so 10.1.2.3 is refused while 0.0.0.0/0 and 10.0.0.0/7 pass; the
// lint warns about such entries.
//
// Every problem of a list is reported at once, each as an [*EntryError]
// with its index (and, from a file, line and column), text, kind (for
// [errors.Is]) and a fix that the policy accepts: 137.117.106.90/29 gets
// "the range starts at 137.117.106.88/29" rather than the CLI's generic
// "should be a list of IPv4 addresses or CIDRs", and 203.0.113.77/24 is
// told that both its range and its address are documentation space,
// in one round. Pasting mistakes (quotes, a JSON array from az aks show,
// semicolons or line breaks between entries, an unexpanded $VARIABLE, a
// tag name in lower case) have messages of their own. Errors are bounded:
// a [ListError] lists at most 100 problems and counts the rest, so a
// hostile file of commas costs no more than its own size.
//
// # Parse and the az CLI
//
// Under [AKS], Parse accepts an entry exactly when the GA az CLI's
// validator accepts it, trimming and all, with these exceptions:
//
//   - Netmask and hostmask lengths (/255.255.255.0, /0.0.0.255) and
//     zero-padded lengths (/024), which the CLI's Python parser accepts
//     and passes on as written, are refused with the exact fix: other
//     parsers read them differently, and the service's reading is not
//     documented.
//   - More than 200 entries, duplicates included, are refused; the CLI
//     does not count them, and the service refuses them later.
//   - One service tag is accepted beside ranges, as the service accepts it
//     from the aks-preview extension; the GA CLI refuses every tag. A
//     second tag is refused: the service allows one, and no client checks.
//   - A value of invisible characters only (a line feed) is refused; the
//     CLI sends it on as one empty range, with an outcome the service does
//     not document. A value of ASCII spaces and tabs only disables the
//     list, as the empty value does.
//   - "Global" follows CPython 3.13; an az CLI running on an older Python
//     (3.11 lists 192.0.0.0/29, not /24) accepts 192.0.0.8 to 192.0.0.255
//     apart from 192.0.0.170/31.
//
// The aks-preview extension runs the same checks but ignores every parse
// failure: it passes on to the service any text it cannot parse (a
// misspelt tag, "193.168.0") and any range with host bits set, unchecked,
// so that private and IPv6 ranges reach the service too when written with
// host bits. That is a defect of the extension, and Parse does not copy
// it.
//
// Under every policy, zones, IPv4-mapped and IPv4-compatible IPv6,
// leading zeros, short and integer IPv4 forms, and non-ASCII bytes other
// than the trimmed ones are malformed: nothing is repaired silently. [AKS]
// is one [Policy]; the zero Policy accepts IPv6 and private ranges, any
// number of entries and no service tags, for general use, and [Providers]
// adds several tags with the names of other providers' feeds
// (AWS.EC2.us-east-1, GitHub.hooks, Cloudflare).
//
// # Resolving: List to the enforced Set
//
// What AKS enforces is not only what the user wrote. A [Resolver] adds the
// expansion of the list's service tags (from a [TagSource]: a
// *servicetag.Document or *servicetag.Loader, a [TagMap], any store that
// speaks names and netip prefixes) and the implicit [Egress] addresses
// (the load balancer's outbound IPs and prefixes, the API server's own IP),
// and removes its exceptions ([Resolver.Except], as Kubernetes
// NetworkPolicy's ipBlock.except: prefixes that stay refused inside
// everything allowed). Disabled resolves to a set that holds every address;
// EgressOnly to the egress alone.
//
// [Resolver.Resolve] makes the Set; [Resolver.Lint] returns the [Finding]
// values about the list, never fatal, where someone reads them:
// invisible characters that Parse trimmed, duplicates, covered entries,
// non-global or very broad entries, node prefixes or extra egress that the
// list does not cover, exceptions that refuse nothing, and a list close to
// its limit. The policy comes from the List, which records the one it was
// parsed with.
//
// [Diff] tells what an update (which in AKS replaces the whole list) gains
// and loses, and [Change.LockedOut] whom it cuts off.
//
// # Fitting into the limit
//
// A list over its limit (AKS allows 200 entries; GitHub Actions alone
// publishes over 5,000 ranges) can be merged into fewer, broader prefixes
// at the cost of letting in addresses outside it. [Fit] finds the exact
// optimum: at most max prefixes that cover the set and add the fewest
// addresses, and [FitAdded] says exactly which ranges they add. [ErrNoFit]
// reports a limit no cover meets.
//
// # Compiled sets
//
// A [Set] is immutable and safe for concurrent use; the zero Set and a nil
// *Set are empty. It keeps its merged ranges once, compactly, and
// [Set.Contains] answers without allocating, from a branch-free search of
// those ranges (or, for large clustered sets such as service tags, a
// compressed prefix trie), so that memory and build time grow with the
// content and thousands of small tenant lists cost what they hold.
// Contains has the semantics of netipx.IPSet.Contains(a.Unmap()): an
// IPv4-mapped client (::ffff:a.b.c.d) matches IPv4 prefixes, and a zoned
// IPv6 address never matches. [Set.Explain] names the rule that
// allows an address (a listed entry with its index, a service tag with the
// tag's prefix, or an egress address) or the exception that refuses it.
// [Compile] makes a Set from any *netipx.IPSet, and [CompilePrefixes] from
// a slice of prefixes.
package allowlist
