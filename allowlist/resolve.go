package allowlist

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ipallow/ipallow/servicetag"
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

	// ErrNoTagSource: the List names a service tag but the Resolver has
	// no Tags to expand it from.
	ErrNoTagSource = errors.New("allowlist: no service-tag source")
)

// TagSource expands service-tag names into their prefixes. A
// *servicetag.Document is a TagSource. Lookup must return an error that
// wraps servicetag.ErrUnknownTag for a name it does not know.
type TagSource interface {
	Lookup(name string) (servicetag.Tag, error)
}

// Egress holds the addresses that AKS allows implicitly, in addition to
// the list (SPEC §2): the cluster's own outbound addresses and the API
// server's public IP. They are all that an EgressOnly list (0.0.0.0/32)
// allows.
//
// Egress that AKS does not add by itself — a firewall, NAT gateway or
// user-defined route, and node public IP prefixes — belongs in
// Resolver.ExtraEgress and Resolver.NodePrefixes instead, so that the lint
// can tell when the list forgets it.
type Egress struct {
	OutboundIPs      []netip.Addr   // the Standard load balancer's outbound public IPs
	OutboundPrefixes []netip.Prefix // the load balancer's outbound public IP prefixes
	APIServer        netip.Addr     // the API server's own public IP; the zero Addr if none
}

// Resolver turns a List into the Set that is actually enforced: the
// listed prefixes, the expansion of the list's service tags and the
// implicit Egress (SPEC §2). The zero Resolver resolves lists without
// service tags and adds no egress.
type Resolver struct {
	// Tags expands the list's service tags; usually a
	// *servicetag.Document. Nil: a list with a service tag fails with
	// ErrNoTagSource.
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

	// Policy is the policy the list was parsed with; the lint warns when
	// the list approaches Policy.MaxEntries. The zero Policy has no limit.
	Policy Policy
}

// Resolve returns the Set that l allows with r's service tags and egress,
// and the lint findings about l (see LintKind). Findings never make
// Resolve fail; errors do, and then the Set is nil.
//
// By Mode:
//   - Restricted: the union of l.Prefixes, the prefixes of each of
//     l.ServiceTags and r.Egress;
//   - Disabled: every address, IPv4 and IPv6 (0.0.0.0/0 and ::/0);
//   - EgressOnly: r.Egress alone; with no egress given that set is empty
//     and denies everyone (a LintNoEgress finding says so).
//
// The Set's Explain names the rule that allows each address: a listed
// entry first (the first in list order when several cover it), else a
// service tag, else an egress address or prefix.
//
// Resolve fails with ErrNoTagSource when l names a tag and r.Tags is nil,
// with the TagSource's error (wrapping servicetag.ErrUnknownTag, with its
// suggestions) for an unknown tag, with ErrInvalidEgress for an invalid,
// zoned, IPv4-mapped or non-canonical address or prefix in r, and with
// ErrInvalidList for a List that Parse cannot produce. All problems are
// reported together (errors.Join).
func (r Resolver) Resolve(l List) (*Set, []Finding, error) {
	var errs []error
	egress, err := r.Egress.rules()
	if err != nil {
		errs = append(errs, err)
	}
	for i, p := range r.NodePrefixes {
		if err := checkInput(p, "Resolver.NodePrefixes", i); err != nil {
			errs = append(errs, err)
		}
	}
	for i, p := range r.ExtraEgress {
		if err := checkInput(p, "Resolver.ExtraEgress", i); err != nil {
			errs = append(errs, err)
		}
	}
	if err := l.check(); err != nil {
		errs = append(errs, err)
	}

	var rules []Rule
	switch l.Mode {
	case Disabled:
		rules = []Rule{
			{Source: FromDisabled, Index: -1, Prefix: netip.PrefixFrom(netip.IPv4Unspecified(), 0)},
			{Source: FromDisabled, Index: -1, Prefix: netip.PrefixFrom(netip.IPv6Unspecified(), 0)},
		}
	case EgressOnly:
		rules = egress
	default:
		rules = make([]Rule, 0, len(l.Prefixes)+len(egress))
		for i, p := range l.Prefixes {
			rules = append(rules, Rule{Source: FromEntry, Index: i, Prefix: p})
		}
		for i, name := range l.ServiceTags {
			tagRules, err := r.expand(name, i)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			rules = append(rules, tagRules...)
		}
		rules = append(rules, egress...)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}

	var b netipx.IPSetBuilder
	for _, rule := range rules {
		b.AddPrefix(rule.Prefix)
	}
	ips, err := b.IPSet()
	if err != nil { // unreachable: every prefix was checked above
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidList, err)
	}
	s := Compile(ips)
	s.rules.Store(newRuleTable(rules))
	return s, r.lint(l, ips, len(egress) > 0), nil
}

