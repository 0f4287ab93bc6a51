package allowlist

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/ascii"
	"github.com/ipallow/ipallow/internal/ipx"
	"net/netip"
	"strconv"
	"strings"
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
)

var (
	egressPrefix = netip.MustParsePrefix(egressOnlyText)
	mappedSpace  = netip.MustParsePrefix("::ffff:0:0/96")
	compatSpace  = netip.MustParsePrefix("::/96")
)

// Parse parses and validates a comma-separated range list, as a user
// writes it for az aks update --api-server-authorized-ip-ranges, under the
// policy p.
//
// The rules, in order (SPEC §1):
//
//  1. A value that is empty or only ASCII spaces and tabs gives a Disabled
//     list: everything is allowed. This is the only way to allow all.
//  2. The value is split on commas. Each element loses the ASCII spaces
//     and horizontal tabs around it and nothing else; nothing inside an
//     element is changed.
//  3. The element 0.0.0.0/32 alone gives an EgressOnly list; beside other
//     elements it is ErrEgressOnlyMixed. Only this exact text counts:
//     0.0.0.0 is an ordinary (non-global) address.
//  4. An empty element beside others is ErrEmptyEntry.
//  5. Every other element is an address (meaning /32 or /128) or a prefix
//     in strict net/netip syntax, or else a service-tag name. Host bits
//     set is ErrNonCanonical. Zones, IPv4-mapped and IPv4-compatible
//     IPv6 (see below), leading zeros, short or integer IPv4, prefix
//     lengths other than plain decimal, brackets and ports, inner spaces,
//     control or non-ASCII bytes, elements longer than 100 bytes, and
//     service tags under a policy without them are ErrMalformed. Tags
//     beyond p.MaxServiceTags are ErrTooManyServiceTags.
//  6. With p.IPv4Only an IPv6 prefix is ErrIPv6; with p.RequireGlobal a
//     prefix inside one non-global block is ErrNotGlobal.
//  7. With p.MaxEntries, a list of more elements than that, counted after
//     splitting and duplicates included, is ErrTooMany.
//
// Negative limits in p count as 0.
//
// Parse reports every problem of the list at once: a non-nil error is a
// *ListError holding one *EntryError per problem, in element order, with
// the ErrTooMany problem last. Each element gets at most one error, for
// the first rule it breaks, so an element both IPv6 and non-global is
// reported as ErrIPv6 only. On error the List is the zero List, which
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
// all are malformed rather than tags.
// Tags are kept in List.ServiceTags as written, case and all; whether a
// tag exists is not checked here, and lookups elsewhere ignore case.
//
// Parse takes time and memory in proportion to len(s), also when it
// reports errors (one per bad element). Bound the length of text from an
// untrusted source before parsing it.
func Parse(s string, p Policy) (List, error) {
	if ascii.TrimSpaceTab(s) == "" {
		return List{Mode: Disabled, Policy: p}, nil
	}
	n := strings.Count(s, ",") + 1
	if n == 1 && ascii.TrimSpaceTab(s) == egressOnlyText {
		return List{Mode: EgressOnly, Policy: p}, nil
	}

	var (
		l         = List{Mode: Restricted, Policy: p}
		errs      []*EntryError
		firstTag  = -1
		overLimit string // the first element beyond p.MaxEntries
	)
	size := n
	if p.MaxEntries > 0 && p.MaxEntries < n {
		size = p.MaxEntries // a longer list fails anyway; don't let commas buy memory
	}
	l.Prefixes = make([]netip.Prefix, 0, size)
	fail := func(i int, text string, kind error, format string, args ...any) {
		errs = append(errs, &EntryError{Index: i, Entry: text, Kind: kind, Reason: fmt.Sprintf(format, args...)})
	}

	rest := s
	for i := 0; i < n; i++ {
		elem, after, _ := strings.Cut(rest, ",")
		rest = after
		text := ascii.TrimSpaceTab(elem)
		if p.MaxEntries > 0 && i == p.MaxEntries {
			overLimit = text
		}

		switch {
		case text == "":
			fail(i, text, ErrEmptyEntry, "empty entry (a leading, trailing or doubled comma, or a blank between commas); remove it")
			continue
		case text == egressOnlyText:
			fail(i, text, ErrEgressOnlyMixed, "0.0.0.0/32 means \"only the cluster's egress addresses\" and must be the only entry; "+
				"remove it to allow the listed ranges, or remove every other entry")
			continue
		case len(text) > maxEntryLen:
			fail(i, text, ErrMalformed, "is %d bytes long; no address, prefix or service-tag name is longer than %d bytes", len(text), maxEntryLen)
			continue
		case isTagName(text):
			switch {
			case p.MaxServiceTags <= 0:
				fail(i, text, ErrMalformed, "looks like a service-tag name, but this policy allows no service tags; "+
					"list the tag's address ranges instead")
			case len(l.ServiceTags) >= p.MaxServiceTags:
				fail(i, text, ErrTooManyServiceTags, "this policy allows at most %d service %s (the first is entry %d %q); "+
					"remove a tag, or list this tag's address ranges instead", p.MaxServiceTags, plural(p.MaxServiceTags, "tag", "tags"),
					firstTag, l.ServiceTags[0])
			default:
				if firstTag < 0 {
					firstTag = i
				}
				// Clone so that the List does not keep a large input alive.
				l.ServiceTags = append(l.ServiceTags, strings.Clone(text))
			}
			continue
		}

		pfx, ok := parsePrefix(text)
		if !ok {
			fail(i, text, ErrMalformed, "%s", malformedReason(text))
			continue
		}
		if reason := embeddedIPv4Reason(pfx); reason != "" {
			fail(i, text, ErrMalformed, "%s", reason)
			continue
		}
		if m := pfx.Masked(); m != pfx {
			fail(i, text, ErrNonCanonical, "host bits are set; the range starts at %s — write %s (or %s for the single address)",
				m, m, netip.PrefixFrom(pfx.Addr(), pfx.Addr().BitLen()))
			continue
		}
		if p.IPv4Only && pfx.Addr().Is6() {
			fail(i, text, ErrIPv6, "is an IPv6 range and this policy accepts only IPv4 (as AKS does); remove it")
			continue
		}
		if p.RequireGlobal {
			if b, bad := nonGlobal(pfx); bad {
				hint := "list the public addresses your clients come from"
				if text == "0.0.0.0" {
					hint = "to allow only the cluster's egress addresses, write 0.0.0.0/32 as the only entry"
				}
				fail(i, text, ErrNotGlobal, "lies inside %s, %s, which is not globally reachable; this policy accepts only global ranges — %s",
					b.prefix, b.name, hint)
				continue
			}
		}
		l.Prefixes = append(l.Prefixes, pfx)
	}

	if p.MaxEntries > 0 && n > p.MaxEntries {
		extra := n - p.MaxEntries
		errs = append(errs, &EntryError{Index: p.MaxEntries, Entry: overLimit, Kind: ErrTooMany,
			Reason: fmt.Sprintf("the list has %d entries and this policy allows at most %d, duplicates and empty entries included; "+
				"remove %d %s from here on or merge ranges into shorter prefixes", n, p.MaxEntries, extra, plural(extra, "entry", "entries"))})
	}
	if errs != nil {
		return List{}, &ListError{Errors: errs}
	}
	if len(l.Prefixes) == 0 {
		l.Prefixes = nil // a list of tags only: keep one shape for "no prefixes"
	}
	return l, nil
}

