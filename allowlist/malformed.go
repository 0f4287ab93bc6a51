package allowlist

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ipallow/ipallow/internal/ipx"
)

// This file explains malformed elements. Everything here runs only on the
// error path, for at most maxReported elements of a list, each at most
// maxEntryLen bytes long.

// malformedReason explains why text, which is neither an acceptable
// address or prefix nor a service-tag name, is malformed, and how to fix
// it. Pasting mistakes come first, because their fix is the most useful.
func (ps *parser) malformedReason(text string, depth int) string {
	for _, explain := range []func(string, int) string{
		ps.variableReason, ps.quoteReason, ps.separatorReason, ps.nonASCIIReason, ps.controlReason,
	} {
		if r := explain(text, depth); r != "" {
			return r
		}
	}
	switch {
	case text == emptyRestrictedText:
		return "is how List.String prints a list with no entries, which allows nothing; it cannot be parsed: " +
			"list at least one range, write 0.0.0.0/32 for egress only, or leave the value empty to disable the allowlist"
	case text == invalidListText:
		return "is how List.String prints a List that Parse cannot produce; it cannot be parsed: build the list from text with Parse"
	case strings.IndexByte(text, '%') >= 0:
		addr, rest, _ := strings.Cut(text, "%")
		if _, bits, ok := strings.Cut(rest, "/"); ok {
			addr += "/" + bits
		}
		return "has an IPv6 zone (the part from %), and zones are not allowed in a range list; " + ps.then("remove it", addr, depth)
	case strings.ContainsAny(text, "[]"):
		return ps.bracketReason(text, depth)
	}
	return ps.syntaxReason(text, depth)
}

// variableReason explains a shell or cmd.exe variable left unexpanded,
// such as $CURRENT_IP, ${CURRENT_IP}, $(curl ...), $env:IP or %IP%.
func (ps *parser) variableReason(text string, depth int) string {
	if i := strings.IndexByte(text, '$'); i >= 0 {
		if name := shellVariable(text[i:]); name != "" {
			if strings.HasPrefix(name, "$(") {
				return fmt.Sprintf("holds %s, a shell command substitution that was not run "+
					"(in single quotes, or in a file or tool that runs no shell); write the address or range it would print", quoteShort(name))
			}
			return fmt.Sprintf("holds %s, a shell variable that was not expanded "+
				"(in single quotes, or in a file or tool that expands no variables); write the address or range it stands for", name)
		}
	}
	if i := strings.IndexByte(text, '%'); i >= 0 && strings.IndexByte(text[:i], ':') < 0 { // not an IPv6 zone
		if j := strings.IndexByte(text[i+1:], '%'); j > 0 && isIdentifier(text[i+1:i+1+j]) {
			return fmt.Sprintf("holds %s, a cmd.exe variable that was not expanded; write the address or range it stands for", text[i:i+2+j])
		}
	}
	return ""
}

// shellVariable returns the variable reference that s starts with
// ($NAME, ${NAME}, $(...), $env:NAME), or "".
func shellVariable(s string) string {
	switch {
	case strings.HasPrefix(s, "${"):
		if j := strings.IndexByte(s, '}'); j > 2 {
			return s[:j+1]
		}
		return ""
	case strings.HasPrefix(s, "$("):
		if j := strings.IndexByte(s, ')'); j > 2 {
			return s[:j+1]
		}
		return s
	}
	n := 1
	for n < len(s) && (isLetter(s[n]) || isDigit(s[n]) || s[n] == '_' || s[n] == ':' && n > 1) {
		n++
	}
	if n == 1 || isDigit(s[1]) || s[1] == ':' {
		return ""
	}
	return s[:n]
}

