package allowlist

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ipallow/ipallow/internal/ipx"
	"github.com/ipallow/ipallow/internal/tagerr"
	"go4.org/netipx"
)

// Errors that Resolve returns. Test for them with errors.Is; the message
// names the offending value and where it came from.
var (
	// ErrInvalidEgress: an address or prefix given to a Resolver (in
	// Egress, NodePrefixes or ExtraEgress) is invalid, zoned, IPv4-mapped
	// or, for a prefix, written with host bits set.
	ErrInvalidEgress = errors.New("allowlist: invalid egress address or prefix")

	// ErrInvalidList: the List holds something that Parse never produces:
	// an invalid, IPv4-mapped or non-canonical prefix, an unknown Mode, or
	// entries in a Disabled or EgressOnly list.
	ErrInvalidList = errors.New("allowlist: invalid list")

	// ErrInvalidException: a prefix in Resolver.Except is invalid,
	// IPv4-mapped or written with host bits set.
	ErrInvalidException = errors.New("allowlist: invalid exception prefix")

	// ErrNoTagSource: the List names a service tag but the Resolver has
	// no Tags to expand it from.
	ErrNoTagSource = errors.New("allowlist: no service-tag source")

	// ErrUnknownTag: a TagSource does not know a tag the List names. Every
	// source of this module matches it (a servicetag.Document's error also
	// carries "did you mean" suggestions); other sources should wrap it.
	ErrUnknownTag = tagerr.ErrUnknownTag
)

// TagSource expands service-tag names into their prefixes. It speaks only
// strings and netip types, so any store of tags can implement it: a
// *servicetag.Document or *servicetag.Loader (a provider's published
// ranges), a TagMap, a database.
type TagSource interface {
	// LookupTag returns the prefixes of the named tag and the tag's name
	// as the source spells it (lookups may ignore case). Prefixes must be
	// canonical and not IPv4-mapped, and must not change afterwards: a Set
	// that Resolve made keeps the slice, for Explain. For a name it does
	// not know, LookupTag returns an error that matches ErrUnknownTag.
	LookupTag(name string) (canonical string, prefixes []netip.Prefix, err error)
}

// TagMap is a TagSource held in a map from tag name to prefixes: for tests,
// and for tags kept in a configuration or a database. Names are matched
// ignoring case; the map must not hold two names that differ only in case.
type TagMap map[string][]netip.Prefix

// LookupTag returns the prefixes of the tag whose name equals name ignoring
// case, with the map's spelling of the name. An unknown name gives an error
// matching ErrUnknownTag.
func (m TagMap) LookupTag(name string) (string, []netip.Prefix, error) {
	if ps, ok := m[name]; ok {
		return name, ps, nil
	}
	for k, ps := range m {
		if strings.EqualFold(k, name) {
			return k, ps, nil
		}
	}
	return "", nil, fmt.Errorf("%w %q; the tags known are the keys of the TagMap", ErrUnknownTag, name)
}

// Egress holds the addresses that AKS allows implicitly, in addition to
// the list: the cluster's own outbound addresses (the Standard load
// balancer's outbound IPs and prefixes) and the API server's public IP.
// They are all that an EgressOnly list (0.0.0.0/32) allows.
//
// Egress that AKS does not add by itself (a firewall, NAT gateway or
// user-defined route, and node public IP prefixes) belongs in
// Resolver.ExtraEgress and Resolver.NodePrefixes instead, so that the lint
// can tell when the list forgets it.
type Egress struct {
	OutboundIPs      []netip.Addr   // the Standard load balancer's outbound public IPs
	OutboundPrefixes []netip.Prefix // the load balancer's outbound public IP prefixes
	APIServer        netip.Addr     // the API server's own public IP; the zero Addr if none
}