// String returns the list in canonical form: every prefix in netip's
// canonical form with its length (a bare address prints as /32 or /128),
// in order, then the service tags, joined by commas without spaces. For
// every list Parse returns, Parse(l.String(), p) returns l again.
//
// A Disabled list prints as "" and an EgressOnly list as "0.0.0.0/32". The
// prefix 0.0.0.0/32 in a Restricted list prints as "0.0.0.0", which is not
// the egress-only text.
//
// String fails closed: it never returns text that parses to a wider list.
// A Restricted list with no entries (such as the zero List, which allows
// nothing) prints as "<empty>", and a List that Parse cannot produce (an
// unknown Mode, a Disabled or EgressOnly list with entries, an invalid
// (zero) prefix, or a tag that is not a well-formed name) prints as
// "<invalid>"; Parse rejects both texts as malformed. Other prefixes that
// Parse would refuse (host bits set, IPv4-mapped) print as they are and
// are refused when parsed.
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
		if !isTagName(t) { // a comma in a tag would add entries
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

// isTagName reports whether s is a well-formed service-tag name: one or
// two parts joined by a dot, each an ASCII letter followed by ASCII letters
// and digits, the first part starting with a capital letter, at most
// maxEntryLen bytes in all. All 3,609 distinct tag names in Microsoft's
// service-tag files (Public 2020 and 2025, AzureGovernment, China,
// AzureGermany) have this shape, checked when this was written; no IP
// address or prefix has it (IPv4 starts with a digit, IPv6 has a colon),
// nor do words such as localhost, any or all.
func isTagName(s string) bool {
	if len(s) == 0 || len(s) > maxEntryLen {
		return false
	}
	first, second, dotted := strings.Cut(s, ".")
	return isTagPart(first) && 'A' <= first[0] && first[0] <= 'Z' && (!dotted || isTagPart(second))
}

func isTagPart(s string) bool {
	if len(s) == 0 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

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
		return fmt.Sprintf("is an IPv4-mapped IPv6 range, which names IPv4 hosts; write the IPv4 form %s instead", v4)
	case compatSpace.Contains(a) && p.Bits() == 128 && (b[15] == 0 || b[15] == 1) && b[12]|b[13]|b[14] == 0:
		return "" // ::/128 and ::1/128
	case compatSpace.Contains(a):
		return fmt.Sprintf("is an IPv4-compatible IPv6 range (deprecated by RFC 4291), which embeds the IPv4 range %s; "+
			"write %s if you meant it, or an IPv6 range outside ::/96", v4, v4)
	}
	return ""
}