func isIdentifier(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// quoteNames names the quote characters that paste into lists.
var quoteNames = map[rune]string{
	'"': "a double quote", '\'': "a single quote", '`': "a backquote",
	'\u201c': "a typographic quote", '\u201d': "a typographic quote", '\u2018': "a typographic quote", '\u2019': "a typographic quote",
}

// quoteReason explains quotes around an element, or within a JSON array
// as az aks show prints the list: ["1.2.3.4/32", "5.6.7.8/32"].
func (ps *parser) quoteReason(text string, depth int) string {
	s, json := text, false
	if t, ok := strings.CutPrefix(s, "["); ok {
		s, json = t, true
	}
	if t, ok := strings.CutSuffix(s, "]"); ok {
		s, json = t, true
	}
	s, _ = trimPySpace(s)
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	openName, opened := quoteNames[first]
	closeName, closed := quoteNames[last]
	if opened {
		s = s[utf8.RuneLen(first):]
	}
	if closed && s != "" {
		s = s[:len(s)-utf8.RuneLen(last)]
	} else if closed {
		closed = false // one quote alone: it opened
	}
	inner, _ := trimPySpace(s)
	switch {
	case json && !opened && !closed:
		switch {
		case text == "[]":
			return ps.emptyReason("an empty JSON array (az aks show prints [] for a list with no ranges)")
		case inner == "":
			return ps.emptyReason("a bracket of a JSON array (az aks show prints the ranges as one)")
		}
		return "" // brackets alone: bracketReason
	case json:
		if inner == "" {
			return ps.emptyReason("an empty string of a JSON array")
		}
		return "is part of a JSON array (as az aks show prints the ranges), but entries are separated by commas alone; " +
			ps.then("remove the brackets and quotes", inner, depth)
	case !opened && !closed:
		return ""
	case inner == "" && !closed:
		return ps.emptyReason("a lone " + strings.TrimPrefix(openName, "a "))
	case inner == "":
		return ps.emptyReason("a pair of empty quotes")
	}
	var what, action string
	switch {
	case opened && closed && openName == closeName:
		what, action = "is in "+strings.TrimPrefix(openName, "a ")+"s", "remove them"
	case opened && closed:
		what, action = "is in quotes ("+strings.TrimPrefix(openName, "a ")+" and "+strings.TrimPrefix(closeName, "a ")+")", "remove them"
	case opened:
		what, action = "starts with "+openName+" that does not end it (were quotes around the whole list kept?)", "remove it"
	default:
		what, action = "ends with "+closeName+" that does not start it (were quotes around the whole list kept?)", "remove it"
	}
	return what + "; " + ps.then(action, inner, depth)
}

// emptyReason explains an element that holds nothing but what, such as a
// pair of quotes.
func (ps *parser) emptyReason(what string) string {
	switch {
	case ps.n > 1:
		return "is " + what + " and no entry; remove it"
	case ps.lines:
		return "is " + what + " and no entry; a range file cannot disable the allowlist: list the ranges to allow"
	}
	return "is " + what + ", not the empty value; to disable the allowlist leave the value empty, or list the ranges to allow"
}

// isSeparator reports whether r separates entries in text that was meant
// as a list: a semicolon, or whitespace to Python.
func isSeparator(r rune) bool { return r == ';' || isPySpace(r) }

// separatorName names the separator r for a message.
func separatorName(r rune) string {
	switch r {
	case ';':
		return "semicolons"
	case ' ':
		return "spaces"
	case '\t':
		return "tabs"
	case '\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029:
		return "line breaks"
	}
	return describeRune(r) + " characters"
}

// separatorReason explains entries separated by semicolons, whitespace or
// line breaks instead of commas, and spaces inside an entry.
func (ps *parser) separatorReason(text string, depth int) string {
	i := strings.IndexFunc(text, isSeparator)
	if i < 0 {
		return ""
	}
	sep, _ := utf8.DecodeRuneInString(text[i:])
	parts := strings.FieldsFunc(text, isSeparator)
	switch {
	case len(parts) == 1 && sep == ';':
		return "has a stray semicolon; " + ps.then("remove it", parts[0], depth)
	case len(parts) <= 1:
		return "" // a control or non-ASCII character at one end, or only such: see below
	}
	commas := strings.Join(parts, ",")
	why := ps.checkAll(parts, depth)
	onlySpaces := !strings.ContainsFunc(text, func(r rune) bool { return isSeparator(r) && r != ' ' && r != '\t' })
	switch {
	case why == "":
		return fmt.Sprintf("holds %d entries separated by %s; separate entries with commas: write %s", len(parts), separatorName(sep), commas)
	case onlySpaces && ps.check(strings.Join(parts, ""), depth) == "":
		return "has a space inside; write " + strings.Join(parts, "")
	case onlySpaces:
		return "has a space inside; separate entries with commas and write no spaces within an entry"
	}
	return fmt.Sprintf("holds entries separated by %s; separate entries with commas, but %s", separatorName(sep), why)
}

// checkAll checks each of parts as a fix, with the tags among them
// counted together, and returns "" or why the first refused one is.
func (ps *parser) checkAll(parts []string, depth int) string {
	if max := ps.p.MaxEntries; max > 0 && ps.n-1+len(parts) > max {
		return fmt.Sprintf("this policy allows at most %d entries", max)
	}
	tags := 0
	for _, part := range parts {
		if part == egressOnlyText {
			return "0.0.0.0/32 must be the only entry"
		}
		if why := ps.check(part, depth); why != "" {
			return quoteShort(part) + " would be refused too: " + why
		}
		if ps.isTag(part) {
			tags++
		}
	}
	if ps.tags+tags > ps.p.MaxServiceTags && tags > 0 {
		return fmt.Sprintf("this policy allows at most %d service %s", ps.p.MaxServiceTags, plural(ps.p.MaxServiceTags, "tag", "tags"))
	}
	return ""
}

// fullwidth maps the fullwidth and ideographic forms of the characters of
// addresses to ASCII.
func fullwidth(r rune) rune {
	switch {
	case 0xff10 <= r && r <= 0xff19: // fullwidth digits
		return r - 0xff10 + '0'
	case 0xff21 <= r && r <= 0xff26: // fullwidth A to F
		return r - 0xff21 + 'A'
	case 0xff41 <= r && r <= 0xff46: // fullwidth a to f
		return r - 0xff41 + 'a'
	}
	switch r {
	case 0xff0e, 0x3002, 0xff61: // fullwidth and ideographic full stops
		return '.'
	case 0xff0f:
		return '/'
	case 0xff1a:
		return ':'
	}
	return r
}

// nonASCIIReason explains a non-ASCII byte: an invisible character, or
// digits and dots pasted in fullwidth forms.
func (ps *parser) nonASCIIReason(text string, depth int) string {
	i := strings.IndexFunc(text, func(r rune) bool { return r >= utf8.RuneSelf })
	if i < 0 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	at := fmt.Sprintf("has the non-ASCII byte 0x%02x at offset %d", text[i], i)
	if r == utf8.RuneError {
		return at + ", which is not UTF-8; write the entry in plain ASCII"
	}
	if isInvisible(r) {
		visible := strings.Map(func(r rune) rune {
			if isInvisible(r) {
				return -1
			}
			return r
		}, text)
		action := "remove it"
		if n := utf8.RuneCountInString(text) - utf8.RuneCountInString(visible); n > 1 {
			action = "remove them"
		}
		return at + ", which starts " + describeRune(r) + ", an invisible character; " + ps.then(action, visible, depth)
	}
	at += " (part of " + describeRune(r) + ")"
	ascii := strings.Map(fullwidth, text)
	if ascii != text && strings.IndexFunc(ascii, func(r rune) bool { return r >= utf8.RuneSelf }) < 0 && ps.check(ascii, depth) == "" {
		return at + "; write the entry in plain ASCII: " + ascii
	}
	return at + "; write the entry in plain ASCII (look for digits, dots or spaces pasted from a document)"
}

// controlReason explains an ASCII control character.
func (ps *parser) controlReason(text string, depth int) string {
	isControl := func(r rune) bool { return r < 0x20 || r == 0x7f }
	i := strings.IndexFunc(text, isControl)
	if i < 0 {
		return ""
	}
	rest := strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, text)
	action := "remove it"
	if len(text)-len(rest) > 1 {
		action = "remove them"
	}
	head := fmt.Sprintf("has the control character %q at offset %d", text[i], i)
	if rest == "" {
		return head + "; " + action
	}
	return head + "; " + ps.then(action, rest, depth)
}

