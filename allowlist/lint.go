package allowlist

import (
	"cmp"
	"fmt"
	"github.com/ipallow/ipallow/internal/ipx"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"
)

// LintKind is the kind of a Finding.
type LintKind int

// The kinds of Finding that Resolver.Lint reports.
const (
	// LintDuplicate: an entry equal to an earlier one (entries are
	// canonical, so 1.2.3.4 and 1.2.3.4/32 are equal). It wastes one of
	// the policy's entries.
	LintDuplicate LintKind = iota + 1

	// LintCovered: an entry that lies inside another, broader entry of the
	// list. Only entries are compared with entries: a service tag's
	// contents change every week and the egress is the platform's, so an
	// entry that they happen to cover today is kept deliberately.
	LintCovered

	// LintNonGlobal: an entry that overlaps non-global space (private,
	// loopback, link-local, documentation and the other blocks of
	// Policy.RequireGlobal, which are CPython 3.13's), including
	// global supernets such as 0.0.0.0/0 and 10.0.0.0/7 that pass the
	// policy's RequireGlobal test but still cover private space.
	LintNonGlobal

	// LintBroad: a very broad entry: /0, or shorter than /8 for IPv4
	// (more than 16,777,216 addresses) or shorter than /16 for IPv6.
	LintBroad

	// LintUncovered: a node public IP prefix (Resolver.NodePrefixes) or an
	// egress the platform does not add (Resolver.ExtraEgress) that the
	// resolved set does not wholly allow: those nodes would lose the API
	// server.
	LintUncovered

	// LintNoEgress: an EgressOnly list (0.0.0.0/32) resolved without any
	// egress: the set is empty and denies everyone.
	LintNoEgress

	// LintNearLimit: the list uses at least 90% of Policy.MaxEntries.
	LintNearLimit

	// LintIdleException: an exception (Resolver.Except) that shares no
	// address with what the list, its service tags and the egress allow,
	// so it refuses nothing: a typo, or a range that left the list.
	LintIdleException

	// LintTrimmed: an entry written with invisible characters around it
	// other than spaces and tabs (a line feed, U+00A0), which
	// Policy.TrimUnicodeSpace trimmed as the az CLI does. The message names
	// them; other tools may read the entry otherwise.
	LintTrimmed
)

// Broad-entry thresholds of LintBroad: entries with fewer prefix bits are broad.
const (
	broadBits4 = 8
	broadBits6 = 16
)

// String returns the kind's name, such as "duplicate".
func (k LintKind) String() string {
	switch k {
	case LintDuplicate:
		return "duplicate"
	case LintCovered:
		return "covered"
	case LintNonGlobal:
		return "non-global"
	case LintBroad:
		return "broad"
	case LintUncovered:
		return "uncovered"
	case LintNoEgress:
		return "no egress"
	case LintNearLimit:
		return "near limit"
	case LintIdleException:
		return "idle exception"
	case LintTrimmed:
		return "trimmed"
	}
	return fmt.Sprintf("LintKind(%d)", int(k))
}

// Finding is one lint warning about a list. Findings never make a list
// invalid; each says what to do about it.
type Finding struct {
	Kind LintKind

	// Index is the entry's position in List.Prefixes (service tags are not
	// counted), or -1 when the finding is not about one entry.
	Index int

	// Entry is the prefix concerned: the entry, or the node or egress
	// prefix for LintUncovered; empty for list-wide findings.
	Entry string

	// Message says what is wrong and what to do.
	Message string
}

// String returns `entry INDEX "ENTRY": MESSAGE`, `"ENTRY": MESSAGE` or
// just the message, depending on what the finding concerns.
func (f Finding) String() string {
	switch {
	case f.Index >= 0:
		return fmt.Sprintf("entry %d %q: %s", f.Index, f.Entry, f.Message)
	case f.Entry != "":
		return fmt.Sprintf("%q: %s", f.Entry, f.Message)
	}
	return f.Message
}

// lint returns the findings about l, whose resolved set is ips, and granted
// before the exceptions were removed; egress says whether any egress was
// given. Entry findings come first, in entry order, then the findings
// about the whole list.
func (r Resolver) lint(l List, ips, granted *netipx.IPSet, egress bool) []Finding {
	var fs []Finding
	if l.Mode == Restricted {
		fs = lintEntries(l.Prefixes)
	}
	if l.Mode == EgressOnly && !egress {
		fs = append(fs, Finding{Kind: LintNoEgress, Index: -1,
			Message: "the list is 0.0.0.0/32 (only the cluster's egress) but no egress was given, so it denies everyone; " +
				"give the cluster's load balancer outbound IPs or prefixes as egress"})
	}
	fs = append(fs, uncovered(ips, r.NodePrefixes, "node public IP prefix",
		"nodes with these addresses would lose the API server")...)
	fs = append(fs, uncovered(ips, r.ExtraEgress, "egress",
		"the cluster's traffic from these addresses (AKS does not add them by itself) would lose the API server")...)
	if max, n := l.Policy.MaxEntries, len(l.Prefixes)+len(l.ServiceTags); l.Mode == Restricted && max > 0 && 10*n >= 9*max {
		msg := fmt.Sprintf("the list has %d entries of the %d allowed", n, max)
		if merged := mergedCount(l.Prefixes); merged < len(l.Prefixes) {
			msg += fmt.Sprintf("; its prefixes fit in %d after merging duplicates, covered and adjacent ranges: merge them before adding more, and Fit merges further with the fewest extra addresses", merged)
		} else {
			msg += "; plan for the limit: use a service tag or broader ranges you own, Fit (merges ranges into fewer entries with the fewest extra addresses), or API Server VNet Integration (2,000 entries)"
		}
		fs = append(fs, Finding{Kind: LintNearLimit, Index: -1, Message: msg})
	}
	for i, x := range r.Except {
		if ipx.CheckPrefix(x) == ipx.OK && !granted.OverlapsPrefix(x) {
			fs = append(fs, Finding{Kind: LintIdleException, Index: -1, Entry: x.String(),
				Message: fmt.Sprintf("exception %d %s lies outside everything the list, its service tags and the egress allow, so it refuses nothing; remove it, or correct it to the range you mean to refuse", i, x)})
		}
	}
	return fs
}