// malformedReason explains why text, which is neither an acceptable
// address or prefix nor a service-tag name, is malformed, and how to fix
// it. It runs only on the error path.
func malformedReason(text string) string {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= 0x80 {
			return fmt.Sprintf("has the non-ASCII byte 0x%02x at offset %d; write the entry in plain ASCII "+
				"(look for digits, dots or spaces pasted from a document)", c, i)
		}
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c == 0x7f {
			return fmt.Sprintf("has the control character %q at offset %d; remove it", c, i)
		}
	}
	switch {
	case strings.ContainsAny(text, " \t"):
		return "has a space inside; separate entries with commas and write no spaces within an entry"
	case text == emptyRestrictedText:
		return "is how List.String prints a list with no entries, which allows nothing; it cannot be parsed — " +
			"list at least one range, write 0.0.0.0/32 for egress only, or leave the value empty to disable the allowlist"
	case text == invalidListText:
		return "is how List.String prints a List that Parse cannot produce; it cannot be parsed — build the list from text with Parse"
	case strings.IndexByte(text, '%') >= 0:
		return "has an IPv6 zone (the part from %); zones are not allowed in a range list — remove it"
	case strings.ContainsAny(text, "[]"):
		return "has brackets; write the address without brackets and without a port"
	}

	addr, bits, hasSlash := strings.Cut(text, "/")
	if reason := addrReason(addr); reason != "" {
		return reason
	}
	if !hasSlash {
		return "is not an IP address, a prefix or a service-tag name"
	}
	a := netip.MustParseAddr(addr) // addrReason accepted it
	maxBits := a.BitLen()
	if bits == "" {
		return fmt.Sprintf("has no prefix length after the slash; write a decimal length from 0 to %d, such as %s/%d", maxBits, addr, maxBits)
	}
	if m, err := netip.ParseAddr(bits); err == nil && m.Is4() && a.Is4() {
		if n, ok := maskBits(m.As4()); ok {
			return fmt.Sprintf("has a netmask instead of a prefix length; write %s/%d", addr, n)
		}
		if n, ok := maskBits(invert(m.As4())); ok {
			return fmt.Sprintf("has a hostmask instead of a prefix length; write %s/%d", addr, n)
		}
	}
	allDigits := true
	for i := 0; i < len(bits); i++ {
		allDigits = allDigits && isDigit(bits[i])
	}
	if allDigits {
		n, err := strconv.Atoi(bits)
		switch {
		case err == nil && n <= maxBits && bits[0] == '0':
			return fmt.Sprintf("has the prefix length %q with a leading zero; write /%d", bits, n)
		case err != nil || n > maxBits:
			return fmt.Sprintf("has the prefix length %s, beyond the %d bits of an %s address; write a length from 0 to %d",
				bits, maxBits, ipx.Family(a), maxBits)
		}
	}
	return fmt.Sprintf("has the prefix length %q, which is not a plain decimal number; write a length from 0 to %d", bits, maxBits)
}