// bracketReason explains brackets, as around IPv6 in URLs: [::1],
// [2001:db8::1]:443.
func (ps *parser) bracketReason(text string, depth int) string {
	inner, after, closed := strings.Cut(strings.TrimPrefix(text, "["), "]")
	if !strings.HasPrefix(text, "[") || !closed || inner == "" {
		return "has brackets; write the address without brackets and without a port"
	}
	if after != "" {
		return "has brackets and a port; " + ps.then("remove them", inner, depth)
	}
	return "has brackets; " + ps.then("remove them", inner, depth)
}

// longReason explains an element longer than any entry can be.
func longReason(text string, lines bool) string {
	msg := fmt.Sprintf("is %d bytes long; no address, prefix or service-tag name is longer than %d bytes", len(text), maxEntryLen)
	if i := strings.IndexFunc(text, isSeparator); i >= 0 {
		sep, _ := utf8.DecodeRuneInString(text[i:])
		msg += fmt.Sprintf("; it seems to hold entries separated by %s: separate entries with commas", separatorName(sep))
		if lines {
			msg += " or line breaks"
		}
	}
	return msg
}

// invisibleOnlyReason explains a value of nothing but invisible
// characters, which the az CLI trims to an empty range.
func invisibleOnlyReason(elem string) string {
	return fmt.Sprintf("holds nothing but invisible characters (%s), which is not the empty value that disables the allowlist; "+
		"leave the value empty to disable it, or list the ranges to allow", describeRunes(strings.Map(dropSpaceTab, elem)))
}