// Resolver turns a List into the Set that is actually enforced: the
// listed prefixes, the expansion of the list's service tags and the
// implicit Egress, minus the exceptions. The zero Resolver resolves lists
// without service tags, adds no egress and excepts nothing.
//
// Resolve makes the Set; Lint says what is questionable about the list in
// that context (duplicates, nodes that would lose access, the entry
// limit). The policy comes from the List (Parse records it there), so it
// is stated once.
type Resolver struct {
	// Tags expands the list's service tags: a *servicetag.Document, a
	// *servicetag.Loader, a TagMap or any TagSource. Nil: a list with a
	// service tag fails with ErrNoTagSource.
	Tags TagSource

	// Egress is what AKS allows implicitly.
	Egress Egress

	// NodePrefixes are the public IP prefixes of node pools with node
	// public IPs. AKS does not add them: the list must cover them or those
	// nodes lose the API server. Only the lint reads them.
	NodePrefixes []netip.Prefix

	// ExtraEgress are egress addresses of the cluster that AKS does not
	// add implicitly: an Azure Firewall, a NAT gateway, a user-defined
	// route's next hop. For one address use netip.PrefixFrom(a, a.BitLen()).
	// Only the lint reads them.
	ExtraEgress []netip.Prefix

	// Except lists prefixes that stay refused even where an entry, a
	// service tag or the egress allows them, as the except list of a
	// Kubernetes NetworkPolicy ipBlock does: an office range minus its
	// guest Wi-Fi, a cloud's tag minus a block known for abuse. Each must
	// be canonical (no host bits) and not IPv4-mapped. Exceptions apply in
	// every Mode, Disabled (everything but the exceptions) and EgressOnly
	// included, since they are stated apart from the list and a list
	// change should not lift them. AKS has no exceptions; the lint
	// reports an exception that lies outside everything allowed.
	Except []netip.Prefix
}

// Resolve returns the Set that l allows with r's service tags and egress.
// On error the Set is nil.
//
// By Mode:
//   - Restricted: the union of l.Prefixes, the prefixes of each of
//     l.ServiceTags and r.Egress;
//   - Disabled: every address, IPv4 and IPv6 (0.0.0.0/0 and ::/0);
//   - EgressOnly: r.Egress alone; with no egress given that set is empty
//     and denies everyone (Lint says so).
//
// In every Mode the prefixes of r.Except are then removed from the set.
//
// The Set's Explain names the rule that allows each address: a listed
// entry first (the first in list order when several cover it), else a
// service tag, else an egress address or prefix; and for an address in
// an exception, the exception that refuses it.
//
// Resolve fails with ErrNoTagSource when l names a tag and r.Tags is nil,
// with the TagSource's error (matching ErrUnknownTag, with suggestions
// when the source has them) for an unknown tag, with ErrInvalidEgress for
// an invalid, zoned, IPv4-mapped or non-canonical address or prefix in
// r's egress or node prefixes, with ErrInvalidException for such a prefix
// in r.Except, and with ErrInvalidList for a List that Parse cannot
// produce. All problems are reported together (errors.Join).
func (r Resolver) Resolve(l List) (*Set, error) {
	res, err := r.resolve(l)
	if err != nil {
		return nil, err
	}
	var b netipx.IPSetBuilder
	res.addTo(&b, true)
	ips, err := b.IPSet()
	if err != nil { // unreachable: every prefix was checked
		return nil, fmt.Errorf("%w: %v", ErrInvalidList, err)
	}
	s := Compile(ips)
	// The rule table that Explain reads is built from res when it is
	// first needed: a reload that nobody explains costs only the set.
	s.rules.Store(&ruleTable{src: res})
	return s, nil
}

// Lint returns the findings about l in r's context (see LintKind): what
// Parse trimmed from the entries (LintTrimmed) first, then entries
// that are duplicate, covered, broad or non-global, node prefixes and extra
// egress that the resolved set would not allow, an EgressOnly list without
// egress, a list near its policy's entry limit, and exceptions that lie
// outside everything allowed. Entry findings come first, in entry order,
// then those about the whole list.
//
// Findings never make a list invalid, and Lint does not fail: what cannot
// be resolved (Resolve reports it) is left out of the checks that need it.
// Call Lint where someone reads the findings (a CLI, a review bot, an
// admission webhook); the enforcement path needs only Resolve.
func (r Resolver) Lint(l List) []Finding {
	res, _ := r.resolve(l)
	var b, g netipx.IPSetBuilder
	res.addTo(&b, true)
	res.addTo(&g, false)
	ips, _ := b.IPSet()
	granted, _ := g.IPSet()
	return slices.Concat(l.parseNotes(), r.lint(l, ips, granted, len(res.egress) > 0))
}

// resolution is what a List resolves to, before it becomes rules: the
// validated parts in priority order. It holds a copy of the List's entries
// and the tag source's own prefix slices, so that Resolve does not build a
// Rule for every tag prefix unless Explain asks.
type resolution struct {
	except  []Rule // exceptions first: they win wherever they hold an address
	entries []netip.Prefix
	tags    []tagPrefixes
	egress  []Rule
	all     bool // Disabled: every address
}

// tagPrefixes is the expansion of the index'th service tag of a list.
type tagPrefixes struct {
	name     string
	index    int
	prefixes []netip.Prefix
}