// lintEntries checks each entry alone and against the others.
func lintEntries(ps []netip.Prefix) []Finding {
	var fs []Finding
	// Sort the entries by first address, broader first, then by index:
	// every prefix that contains an entry comes before it, and of equal
	// entries the first listed comes first. A stack of the enclosing
	// entries then finds duplicates and covering entries in one pass.
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := ps[i], ps[j]
		return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()), cmp.Compare(i, j))
	})
	var stack []int
	for _, i := range order {
		p := ps[i]
		for len(stack) > 0 && !ps[stack[len(stack)-1]].Contains(p.Addr()) {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			outer := stack[0] // the broadest enclosing entry
			if top := stack[len(stack)-1]; ps[top] == p {
				fs = append(fs, Finding{Kind: LintDuplicate, Index: i, Entry: p.String(),
					Message: fmt.Sprintf("duplicate of entry %d; remove it", top)})
				continue // not pushed: the first of equal entries stands for them
			}
			fs = append(fs, Finding{Kind: LintCovered, Index: i, Entry: p.String(),
				Message: fmt.Sprintf("covered by entry %d %q, which allows all of it; remove it (or narrow the other entry)", outer, ps[outer])})
		}
		stack = append(stack, i)
	}

	for i, p := range ps {
		broad := broadBits4
		if p.Addr().Is6() {
			broad = broadBits6
		}
		if p.Bits() == 0 {
			fs = append(fs, Finding{Kind: LintBroad, Index: i, Entry: p.String(),
				Message: fmt.Sprintf("allows every %s address; to allow everyone disable the list (\"\"), otherwise list the ranges you mean", ipx.Family(p.Addr()))})
		} else if p.Bits() < broad {
			fs = append(fs, Finding{Kind: LintBroad, Index: i, Entry: p.String(),
				Message: fmt.Sprintf("is very broad (shorter than /%d); list the narrower ranges you mean", broad)})
		}
		if overlapsNonGlobal(p) {
			fs = append(fs, Finding{Kind: LintNonGlobal, Index: i, Entry: p.String(), Message: nonGlobalMessage(p)})
		}
	}
	slices.SortStableFunc(fs, func(a, b Finding) int { return cmp.Compare(a.Index, b.Index) })
	return fs
}

// nonGlobalMessage names the non-global blocks that p overlaps.
func nonGlobalMessage(p netip.Prefix) string {
	if b, ok := nonGlobal(p); ok {
		return fmt.Sprintf("lies in %s %s, which clients on the internet never come from; remove it unless the server is reached over a private network", b.name, b.prefix)
	}
	var names []string
	var one nonGlobalBlock
	for _, b := range nonGlobalBlocks {
		if b.prefix.Overlaps(p) && !slices.ContainsFunc(b.exceptions, func(x netip.Prefix) bool { return x.Contains(p.Addr()) && x.Bits() <= p.Bits() }) {
			names = append(names, b.prefix.String())
			one = b
		}
	}
	if len(names) == 1 {
		return fmt.Sprintf("covers %s %s as well as public addresses; list only the public ranges you mean", one.name, one.prefix)
	}
	const show = 4
	list := strings.Join(names[:min(len(names), show)], ", ")
	if len(names) > show {
		list += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return fmt.Sprintf("covers non-global space (%s) as well as public addresses; list only the public ranges you mean", list)
}

// uncovered reports each of ps that ips does not wholly allow.
func uncovered(ips *netipx.IPSet, ps []netip.Prefix, what, consequence string) []Finding {
	var fs []Finding
	for _, p := range ps {
		if ips.ContainsPrefix(p) {
			continue
		}
		var b netipx.IPSetBuilder
		b.AddPrefix(p)
		b.RemoveSet(ips)
		missing, _ := b.IPSet()
		ms := missing.Prefixes()
		var parts []string
		for _, m := range ms[:min(len(ms), 4)] {
			parts = append(parts, m.String())
		}
		if len(ms) > 4 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ms)-4))
		}
		fs = append(fs, Finding{Kind: LintUncovered, Index: -1, Entry: p.String(),
			Message: fmt.Sprintf("%s %s is not allowed (missing: %s); %s: add %s to the list", what, p, strings.Join(parts, ", "), consequence, p)})
	}
	return fs
}

// mergedCount is the number of minimal prefixes that hold exactly the
// addresses of ps.
func mergedCount(ps []netip.Prefix) int {
	var b netipx.IPSetBuilder
	for _, p := range ps {
		b.AddPrefix(p)
	}
	s, _ := b.IPSet()
	return len(s.Prefixes())
}