// syntaxReason explains an element of printable ASCII that is no address,
// prefix or tag name.
func (ps *parser) syntaxReason(text string, depth int) string {
	addr, bits, hasSlash := strings.Cut(text, "/")
	if reason := ps.addrReason(addr, text[len(addr):], depth); reason != "" {
		return reason
	}
	if !hasSlash {
		return "is not an IP address, a prefix or a service-tag name"
	}
	a := netip.MustParseAddr(addr) // addrReason accepted it
	maxBits := a.BitLen()
	if bits == "" {
		msg := fmt.Sprintf("has no prefix length after the slash; write a decimal length from 0 to %d", maxBits)
		if cand := fmt.Sprintf("%s/%d", addr, maxBits); ps.check(cand, depth) == "" {
			msg += ", such as " + cand
		}
		return msg
	}
	if m, err := netip.ParseAddr(bits); err == nil && m.Is4() && a.Is4() {
		if n, ok := maskBits(m.As4()); ok {
			return "has a netmask instead of a prefix length; " + ps.fixPhrase(fmt.Sprintf("%s/%d", addr, n), depth)
		}
		if n, ok := maskBits(invert(m.As4())); ok {
			return "has a hostmask instead of a prefix length; " + ps.fixPhrase(fmt.Sprintf("%s/%d", addr, n), depth)
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
			cand := fmt.Sprintf("%s/%d", addr, n)
			msg := fmt.Sprintf("has the prefix length %q with a leading zero; write /%d", bits, n)
			if why := ps.check(cand, depth); why != "" {
				return msg + ", but " + quoteShort(cand) + " would be refused too: " + why
			}
			return msg + ": " + cand
		case err != nil || n > maxBits:
			return fmt.Sprintf("has the prefix length %s, beyond the %d bits of an %s address; write a length from 0 to %d",
				bits, maxBits, ipx.Family(a), maxBits)
		}
	}
	return fmt.Sprintf("has the prefix length %q, which is not a plain decimal number; write a length from 0 to %d", bits, maxBits)
}