// expand looks up the i'th service tag of a list.
func (r Resolver) expand(name string, i int) ([]Rule, error) {
	if r.Tags == nil {
		return nil, fmt.Errorf("%w: the list names service tag %q; set Resolver.Tags (for example to a *servicetag.Document) to expand it", ErrNoTagSource, name)
	}
	tag, err := r.Tags.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("allowlist: service tag %q: %w", name, err)
	}
	if tag.Name != "" {
		name = tag.Name // the source's spelling
	}
	rules := make([]Rule, 0, len(tag.Prefixes))
	for _, p := range tag.Prefixes {
		if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() {
			return nil, fmt.Errorf("%w: service tag %q holds the prefix %s, which is invalid, IPv4-mapped or not canonical", ErrInvalidList, name, p)
		}
		rules = append(rules, Rule{Source: FromServiceTag, Index: i, Prefix: p, Tag: name})
	}
	return rules, nil
}

// rules returns e as egress rules, in field order, after checking each
// address and prefix.
func (e Egress) rules() ([]Rule, error) {
	var errs []error
	var rules []Rule
	add := func(p netip.Prefix, field string, i int) {
		if err := checkInput(p, field, i); err != nil {
			errs = append(errs, err)
			return
		}
		rules = append(rules, Rule{Source: FromEgress, Index: -1, Prefix: p})
	}
	for i, a := range e.OutboundIPs {
		if err := checkAddr(a, "Egress.OutboundIPs", i); err != nil {
			errs = append(errs, err)
			continue
		}
		add(netip.PrefixFrom(a, a.BitLen()), "Egress.OutboundIPs", i)
	}
	for i, p := range e.OutboundPrefixes {
		add(p, "Egress.OutboundPrefixes", i)
	}
	if e.APIServer.IsValid() || e.APIServer.Zone() != "" {
		if err := checkAddr(e.APIServer, "Egress.APIServer", -1); err != nil {
			errs = append(errs, err)
		} else {
			add(netip.PrefixFrom(e.APIServer, e.APIServer.BitLen()), "Egress.APIServer", -1)
		}
	}
	return rules, errors.Join(errs...)
}

// where names field, or field[i] when i >= 0.
func where(field string, i int) string {
	if i < 0 {
		return field
	}
	return fmt.Sprintf("%s[%d]", field, i)
}

func checkAddr(a netip.Addr, field string, i int) error {
	switch {
	case !a.IsValid():
		return fmt.Errorf("%w: %s is the zero netip.Addr; leave it out or give a real address", ErrInvalidEgress, where(field, i))
	case a.Zone() != "":
		return fmt.Errorf("%w: %s %s has a zone; give the address without %%%s", ErrInvalidEgress, where(field, i), a, a.Zone())
	case a.Is4In6():
		return fmt.Errorf("%w: %s %s is IPv4-mapped; give the IPv4 address %s", ErrInvalidEgress, where(field, i), a, a.Unmap())
	}
	return nil
}

func checkInput(p netip.Prefix, field string, i int) error {
	switch {
	case !p.IsValid():
		return fmt.Errorf("%w: %s is not a valid prefix; leave it out or give a real one", ErrInvalidEgress, where(field, i))
	case p.Addr().Is4In6():
		return fmt.Errorf("%w: %s %s is IPv4-mapped; give the IPv4 prefix instead", ErrInvalidEgress, where(field, i), p)
	case p != p.Masked():
		return fmt.Errorf("%w: %s %s has host bits set; give %s (the range it lies in) or %s (the single address)",
			ErrInvalidEgress, where(field, i), p, p.Masked(), netip.PrefixFrom(p.Addr(), p.Addr().BitLen()))
	}
	return nil
}

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
	for i, p := range l.Prefixes {
		switch {
		case !p.IsValid():
			errs = append(errs, fmt.Errorf("%w: Prefixes[%d] is not a valid prefix; build lists with Parse", ErrInvalidList, i))
		case p.Addr().Is4In6():
			errs = append(errs, fmt.Errorf("%w: Prefixes[%d] %s is IPv4-mapped; use the IPv4 prefix", ErrInvalidList, i, p))
		case p != p.Masked():
			errs = append(errs, fmt.Errorf("%w: Prefixes[%d] %s has host bits set; use %s", ErrInvalidList, i, p, p.Masked()))
		}
	}
	return errors.Join(errs...)
}
