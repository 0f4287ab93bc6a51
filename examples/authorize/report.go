package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/internal/ascii"
	"github.com/ipallow/ipallow/servicetag"
)

// report is what the command found: the -json document, and what the text
// output is written from. The JSON field names are documented in the
// package comment and are stable.
type report struct {
	Input             string      `json:"input"`
	Valid             bool        `json:"valid"`
	List              string      `json:"list"`
	Mode              string      `json:"mode,omitempty"`
	Entries           int         `json:"entries"`
	Limit             int         `json:"limit"`
	ServiceTags       []string    `json:"serviceTags"`
	Problems          []problem   `json:"problems"`
	Findings          []finding   `json:"findings"`
	EnforcedPrefixes  int         `json:"enforcedPrefixes"`
	TagSources        []tagSource `json:"tagSources"`
	Decisions         []decision  `json:"decisions"`
	Current           *current    `json:"current,omitempty"`
	Diff              *diff       `json:"diff,omitempty"`
	LockedOut         []string    `json:"lockedOut"`
	Fit               *fitResult  `json:"fit,omitempty"`
	Command           string      `json:"command,omitempty"`
	CommandPowerShell string      `json:"commandPowerShell,omitempty"`
	Notes             []string    `json:"notes"`

	// For the text output.
	newFrom   string    // see inputs.newFrom
	demo      bool      // the addresses are the demonstration's
	lockouts  []lockout // why each of LockedOut is there
	overLimit *problem  // the too-many problem that -fit resolved
}

