package allowlist

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ipallow/ipallow/internal/ascii"
)

const (
	// egressOnlyText is the element that selects EgressOnly.
	egressOnlyText = "0.0.0.0/32"

	// maxEntryLen caps the length of one element. The longest address or
	// prefix text netip accepts that Parse can use is 49 bytes
	// ("1111:2222:3333:4444:5555:6666:255.255.255.255/128"); the longest
	// service-tag name in Microsoft's files is 47 bytes.
	maxEntryLen = 100

	// emptyRestrictedText is what String prints for a Restricted list
	// with no entries, and invalidListText what it prints for a List that
	// Parse cannot produce. Parse rejects both as malformed, so a round
	// trip through text fails closed instead of widening the list.
	emptyRestrictedText = "<empty>"
	invalidListText     = "<invalid>"

	// preallocMax caps the prefixes that Parse allocates room for before
	// it has seen them, so that commas alone cannot buy memory.
	preallocMax = 2048
)

var (
	egressPrefix = netip.MustParsePrefix(egressOnlyText)
	mappedSpace  = netip.MustParsePrefix("::ffff:0:0/96")
	compatSpace  = netip.MustParsePrefix("::/96")
	netipAll6    = netip.MustParsePrefix("::/0")
)

// Parse parses and validates a comma-separated range list, as a user
// writes it for az aks update --api-server-authorized-ip-ranges, under the
// policy p. For the content of a file, with one or more entries a line and
// comments, use ParseLines.
//
// The rules, in order:
//
//  1. A value that is empty or only ASCII spaces and tabs gives a Disabled
//     list: everything is allowed. This is the only way to allow all; a
//     value of other invisible characters (a line feed, U+00A0) is
//     malformed under every policy.
//  2. The value is split on commas. Each element loses the ASCII spaces
//     and horizontal tabs around it, and under p.TrimUnicodeSpace every
//     other character that the az CLI trims (see Policy); nothing inside
//     an element is changed.
//  3. The element 0.0.0.0/32 alone gives an EgressOnly list; beside other
//     elements it is ErrEgressOnlyMixed. Only this exact text counts:
//     0.0.0.0 is an ordinary (non-global) address.
//  4. An empty element beside others is ErrEmptyEntry.
//  5. Every other element is an address (meaning /32 or /128) or a prefix
//     in strict net/netip syntax, or else a service-tag name. Host bits
//     set is ErrNonCanonical. Zones, IPv4-mapped and IPv4-compatible
//     IPv6 (see below), leading zeros, short or integer IPv4, prefix
//     lengths other than plain decimal (netmasks, /024), brackets and
//     ports, quotes, inner spaces, control or non-ASCII bytes, elements
//     longer than 100 bytes, and service tags under a policy without them
//     are ErrMalformed. Tags beyond p.MaxServiceTags are
//     ErrTooManyServiceTags.
//  6. With p.IPv4Only an IPv6 prefix is ErrIPv6; with p.RequireGlobal a
//     prefix inside one non-global block is ErrNotGlobal.
//  7. With p.MaxEntries, a list of more elements than that, counted after
//     splitting and duplicates included, is ErrTooMany.
//
// Negative limits in p count as 0.
//
// Parse reports the problems of the list at once: a non-nil error is a
// *ListError holding one *EntryError per problem, in element order, with
// the ErrTooMany problem last. An element gets one EntryError for each
// rule it breaks, so 203.0.113.77/24 under AKS is both ErrNonCanonical
// and ErrNotGlobal, and a malformed element one for the first reason
// found. A fix that a message offers is one the policy accepts: the
// message for 203.0.113.77/24 does not offer 203.0.113.0/24, which is
// documentation space. Pasting mistakes get messages of their own:
// quotes, a JSON array as az aks show prints it, entries separated by
// semicolons, tabs, line breaks or spaces, an unexpanded $VARIABLE, and a
// tag name in the wrong case. On error the List is the zero List, which
// allows nothing.
//
// An IPv6 prefix is IPv4-mapped when it lies inside ::ffff:0:0/96, and
// IPv4-compatible when it lies inside ::/96 and is neither ::/128 nor
// ::1/128, however it is written (::ffff:10.0.0.1, ::ffff:a00:1,
// ::10.0.0.1 and ::a00:1 are all malformed). Other IPv6 written with a
// dotted IPv4 tail, such as 64:ff9b::10.0.0.1, is plain IPv6.
//
// A service-tag name is a capital ASCII letter followed by ASCII letters
// and digits, optionally followed by one dot and a second part of an
// ASCII letter followed by letters and digits: AzureCloud,
// AzureCloud.westeurope, Storage.EastUS, AzureFrontDoor.Backend,
// Dynamics365ForMarketingEmail.WestUS2. Every tag name in Microsoft's
// published files has this shape, and no address does; localhost, any and
// all are malformed rather than tags. Under p.ProviderTags the names of
// other providers' feeds are tags too (see Policy). Tags are kept in
// List.ServiceTags as written, case and all; whether a tag exists is not
// checked here, and lookups elsewhere ignore case.
//
// # Where Parse differs from the az CLI
//
// Under AKS, Parse accepts an entry exactly when the GA az CLI's
// validator does, except for these (the package documentation has the
// reasons):
//
//   - netmask, hostmask and zero-padded prefix lengths (/255.255.255.0,
//     /0.0.0.255, /024), which the CLI's Python parser accepts, are
//     refused;
//   - more than 200 entries, which only the service refuses, are refused;
//   - one service tag is accepted, which the GA CLI refuses and the
//     service accepts from the aks-preview extension, and a second is
//     refused, as the service allows only one;
//   - a value of invisible characters only, which the CLI sends on as one
//     empty range, is refused, and a value of ASCII spaces and tabs only,
//     which it sends on likewise, disables the list;
//   - "global" is CPython 3.13's, where an az CLI on an older Python
//     differs for 192.0.0.8 to 192.0.0.255.
//
// The aks-preview extension, unlike the GA CLI and Parse, passes on every
// element it cannot parse and every range with host bits set without
// checking that it is global or IPv4. That is a defect of the extension,
// which Parse does not copy.
//
// Parse takes time in proportion to len(s), and memory in proportion to
// the accepted entries only: errors are bounded (see ListError), and
// beyond p.MaxEntries elements are counted, not examined.
func Parse(s string, p Policy) (List, error) {
	if ascii.TrimSpaceTab(s) == "" {
		return List{Mode: Disabled, Policy: p}, nil
	}
	n := strings.Count(s, ",") + 1
	ps := newParser(p, n, false)
	return ps.parse(s)
}