// addrReason explains why addr is not an acceptable address, or returns ""
// when netip.ParseAddr accepts it without a zone.
func addrReason(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err == nil && a.Zone() == "" {
		return ""
	}
	if addr == "" {
		return "has no address before the slash"
	}
	if strings.IndexByte(addr, ':') >= 0 {
		if host, port, ok := strings.Cut(addr, ":"); ok && strings.IndexByte(port, ':') < 0 {
			if h, err := netip.ParseAddr(host); err == nil && h.Is4() {
				return fmt.Sprintf("looks like address:port; remove the port and write %s", host)
			}
		}
		return fmt.Sprintf("is not a valid IPv6 address or prefix (%v)", unquoteNetipErr(err))
	}
	if isLetter(addr[0]) && strings.IndexByte(addr, '/') < 0 {
		return "is not an IP address, a prefix or a well-formed service-tag name; tag names start with a capital letter, " +
			"hold only ASCII letters and digits and at most one dot, such as AzureCloud or Storage.EastUS"
	}
	if strings.HasPrefix(addr, "0x") || strings.HasPrefix(addr, "0X") || strings.Contains(addr, ".0x") || strings.Contains(addr, ".0X") {
		return "is a hexadecimal IPv4 form, which is not accepted; write four decimal octets such as 10.0.0.1"
	}
	fields := strings.Split(addr, ".")
	digits := true
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			digits = digits && isDigit(f[i])
		}
	}
	if digits {
		for _, f := range fields {
			if f == "" {
				return "has an empty octet (a leading, trailing or doubled dot); write four decimal octets such as 10.0.0.1"
			}
		}
		if len(fields) == 1 {
			return "is an integer IPv4 form, which is not accepted; write four decimal octets such as 10.0.0.1"
		}
		if len(fields) != 4 {
			return fmt.Sprintf("has %d octets instead of 4; write all four decimal octets (short forms such as 10.1 are read differently by different parsers)", len(fields))
		}
		for _, f := range fields {
			if len(f) > 1 && f[0] == '0' {
				return fmt.Sprintf("has the octet %q with a leading zero, which some parsers read as octal; write the octets in decimal without leading zeros", f)
			}
		}
		for _, f := range fields {
			if n, err := strconv.Atoi(f); err != nil || n > 255 {
				return fmt.Sprintf("has the octet %s, greater than 255", f)
			}
		}
	}
	return fmt.Sprintf("is not an IP address, a prefix or a service-tag name (%v)", unquoteNetipErr(err))
}

// unquoteNetipErr returns what netip's error says after its echo of the input.
func unquoteNetipErr(err error) string {
	if err == nil {
		return "zone not allowed"
	}
	msg := err.Error()
	if i := strings.Index(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// maskBits returns the prefix length of the contiguous netmask m.
func maskBits(m [4]byte) (int, bool) {
	v := uint32(m[0])<<24 | uint32(m[1])<<16 | uint32(m[2])<<8 | uint32(m[3])
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && v<<n != 0 {
		return 0, false
	}
	return n, true
}

func invert(m [4]byte) [4]byte { return [4]byte{^m[0], ^m[1], ^m[2], ^m[3]} }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