// addrReason explains why addr, the part of an element before any slash
// (which is suffix, slash included), is not an acceptable address, or
// returns "" when netip.ParseAddr accepts it without a zone.
func (ps *parser) addrReason(addr, suffix string, depth int) string {
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
				return "looks like address:port; " + ps.then("remove the port", host+suffix, depth)
			}
		}
		return fmt.Sprintf("is not a valid IPv6 address or prefix (%v)", unquoteNetipErr(err))
	}
	if isLetter(addr[0]) {
		return ps.tagReason(addr, suffix, depth)
	}
	if strings.HasPrefix(addr, "0x") || strings.HasPrefix(addr, "0X") || strings.Contains(addr, ".0x") || strings.Contains(addr, ".0X") {
		return "is a hexadecimal IPv4 form, which is not accepted; write four decimal octets such as 20.20.20.20"
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
				return "has an empty octet (a leading, trailing or doubled dot); write four decimal octets such as 20.20.20.20"
			}
		}
		if len(fields) == 1 {
			return "is an integer IPv4 form, which is not accepted; write four decimal octets such as 20.20.20.20"
		}
		if len(fields) != 4 {
			return fmt.Sprintf("has %d octets instead of 4; write all four decimal octets (short forms such as 10.1 are read differently by different parsers)", len(fields))
		}
		for _, f := range fields {
			if len(f) > 1 && f[0] == '0' {
				msg := fmt.Sprintf("has the octet %q with a leading zero, which some parsers read as octal; write the octets in decimal without leading zeros", f)
				decimal := make([]string, 4)
				for i, f := range fields {
					decimal[i] = strings.TrimLeft(f, "0")
					if decimal[i] == "" {
						decimal[i] = "0"
					}
				}
				if cand := strings.Join(decimal, ".") + suffix; ps.check(cand, depth) == "" {
					msg += ", such as " + cand + " if they were meant as decimal"
				}
				return msg
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

// tagReason explains addr, which starts with a letter, as a tag name in
// the wrong case or grammar; suffix is what followed it from a slash on.
func (ps *parser) tagReason(addr, suffix string, depth int) string {
	if suffix != "" && ps.isTag(addr) {
		return "is a service-tag name with a prefix length, which tags do not take; " + ps.fixPhrase(addr, depth)
	}
	if suffix == "" {
		if name, ok := respellTag(addr); ok {
			base, _, _ := strings.Cut(name, ".")
			return fmt.Sprintf("looks like the service tag %s spelt another way; tag names start with a capital letter "+
				"and are best written as published: %s", base, ps.fixPhrase(name, depth))
		}
		if !ps.p.ProviderTags && isProviderTagName(addr) {
			return "looks like a service-tag name of another provider, with '-', '_', digits after a dot or more than one dot; " +
				"this policy accepts only Azure's names (ASCII letters and digits, at most one dot), and a policy with ProviderTags accepts such names"
		}
	}
	if ps.p.MaxServiceTags <= 0 {
		return "is not an IP address or a prefix (and this policy allows no service-tag names)"
	}
	if ps.p.ProviderTags {
		return "is not an IP address, a prefix or a well-formed service-tag name; tag names start with a capital letter " +
			"and hold ASCII letters and digits, and after a dot also '-' and '_', such as AzureCloud or AWS.EC2.us-east-1"
	}
	return "is not an IP address, a prefix or a well-formed service-tag name; tag names start with a capital letter, " +
		"hold only ASCII letters and digits and at most one dot, such as AzureCloud or Storage.EastUS"
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