// parse examines the elements of the one-line value s.
func (ps *parser) parse(s string) (List, error) {
	rest := s
	for i := 0; i < ps.limit; i++ {
		elem, after, _ := strings.Cut(rest, ",")
		rest = after
		ps.element(i, elem, 0, 0)
	}
	if ps.limit < ps.n {
		elem, _, _ := strings.Cut(rest, ",")
		text, _ := ps.trim(elem)
		ps.tooMany(text, 0, 0)
	}
	return ps.result()
}

// parser holds the state of one Parse or ParseLines call.
type parser struct {
	p     Policy
	lines bool // reading a range file (ParseLines)
	n     int  // elements in the list, empty ones included
	limit int  // elements to examine: n, or p.MaxEntries when smaller

	list   List // the entries so far, while there are no problems
	egress bool // the element 0.0.0.0/32 was seen alone

	tags     int    // service tags accepted so far
	firstTag string // the first of them, and where it is, for messages
	tagIndex int
	tagLine  int

	errs    []*EntryError
	omitted int // problems found beyond maxReported
	notes   int // trimmed entries found, listed or not
}

func newParser(p Policy, n int, lines bool) parser {
	ps := parser{p: p, lines: lines, n: n, limit: n}
	if p.MaxEntries > 0 && p.MaxEntries < n {
		ps.limit = p.MaxEntries // a longer list fails anyway: do not examine the rest
	}
	ps.list = List{Mode: Restricted, Policy: p, Prefixes: make([]netip.Prefix, 0, min(ps.limit, preallocMax))}
	return ps
}