// resolve validates r and l and gathers l's parts; err joins every
// problem found, and then res holds what could be gathered.
func (r Resolver) resolve(l List) (res *resolution, err error) {
	res = new(resolution)
	var errs []error
	eg, err := r.Egress.rules()
	if err != nil {
		errs = append(errs, err)
	}
	for i, p := range r.NodePrefixes {
		if err := checkInput(ErrInvalidEgress, p, "node public IP prefix", i); err != nil {
			errs = append(errs, err)
		}
	}
	for i, p := range r.ExtraEgress {
		if err := checkInput(ErrInvalidEgress, p, "extra egress prefix", i); err != nil {
			errs = append(errs, err)
		}
	}
	for i, p := range r.Except {
		if err := checkInput(ErrInvalidException, p, "exception", i); err != nil {
			errs = append(errs, err)
			continue
		}
		res.except = append(res.except, Rule{Source: FromException, Index: i, Prefix: p})
	}
	if err := l.check(); err != nil {
		errs = append(errs, err)
	}

	switch l.Mode {
	case Disabled:
		res.all = true
	case EgressOnly:
		res.egress = eg
	default:
		res.entries = make([]netip.Prefix, 0, len(l.Prefixes))
		for _, p := range l.Prefixes {
			if ipx.CheckPrefix(p) != ipx.OK {
				res.entries = append(res.entries, netip.Prefix{}) // reported by l.check; keeps the indexes
				continue
			}
			res.entries = append(res.entries, p)
		}
		for i, name := range l.ServiceTags {
			t, err := r.expand(name, i)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			res.tags = append(res.tags, t)
		}
		res.egress = eg
	}
	return res, errors.Join(errs...)
}

// addTo adds what res allows to b, and with except removes the exceptions.
func (res *resolution) addTo(b *netipx.IPSetBuilder, except bool) {
	if res.all {
		b.AddPrefix(netip.PrefixFrom(netip.IPv4Unspecified(), 0))
		b.AddPrefix(netip.PrefixFrom(netip.IPv6Unspecified(), 0))
	}
	for _, p := range res.entries {
		if p.IsValid() {
			b.AddPrefix(p)
		}
	}
	for _, t := range res.tags {
		for _, p := range t.prefixes {
			b.AddPrefix(p)
		}
	}
	for _, r := range res.egress {
		b.AddPrefix(r.Prefix)
	}
	if except {
		for _, r := range res.except {
			b.RemovePrefix(r.Prefix)
		}
	}
}

// rules returns the rules of res in priority order: where several hold an
// address, the first wins.
func (res *resolution) rules() []Rule {
	n := len(res.except) + len(res.entries) + len(res.egress) + 2
	for _, t := range res.tags {
		n += len(t.prefixes)
	}
	rules := make([]Rule, 0, n)
	rules = append(rules, res.except...)
	if res.all {
		rules = append(rules,
			Rule{Source: FromDisabled, Index: -1, Prefix: netip.PrefixFrom(netip.IPv4Unspecified(), 0)},
			Rule{Source: FromDisabled, Index: -1, Prefix: netip.PrefixFrom(netip.IPv6Unspecified(), 0)},
		)
	}
	for i, p := range res.entries {
		if p.IsValid() {
			rules = append(rules, Rule{Source: FromEntry, Index: i, Prefix: p})
		}
	}
	for _, t := range res.tags {
		for _, p := range t.prefixes {
			rules = append(rules, Rule{Source: FromServiceTag, Index: t.index, Prefix: p, Tag: t.name})
		}
	}
	return append(rules, res.egress...)
}

// ruleSet returns the union of the prefixes of the rules that allow, minus

// expand looks up the i'th service tag of a list and checks its prefixes.
func (r Resolver) expand(name string, i int) (tagPrefixes, error) {
	if r.Tags == nil {
		return tagPrefixes{}, fmt.Errorf("%w: the list names service tag %q, but no service-tag source was given to expand it", ErrNoTagSource, name)
	}
	canonical, ps, err := r.Tags.LookupTag(name)
	if err != nil {
		return tagPrefixes{}, fmt.Errorf("allowlist: service tag %q: %w", name, err)
	}
	if canonical != "" {
		name = canonical // the source's spelling
	}
	for _, p := range ps {
		if ipx.CheckPrefix(p) != ipx.OK {
			return tagPrefixes{}, fmt.Errorf("%w: service tag %q holds the prefix %s, which is invalid, IPv4-mapped or not canonical; fix the tag source", ErrInvalidList, name, p)
		}
	}
	return tagPrefixes{name: name, index: i, prefixes: ps}, nil
}