// problem is one reason why a list is invalid.
type problem struct {
	Index   int    `json:"index"`
	Entry   string `json:"entry"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// finding is one lint warning.
type finding struct {
	Kind    string `json:"kind"`
	Index   int    `json:"index"`
	Entry   string `json:"entry"`
	Message string `json:"message"`
}

// decision is what the new (and the current) list says about an address.
type decision struct {
	Address    string `json:"address"`
	Allowed    bool   `json:"allowed"`
	Rule       string `json:"rule,omitempty"`
	AllowedNow *bool  `json:"allowedNow,omitempty"`
	RuleNow    string `json:"ruleNow,omitempty"`
}

// current is the list the cluster has now.
type current struct {
	Source          string    `json:"source"`
	Shape           string    `json:"shape"`
	Valid           bool      `json:"valid"`
	List            string    `json:"list"`
	Mode            string    `json:"mode,omitempty"`
	Entries         int       `json:"entries"`
	Problems        []problem `json:"problems"`
	PrivateCluster  bool      `json:"privateCluster"`
	VnetIntegration bool      `json:"vnetIntegration"`

	set *allowlist.Set
}

// diff is what the update from the current to the new list changes.
type diff struct {
	Gained          []string `json:"gained"`
	Lost            []string `json:"lost"`
	OpensToInternet bool     `json:"opensToInternet"`
	WasOpen         bool     `json:"wasOpen"`
}

// lockout says why an address or prefix is in LockedOut.
type lockout struct {
	label string // "LOCK-OUT" (it loses access, or nodes do) or "REFUSED" (no access now, or not known)
	text  string // the sentence after the label
}

// currentPolicy parses the current list. The resource provider has stored
// lists that the az CLI would refuse (private ranges on VNet-integrated
// clusters, up to 2,000 entries), so the current list is read with the
// general rules, IPv4 and IPv6, and at most one service tag, as AKS allows.
var currentPolicy = allowlist.Policy{MaxServiceTags: 1}

// evaluate parses and resolves the lists and checks the addresses. Its
// errors are usage errors (exit status 2).
func evaluate(c config, in *inputs) (*report, error) {
	pol := allowlist.AKS
	if c.vnet || in.current != nil && in.current.vnet {
		pol.MaxEntries = 2000
	}
	if c.fit > pol.MaxEntries {
		hint := " (2,000 with -vnet-integration)"
		if pol.MaxEntries > allowlist.AKS.MaxEntries {
			hint = ""
		}
		return nil, fmt.Errorf("-fit %d: AKS allows at most %d entries%s", c.fit, pol.MaxEntries, hint)
	}
	rep := &report{Input: in.newText, Limit: pol.MaxEntries, TagSources: in.sources, newFrom: in.newFrom, demo: in.demo,
		ServiceTags: []string{}, Problems: []problem{}, Findings: []finding{}, Decisions: []decision{}, LockedOut: []string{}, Notes: []string{}}
	if rep.TagSources == nil {
		rep.TagSources = []tagSource{}
	}

	if in.current != nil {
		cur, err := evalCurrent(in)
		if err != nil {
			return nil, err
		}
		rep.Current = cur
	}

	// The new list: parse, expand its tag, fit.
	list, ok := rep.parse(in.newText, pol, c.fit > 0)
	var set *allowlist.Set
	if ok {
		var err error
		set, ok, err = rep.resolve(in, list, "")
		if err != nil {
			return nil, err
		}
	}
	if ok {
		ok = rep.azureTags(in, list)
	}
	if ok && c.fit > 0 {
		fitted, res, probs, err := fitList(list, c.fit, pol)
		if err != nil {
			return nil, err
		}
		rep.Fit = res
		if len(probs) > 0 {
			rep.Problems, ok = probs, false
		} else {
			list = fitted
			if set, _, err = rep.resolve(in, list, ""); err != nil {
				return nil, err
			}
		}
	}
	rep.Valid = ok
	if !ok && rep.overLimit != nil && rep.Fit == nil {
		rep.Problems = append(rep.Problems, *rep.overLimit) // -fit did not get to it
	}
	if !ok {
		rep.notes(c, in, list, false) // list: as parsed, if it was
		return rep, nil
	}

	rep.List = list.String()
	rep.Mode = modeName(list.Mode)
	rep.Entries = len(list.Prefixes) + len(list.ServiceTags)
	if list.ServiceTags != nil {
		rep.ServiceTags = list.ServiceTags
	}
	rep.EnforcedPrefixes = set.NumPrefixes()
	for _, f := range in.resolver.Lint(list) {
		rep.Findings = append(rep.Findings, finding{Kind: strings.ReplaceAll(f.Kind.String(), " ", "-"),
			Index: f.Index, Entry: f.Entry, Message: cliText(f.Message)})
	}

	// The addresses, and the update from the current list.
	var now *allowlist.Set
	if cur := rep.Current; cur != nil && cur.Valid && !cur.PrivateCluster && (rep.newFrom != "-current" || rep.Fit != nil) {
		now = cur.set // not when the new list is the current one, nor for a private cluster, which has no public endpoint
	}
	for _, a := range in.addrs {
		d := decision{Address: a.String()}
		if rule, ok := set.Explain(a); ok {
			d.Allowed, d.Rule = true, rule.String()
		}
		if now != nil {
			rule, ok := now.Explain(a)
			d.AllowedNow = &ok
			if ok {
				d.RuleNow = rule.String()
			}
		}
		rep.Decisions = append(rep.Decisions, d)
	}
	var change allowlist.Change
	if now != nil {
		change = allowlist.Diff(now, set)
		rep.Diff = &diff{Gained: prefixStrings(change.Gained), Lost: prefixStrings(change.Lost),
			OpensToInternet: list.Mode == allowlist.Disabled && rep.Current.Mode != "disabled",
			WasOpen:         rep.Current.Mode == "disabled" && list.Mode != allowlist.Disabled}
	}
	if !in.demo {
		rep.lockOut(in.addrs, set, now, change)
	}
	for _, f := range rep.Findings {
		if f.Kind == "uncovered" {
			rep.LockedOut = append(rep.LockedOut, f.Entry)
			rep.lockouts = append(rep.lockouts, lockout{label: "LOCK-OUT", text: f.Message})
		}
	}

	unchanged := rep.newFrom == "-current" && rep.Fit == nil
	if !unchanged {
		rep.Command, rep.CommandPowerShell = azCommands(list, c.resourceGroup, c.name)
	}
	rep.notes(c, in, list, true)
	return rep, nil
}

// parse parses the new list with pol. With fit, a list whose only problem
// is its length is parsed again without the limit, for fitList.
func (rep *report) parse(text string, pol allowlist.Policy, fit bool) (allowlist.List, bool) {
	list, err := allowlist.Parse(text, pol)
	if err == nil {
		return list, true
	}
	probs := problems(err)
	if fit && len(probs) == 1 && probs[0].Kind == "too-many" {
		lifted := pol
		lifted.MaxEntries = 0
		if list, err := allowlist.Parse(text, lifted); err == nil {
			rep.overLimit = &probs[0]
			return list, true
		}
	}
	rep.Problems = probs
	return allowlist.List{}, false
}

// resolve resolves list with in's resolver. An unknown tag is a problem
// of the list (ok is false); a tag without -service-tags is a usage error.
// which names the list in that error ("" for the new list).
func (rep *report) resolve(in *inputs, list allowlist.List, which string) (*allowlist.Set, bool, error) {
	set, err := in.resolver.Resolve(list)
	switch {
	case err == nil:
		return set, true, nil
	case errors.Is(err, allowlist.ErrNoTagSource):
		return nil, false, noTagSource(list.ServiceTags[0], which)
	case errors.Is(err, allowlist.ErrUnknownTag):
		p := unknownTag(err, list.ServiceTags[0], in.newText)
		rep.Problems = append(rep.Problems, p)
		return nil, false, nil
	}
	return nil, false, err
}

// evalCurrent parses and resolves the current list.
func evalCurrent(in *inputs) (*current, error) {
	cur := in.current
	out := &current{Source: cur.source, Shape: cur.shape, PrivateCluster: cur.private, VnetIntegration: cur.vnet, Problems: []problem{}}
	list, err := allowlist.Parse(cur.text, currentPolicy)
	if err != nil {
		out.Problems = problems(err)
		return out, nil
	}
	set, err := in.resolver.Resolve(list)
	switch {
	case errors.Is(err, allowlist.ErrNoTagSource):
		return nil, noTagSource(list.ServiceTags[0], "the current list ("+cur.source+")")
	case errors.Is(err, allowlist.ErrUnknownTag):
		out.Problems = append(out.Problems, unknownTag(err, list.ServiceTags[0], cur.text))
		return out, nil
	case err != nil:
		return nil, err
	}
	out.Valid, out.set = true, set
	out.List, out.Mode = list.String(), modeName(list.Mode)
	out.Entries = len(list.Prefixes) + len(list.ServiceTags)
	return out, nil
}

// lockOut records the given addresses that the new set refuses.
func (rep *report) lockOut(addrs []netip.Addr, set, now *allowlist.Set, change allowlist.Change) {
	lost := make(map[netip.Addr]bool)
	for _, a := range change.LockedOut(addrs...) {
		lost[a] = true
	}
	for _, a := range addrs {
		if set.Contains(a) {
			continue
		}
		rep.LockedOut = append(rep.LockedOut, a.String())
		l := lockout{label: "REFUSED"}
		switch {
		case lost[a]:
			l.label = "LOCK-OUT"
			rule, _ := now.Explain(a)
			l.text = fmt.Sprintf("%s would lose access (allowed now by %s)", a, rule)
		case now != nil:
			l.text = fmt.Sprintf("%s has no access now and gets none from the new list", a)
		default:
			l.text = fmt.Sprintf("%s would be refused by this list", a)
		}
		rep.lockouts = append(rep.lockouts, l)
	}
}

// status is the exit status.
func (rep *report) status(strict bool) int {
	switch {
	case !rep.Valid || rep.Current != nil && !rep.Current.Valid:
		return 1
	case len(rep.LockedOut) > 0, strict && len(rep.Findings) > 0:
		return 3
	}
	return 0
}

// problemKinds names the kinds of Parse's problems in the JSON output.
var problemKinds = []struct {
	err  error
	name string
}{
	{allowlist.ErrEmptyEntry, "empty-entry"},
	{allowlist.ErrMalformed, "malformed"},
	{allowlist.ErrNonCanonical, "non-canonical"},
	{allowlist.ErrNotGlobal, "not-global"},
	{allowlist.ErrIPv6, "ipv6"},
	{allowlist.ErrTooMany, "too-many"},
	{allowlist.ErrTooManyServiceTags, "too-many-service-tags"},
	{allowlist.ErrEgressOnlyMixed, "egress-only-mixed"},
}

// kindName names the kind of an EntryError.
func kindName(kind error) string {
	for _, k := range problemKinds {
		if errors.Is(kind, k.err) {
			return k.name
		}
	}
	if kind == nil {
		return "invalid"
	}
	// A kind added to the library later: its sentinel's text.
	return strings.ReplaceAll(strings.TrimPrefix(kind.Error(), "allowlist: "), " ", "-")
}

// problems turns the error of Parse into problems.
func problems(err error) []problem {
	var le *allowlist.ListError
	if !errors.As(err, &le) {
		return []problem{{Index: -1, Kind: "invalid", Message: cliText(err.Error())}}
	}
	ps := make([]problem, 0, len(le.Errors))
	for _, e := range le.Errors {
		ps = append(ps, problem{Index: e.Index, Entry: e.Entry, Kind: kindName(e.Kind), Message: cliText(e.Reason), Fix: e.Fix})
	}
	return ps
}

// noTagSource is the usage error for a list with a tag and no
// -service-tags.
func noTagSource(tag, which string) error {
	if which == "" {
		which = "the list"
	}
	return fmt.Errorf("%s names the service tag %q: pass the service-tag download with -service-tags FILE "+
		"(Azure publishes it weekly as ServiceTags_Public_YYYYMMDD.json)", which, tag)
}

// unknownTag is the problem for a tag that the -service-tags files do not
// hold; text is the list it was parsed from, to find the element's index.
func unknownTag(err error, tag, text string) problem {
	p := problem{Index: elementIndex(text, tag), Entry: tag, Kind: "unknown-tag"}
	var ue *servicetag.UnknownTagError
	if !errors.As(err, &ue) {
		p.Message = cliText(err.Error())
		return p
	}
	p.Message = "is not a tag of the -service-tags file"
	if len(ue.Suggestions) > 0 {
		quoted := make([]string, len(ue.Suggestions))
		for i, s := range ue.Suggestions {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		p.Message += "; did you mean " + orList(quoted) + "?"
	}
	return p
}

// azureTags reports, as a problem, a tag of the list that comes from
// another provider's feed: AKS expands Azure service tags only.
func (rep *report) azureTags(in *inputs, list allowlist.List) bool {
	ok := true
	for _, tag := range list.ServiceTags {
		src := feedOf(in.sources, tag)
		if src == nil || src.Feed == "azure" {
			continue
		}
		rep.Problems = append(rep.Problems, problem{Index: elementIndex(in.newText, tag), Entry: tag, Kind: "not-azure-tag",
			Message: fmt.Sprintf("comes from the %s feed (%s), and AKS expands Azure service tags only: "+
				"list the tag's ranges instead (-fit N merges them into fewer entries)", src.Feed, src.File)})
		ok = false
	}
	return ok
}

// elementIndex returns the index of the element of text that is elem
// (without the spaces and tabs around it), or -1.
func elementIndex(text, elem string) int {
	i := 0
	for e := range strings.SplitSeq(text, ",") {
		if ascii.TrimSpaceTab(e) == elem {
			return i
		}
		i++
	}
	return -1
}

// orList joins "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func modeName(m allowlist.Mode) string {
	switch m {
	case allowlist.Disabled:
		return "disabled"
	case allowlist.EgressOnly:
		return "egress-only"
	}
	return "restricted"
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// writeJSON writes the report as one indented JSON document.
func writeJSON(w io.Writer, rep *report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// cliReplacer rewrites the library's words for Go callers into the
// command's flags.
var cliReplacer = strings.NewReplacer(
	"Fit (merges ranges into fewer entries with the fewest extra addresses)", "-fit N (merges ranges into fewer entries with the fewest extra addresses)",
	"and Fit merges further", "and -fit N merges further",
	"(Fit finds the merge that", "(-fit N finds the merge that",
	"as egress", "with -egress",
	"Resolver.NodePrefixes", "-node-public-prefixes",
	"Resolver.ExtraEgress", "-extra-egress",
	"Egress.OutboundIPs", "-egress",
	"Egress.OutboundPrefixes", "-egress",
	"Egress.APIServer", "-api-server-ip",
	"is how List.String prints", "is how a list with nothing in it prints",
	"build the list from text with Parse", "write the list as text",
	"; raise DecodeOptions.MaxSize (or Loader.MaxSize) if the input is trusted", "",
)

// cliText rewrites a message of the library for the command line.
func cliText(s string) string {
	return cliReplacer.Replace(s)
}