// failed reports whether a problem was found.
func (ps *parser) failed() bool { return len(ps.errs) > 0 || ps.omitted > 0 }

// room reports whether another problem can be listed; when it cannot, it
// counts the problem as omitted. Callers compute a reason only when there
// is room, so that a list of a million bad elements costs no more than
// counting them.
func (ps *parser) room() bool {
	if len(ps.errs) < maxReported {
		return true
	}
	ps.omitted++
	return false
}

func (ps *parser) fail(i int, text string, line, col int, kind error, reason string) {
	ps.errs = append(ps.errs, newEntryError(i, text, kind, reason, line, col))
}

// trim removes the characters around an element that the policy trims,
// and returns the rest and how many bytes it removed from the front.
func (ps *parser) trim(elem string) (string, int) {
	if ps.p.TrimUnicodeSpace {
		return trimPySpace(elem)
	}
	return trimSpaceTab(elem)
}

// where names element i, text, and its place for messages:
// `entry 0 "AzureCloud"` or `"AzureCloud" on line 3`.
func (ps *parser) where(i, line int, text string) string {
	if line > 0 {
		return quoteShort(text) + " on line " + strconv.Itoa(line)
	}
	return "entry " + strconv.Itoa(i) + " " + quoteShort(text)
}

// element examines element i, elem as written (before trimming), which
// starts at line and col of a range file (0 for Parse).
func (ps *parser) element(i int, elem string, line, col int) {
	text, off := ps.trim(elem)
	if line > 0 {
		col += off
	}
	lead, trail := elem[:off], elem[off+len(text):]
	var v verdict
	ps.judge(text, &v)
	switch {
	case text == "" && ps.n == 1:
		// Only invisible characters: not the empty value, and not an
		// empty element beside others either.
		if ps.room() {
			ps.fail(i, ascii.TrimSpaceTab(elem), line, col, ErrMalformed, invisibleOnlyReason(elem))
		}
		return
	case v.egress:
		if ps.n == 1 {
			ps.egress = true
			ps.note(line, lead, trail, text, -1)
			return
		}
		if ps.room() {
			ps.fail(i, text, line, col, ErrEgressOnlyMixed, "0.0.0.0/32 means \"only the cluster's egress addresses\" and must be the only entry; "+
				"remove it to allow the listed ranges, or remove every other entry")
		}
		return
	}
	if v.n == 0 {
		ps.accept(i, line, lead, trail, text, &v)
		return
	}
	for k := range v.n {
		if ps.room() {
			ps.fail(i, text, line, col, v.kinds[k], ps.reason(v, k, text, i, 0))
		}
	}
}

// accept adds an element without problems to the list.
func (ps *parser) accept(i, line int, lead, trail, text string, v *verdict) {
	if v.tag {
		if ps.tags == 0 {
			ps.firstTag, ps.tagIndex, ps.tagLine = text, i, line
		}
		ps.tags++
		if !ps.failed() {
			// Clone so that the List does not keep a large input alive.
			ps.list.ServiceTags = append(ps.list.ServiceTags, strings.Clone(text))
			ps.note(line, lead, trail, text, -1)
		}
		return
	}
	if !ps.failed() { // a failed list is dropped: keep no more of it
		ps.list.Prefixes = append(ps.list.Prefixes, v.pfx)
		ps.note(line, lead, trail, text, len(ps.list.Prefixes)-1)
	}
}