// rules returns e as egress rules, in field order, after checking each
// address and prefix.
func (e Egress) rules() ([]Rule, error) {
	var errs []error
	var rules []Rule
	addAddr := func(a netip.Addr, what string, i int) {
		if err := checkAddr(a, what, i); err != nil {
			errs = append(errs, err)
			return
		}
		rules = append(rules, Rule{Source: FromEgress, Index: -1, Prefix: ipx.Host(a)})
	}
	for i, a := range e.OutboundIPs {
		addAddr(a, "outbound IP", i)
	}
	for i, p := range e.OutboundPrefixes {
		if err := checkInput(ErrInvalidEgress, p, "outbound IP prefix", i); err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, Rule{Source: FromEgress, Index: -1, Prefix: p})
	}
	if e.APIServer.IsValid() || e.APIServer.Zone() != "" {
		addAddr(e.APIServer, "API server IP", -1)
	}
	return rules, errors.Join(errs...)
}

// where names the i'th value of a kind ("outbound IP 2"), or the kind alone
// when i < 0.
func where(what string, i int) string {
	if i < 0 {
		return what
	}
	return fmt.Sprintf("%s %d", what, i)
}

func checkAddr(a netip.Addr, what string, i int) error {
	switch ipx.CheckAddr(a) {
	case ipx.Invalid:
		return fmt.Errorf("%w: %s is empty (the zero address); leave it out or give a real address", ErrInvalidEgress, where(what, i))
	case ipx.Zoned:
		return fmt.Errorf("%w: %s %s has a zone; give %s", ErrInvalidEgress, where(what, i), a, a.WithZone(""))
	case ipx.Mapped:
		return fmt.Errorf("%w: %s %s is IPv4-mapped; give the IPv4 address %s", ErrInvalidEgress, where(what, i), a, a.Unmap())
	}
	return nil
}

// checkInput checks a prefix given to a Resolver; kind is the sentinel
// its error wraps.
func checkInput(kind error, p netip.Prefix, what string, i int) error {
	switch ipx.CheckPrefix(p) {
	case ipx.Invalid:
		return fmt.Errorf("%w: %s is not a valid prefix; leave it out or give a real one", kind, where(what, i))
	case ipx.Mapped:
		if u := ipx.Unmapped(p); u.IsValid() {
			return fmt.Errorf("%w: %s %s is IPv4-mapped; give the IPv4 prefix %s", kind, where(what, i), p, u)
		}
		return fmt.Errorf("%w: %s %s is IPv4-mapped; give the IPv4 prefix it stands for", kind, where(what, i), p)
	case ipx.HostBits:
		return fmt.Errorf("%w: %s %s has host bits set; give %s (the range it lies in) or %s (the single address)",
			kind, where(what, i), p, p.Masked(), ipx.Host(p.Addr()))
	}
	return nil
}

// maxListProblems is how many invalid entries of a hand-built List check
// reports one by one; the rest are counted.
const maxListProblems = 10

// check reports what makes l a value that Parse cannot produce.
func (l List) check() error {
	var errs []error
	switch l.Mode {
	case Restricted:
	case Disabled, EgressOnly:
		if len(l.Prefixes) > 0 || len(l.ServiceTags) > 0 {
			name := map[Mode]string{Disabled: "Disabled", EgressOnly: "EgressOnly"}[l.Mode]
			errs = append(errs, fmt.Errorf("%w: a %s list has %d prefixes and %d service tags; use Mode Restricted, or drop them", ErrInvalidList, name, len(l.Prefixes), len(l.ServiceTags)))
		}
	default:
		errs = append(errs, fmt.Errorf("%w: unknown Mode %d; use Restricted, Disabled or EgressOnly", ErrInvalidList, int(l.Mode)))
	}
	bad := 0
	for i, p := range l.Prefixes {
		var err error
		switch ipx.CheckPrefix(p) {
		case ipx.OK:
			continue
		case ipx.Invalid:
			err = fmt.Errorf("%w: entry %d is not a valid prefix; build lists with Parse", ErrInvalidList, i)
		case ipx.Mapped:
			err = fmt.Errorf("%w: entry %d %s is IPv4-mapped; use the IPv4 prefix", ErrInvalidList, i, p)
		case ipx.HostBits:
			err = fmt.Errorf("%w: entry %d %s has host bits set; use %s", ErrInvalidList, i, p, p.Masked())
		}
		if bad++; bad <= maxListProblems {
			errs = append(errs, err)
		}
	}
	if bad > maxListProblems {
		errs = append(errs, fmt.Errorf("%w: and %d more invalid entries", ErrInvalidList, bad-maxListProblems))
	}
	return errors.Join(errs...)
}