// note records a LintTrimmed finding when the characters trimmed around
// text, lead and trail, are more than spaces and tabs. index is the
// entry's index in List.Prefixes, or -1.
func (ps *parser) note(line int, lead, trail, text string, index int) {
	if len(lead)+len(trail) == 0 || !ps.p.TrimUnicodeSpace || ascii.TrimSpaceTab(lead) == "" && ascii.TrimSpaceTab(trail) == "" {
		return
	}
	lead, trail = strings.Map(dropSpaceTab, lead), strings.Map(dropSpaceTab, trail)
	ps.notes++
	if ps.notes > maxReported {
		return
	}
	var parts []string
	if lead != "" {
		parts = append(parts, describeRunes(lead)+" before it")
	}
	if trail != "" {
		parts = append(parts, describeRunes(trail)+" after it")
	}
	where := ""
	if line > 0 {
		where = " on line " + strconv.Itoa(line)
	}
	entry := strings.Clone(text)
	if index >= 0 {
		entry = ps.list.Prefixes[index].String()
	}
	ps.list.notes = append(ps.list.notes, Finding{Kind: LintTrimmed, Index: index, Entry: entry,
		Message: fmt.Sprintf("was written%s with %s; the az CLI ignores such invisible characters around an entry and so did Parse, "+
			"but other tools may not: write the entry without them", where, strings.Join(parts, " and "))})
}

// dropSpaceTab is a strings.Map function that drops spaces and tabs.
func dropSpaceTab(r rune) rune {
	if r < utf8.RuneSelf && ascii.IsSpaceTab(byte(r)) {
		return -1
	}
	return r
}

// tooMany records the ErrTooMany problem; text is the first element
// beyond the limit.
func (ps *parser) tooMany(text string, line, col int) {
	extra := ps.n - ps.p.MaxEntries
	ps.fail(ps.p.MaxEntries, text, line, col, ErrTooMany,
		fmt.Sprintf("the list has %d entries and this policy allows at most %d, duplicates and empty entries included; "+
			"remove %d %s from here on, or merge ranges into shorter prefixes (Fit finds the merge that lets in the fewest extra addresses)", ps.n, ps.p.MaxEntries, extra, plural(extra, "entry", "entries")))
}

// result returns the list, or the error that lists its problems.
func (ps *parser) result() (List, error) {
	if ps.failed() {
		return List{}, &ListError{Errors: ps.errs, Omitted: ps.omitted}
	}
	l := ps.list
	if ps.notes > maxReported {
		more := ps.notes - maxReported
		l.notes = append(l.notes, Finding{Kind: LintTrimmed, Index: -1,
			Message: fmt.Sprintf("and %d more %s written with invisible characters around them (only the first %d are listed)",
				more, plural(more, "entry was", "entries were"), maxReported)})
	}
	if ps.egress {
		return List{Mode: EgressOnly, Policy: ps.p, notes: l.notes}, nil
	}
	if len(l.Prefixes) == 0 {
		l.Prefixes = nil // a list of tags only: keep one shape for "no prefixes"
	}
	return l, nil
}

// verdict is what judge finds about one trimmed element.
type verdict struct {
	pfx    netip.Prefix // the element as a prefix, when it is an address or prefix
	tag    bool         // the element is a well-formed tag name
	egress bool         // the element is 0.0.0.0/32
	kinds  [3]error     // the problems found, in rule order
	n      int          // how many
}

func (v *verdict) add(kind error) { v.kinds[v.n] = kind; v.n++ }

// judge applies the rules to one trimmed element and records what it
// finds in v, which must be zero, and nowhere else. Messages call it to
// check the fixes they offer.
func (ps *parser) judge(text string, v *verdict) {
	p := ps.p
	switch {
	case text == "":
		v.add(ErrEmptyEntry)
		return
	case text == egressOnlyText:
		v.egress = true
		return
	case len(text) > maxEntryLen:
		v.add(ErrMalformed)
		return
	case ps.isTag(text):
		v.tag = true
		switch {
		case p.MaxServiceTags <= 0:
			v.add(ErrMalformed)
		case ps.tags >= p.MaxServiceTags:
			v.add(ErrTooManyServiceTags)
		}
		return
	}
	pfx, ok := parsePrefix(text)
	if !ok {
		v.add(ErrMalformed)
		return
	}
	v.pfx = pfx
	if embeddedIPv4Reason(pfx) != "" {
		v.add(ErrMalformed)
		return
	}
	m := pfx.Masked()
	if m != pfx {
		v.add(ErrNonCanonical)
	}
	if p.IPv4Only && m.Addr().Is6() {
		v.add(ErrIPv6)
	}
	if p.RequireGlobal {
		if _, bad := nonGlobal(m); bad {
			v.add(ErrNotGlobal)
		}
	}
}

// isTag reports whether s is a tag name in the policy's grammar.
func (ps *parser) isTag(s string) bool {
	if ps.p.ProviderTags {
		return isProviderTagName(s)
	}
	return isTagName(s)
}

// refusal says why the policy refuses the canonical prefix p, as a clause
// such as "it is IPv6", or returns "" when it accepts p.
func (ps *parser) refusal(p netip.Prefix) string {
	switch {
	case embeddedIPv4Reason(p) != "":
		return "it is IPv4-mapped or IPv4-compatible IPv6"
	case ps.p.IPv4Only && p.Addr().Is6():
		return "it is IPv6"
	case ps.p.RequireGlobal:
		if b, bad := nonGlobal(p); bad {
			return fmt.Sprintf("it lies inside %s, %s, which is not globally reachable", b.prefix, b.name)
		}
	}
	return ""
}

// reason returns the message for problem k of v, the verdict on text,
// element i. depth counts the fixes being checked: a message offers fixes
// only at depth 0 and 1, so that checking a fix cannot recurse.
func (ps *parser) reason(v verdict, k int, text string, i, depth int) string {
	p := ps.p
	switch v.kinds[k] {
	case ErrEmptyEntry:
		if ps.lines {
			return "empty entry (a comma with no entry before or after it; blank lines and comments are not entries); remove the comma"
		}
		return "empty entry (a leading, trailing or doubled comma, or a blank between commas); remove it"
	case ErrTooManyServiceTags:
		return fmt.Sprintf("this policy allows at most %d service %s (the first is %s); "+
			"remove a tag, or list this tag's address ranges instead", p.MaxServiceTags, plural(p.MaxServiceTags, "tag", "tags"),
			ps.where(ps.tagIndex, ps.tagLine, ps.firstTag))
	case ErrNonCanonical:
		return ps.hostBitsReason(v.pfx)
	case ErrIPv6:
		return "is an IPv6 range and this policy accepts only IPv4 (as AKS does); remove it"
	case ErrNotGlobal:
		b, _ := nonGlobal(v.pfx.Masked())
		hint := "list the public addresses your clients come from"
		if text == "0.0.0.0" {
			hint = "to allow only the cluster's egress addresses, write 0.0.0.0/32 as the only entry"
		}
		return fmt.Sprintf("lies inside %s, %s, which is not globally reachable; this policy accepts only global ranges: %s",
			b.prefix, b.name, hint)
	}
	// ErrMalformed.
	switch {
	case len(text) > maxEntryLen:
		return longReason(text, ps.lines)
	case v.tag:
		return "looks like a service-tag name, but this policy allows no service tags; list the tag's address ranges instead"
	case v.pfx.IsValid():
		return ps.embeddedReason(v.pfx, depth)
	}
	return ps.malformedReason(text, depth)
}

// hostBitsReason explains the prefix p with host bits set, offering the
// range it starts and the single address, where the policy accepts them.
func (ps *parser) hostBitsReason(p netip.Prefix) string {
	m := p.Masked()
	single := netip.PrefixFrom(p.Addr(), p.Addr().BitLen())
	mWhy, sWhy := ps.refusal(m), ps.refusal(single)
	switch {
	case mWhy == "" && sWhy == "":
		return fmt.Sprintf("host bits are set; the range starts at %s; write %s (or %s for the single address)", m, m, single)
	case mWhy == "":
		return fmt.Sprintf("host bits are set; the range starts at %s; write %s", m, m)
	case sWhy == "":
		return fmt.Sprintf("host bits are set; the range starts at %s, which this policy refuses because %s; write %s for the single address",
			m, mWhy, single)
	}
	return fmt.Sprintf("host bits are set; the range starts at %s, but this policy refuses it because %s, and refuses the single address %s too; "+
		"remove the entry or write the range you meant", m, mWhy, single)
}

// embeddedReason explains why p, an IPv6 prefix inside the IPv4-mapped or
// IPv4-compatible space, is refused, and offers the IPv4 range it names
// when the policy accepts that.
func (ps *parser) embeddedReason(p netip.Prefix, depth int) string {
	reason := embeddedIPv4Reason(p)
	b := p.Addr().As16()
	v4 := netip.PrefixFrom(netip.AddrFrom4([4]byte(b[12:])), p.Bits()-96)
	why := ps.refusal(v4.Masked())
	if v4 != v4.Masked() {
		why = "it has host bits set" // only through host bits in p
	}
	mapped := mappedSpace.Contains(p.Addr())
	switch {
	case mapped && why == "":
		return reason + fmt.Sprintf("; write the IPv4 form %s instead", v4)
	case mapped:
		return reason + fmt.Sprintf("; its IPv4 form %s is refused too, because %s: remove the entry", v4, why)
	case why == "" && !ps.p.IPv4Only:
		return reason + fmt.Sprintf("; write %s if you meant it, or an IPv6 range outside ::/96", v4)
	case why == "":
		return reason + fmt.Sprintf("; write %s if you meant it", v4)
	case !ps.p.IPv4Only:
		return reason + fmt.Sprintf("; %s is refused too, because %s: write an IPv6 range outside ::/96", v4, why)
	}
	return reason + fmt.Sprintf("; %s is refused too, because %s: remove the entry", v4, why)
}

// check judges cand, a repair of an element that a message may offer. It
// returns "" when the policy accepts cand, and otherwise the reason for
// its first problem: the full reason at depth 0, and below that only the
// kind of problem, so that checking fixes never recurses further.
func (ps *parser) check(cand string, depth int) string {
	var v verdict
	ps.judge(cand, &v)
	switch {
	case v.egress && ps.n == 1:
		return ""
	case v.egress:
		return "0.0.0.0/32 must be the only entry"
	case v.n == 0:
		return ""
	case depth > 0:
		return kindSummary[v.kinds[0]]
	}
	return ps.reason(v, 0, cand, -1, depth+1)
}

// kindSummary says what each kind of problem is, for fixes of fixes.
var kindSummary = map[error]string{
	ErrEmptyEntry:         "it is empty",
	ErrMalformed:          "it is malformed",
	ErrNonCanonical:       "it has host bits set",
	ErrIPv6:               "it is IPv6 and this policy accepts only IPv4",
	ErrNotGlobal:          "it is not a global range",
	ErrTooManyServiceTags: "this policy allows no more service tags",
}

// fixPhrase offers cand as the fix ("write CAND"), or says why the
// policy would refuse it too.
func (ps *parser) fixPhrase(cand string, depth int) string {
	if why := ps.check(cand, depth); why != "" {
		return fmt.Sprintf("%s would be refused too: %s", quoteShort(cand), why)
	}
	return "write " + cand
}

// then joins action, which repairs an element into cand, with cand as the
// fix ("remove them and write CAND"), or with why the policy would refuse
// cand too.
func (ps *parser) then(action, cand string, depth int) string {
	if why := ps.check(cand, depth); why != "" {
		return fmt.Sprintf("%s, but %s would be refused too: %s", action, quoteShort(cand), why)
	}
	return action + " and write " + cand
}

// quoteShort quotes s for a message, shortened when long.
func quoteShort(s string) string {
	if len(s) > maxQuoted {
		s = cut(s, maxQuoted) + "..."
	}
	return strconv.Quote(s)
}

// String returns the list in canonical form: every prefix in netip's
// canonical form with its length (a bare address prints as /32 or /128),
// in order, then the service tags, joined by commas without spaces. For
// every list Parse or ParseLines returns, Parse(l.String(), l.Policy)
// returns l again.
//
// A Disabled list prints as "" and an EgressOnly list as "0.0.0.0/32". The
// prefix 0.0.0.0/32 in a Restricted list prints as "0.0.0.0", which is not
// the egress-only text.
//
// String fails closed: it never returns text that parses to a wider list.
// A Restricted list with no entries (such as the zero List, which allows
// nothing) prints as "<empty>", and a List that Parse cannot produce (an
// unknown Mode, a Disabled or EgressOnly list with entries, an invalid
// (zero) prefix, or a tag that is not a well-formed name in the wider
// grammar of Policy.ProviderTags) prints as "<invalid>"; Parse rejects
// both texts as malformed. Other prefixes that Parse would refuse (host
// bits set, IPv4-mapped) print as they are and are refused when parsed.
func (l List) String() string {
	hasEntries := len(l.Prefixes) > 0 || len(l.ServiceTags) > 0
	switch {
	case l.Mode == Disabled && !hasEntries:
		return ""
	case l.Mode == EgressOnly && !hasEntries:
		return egressOnlyText
	case l.Mode != Restricted:
		return invalidListText
	case !hasEntries:
		return emptyRestrictedText
	}
	for _, p := range l.Prefixes {
		if !p.IsValid() { // the zero Prefix prints as nothing, which could read as ""
			return invalidListText
		}
	}
	for _, t := range l.ServiceTags {
		if !isProviderTagName(t) { // a comma in a tag would add entries
			return invalidListText
		}
	}
	b := make([]byte, 0, 20*len(l.Prefixes)+16*len(l.ServiceTags))
	for _, p := range l.Prefixes {
		if len(b) > 0 {
			b = append(b, ',')
		}
		if p == egressPrefix {
			b = append(b, "0.0.0.0"...)
			continue
		}
		b = p.AppendTo(b)
	}
	for _, t := range l.ServiceTags {
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = append(b, t...)
	}
	return string(b)
}

// String returns the name of the mode: "Restricted", "Disabled",
// "EgressOnly", or "Mode(N)" for other values.
func (m Mode) String() string {
	switch m {
	case Restricted:
		return "Restricted"
	case Disabled:
		return "Disabled"
	case EgressOnly:
		return "EgressOnly"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// parsePrefix parses text as a prefix (with a slash) or an address
// (without), strictly. A bare address becomes a /32 or /128 prefix.
// Zoned addresses are refused.
func parsePrefix(text string) (netip.Prefix, bool) {
	if strings.IndexByte(text, '/') >= 0 {
		p, err := netip.ParsePrefix(text)
		return p, err == nil
	}
	a, err := netip.ParseAddr(text)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// embeddedIPv4Reason explains why p, an IPv6 prefix inside the
// IPv4-mapped or IPv4-compatible space, is refused, or returns "".
func embeddedIPv4Reason(p netip.Prefix) string {
	a := p.Addr()
	if !a.Is6() || p.Bits() < 96 {
		return ""
	}
	b := a.As16()
	v4 := netip.PrefixFrom(netip.AddrFrom4([4]byte(b[12:])), p.Bits()-96)
	switch {
	case mappedSpace.Contains(a):
		return "is an IPv4-mapped IPv6 range, which names IPv4 hosts"
	case compatSpace.Contains(a) && p.Bits() == 128 && (b[15] == 0 || b[15] == 1) && b[12]|b[13]|b[14] == 0:
		return "" // ::/128 and ::1/128
	case compatSpace.Contains(a):
		return fmt.Sprintf("is an IPv4-compatible IPv6 range (deprecated by RFC 4291), which embeds the IPv4 range %s", v4)
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
