package ipsource

import (
	"net/netip"
	"strings"
)

// Reasons for a malformed entry. They are constants so that building an
// Error does not format text.
const (
	reasonEmpty       = "empty entry"
	reasonTooLong     = "entry longer than 128 bytes"
	reasonChar        = "byte outside [0-9A-Fa-f.:[]] (zone, whitespace, name, token or non-ASCII)"
	reasonAddr        = "not an IP address"
	reasonBrackets    = "unbalanced or misplaced brackets"
	reasonBracketV4   = "brackets around an IPv4 address"
	reasonV6NoBracket = "IPv6 address without brackets"
	reasonPort        = "port is not 0-65535 in digits without a leading zero"
	reasonUnspecified = "unspecified address"
	reasonEarlyData   = "the TLS handshake is not complete (0-RTT early data): the peer address is not verified yet"
	reasonUnknown     = `"unknown"`
	reasonObfuscated  = "obfuscated identifier"
	reasonQuotedPair  = "quoted-pair (backslash) in the node"
	reasonNoFor       = `element has no "for" parameter`
	reasonRepeated    = "element repeats a parameter"
	reasonParams      = "element has more than 16 parameters"
)

// entryByte reports whether c may appear in an X-Forwarded-For or single-IP
// entry: hex digits, '.', ':' and brackets. Everything else, including '%'
// (zones), whitespace, '_' and non-ASCII bytes, is rejected before netip
// sees the text.
var entryByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	t['.'], t[':'], t['['], t[']'] = true, true, true, true
	return t
}()

// parseEntry parses one X-Forwarded-For element or single-IP header value,
// already stripped of optional whitespace. It accepts IPv4, IPv4:port, a
// bare IPv6 address, [IPv6] and [IPv6]:port. The address it returns is
// valid, unzoned, unmapped and not unspecified; otherwise reason says what
// is wrong.
func parseEntry(s string) (a netip.Addr, reason string) {
	if s == "" {
		return netip.Addr{}, reasonEmpty
	}
	if len(s) > maxEntryLen {
		return netip.Addr{}, reasonTooLong
	}
	if s[0] == '_' {
		return netip.Addr{}, reasonObfuscated
	}
	if strings.EqualFold(s, "unknown") {
		return netip.Addr{}, reasonUnknown
	}
	colons := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !entryByte[c] {
			return netip.Addr{}, reasonChar
		}
		if c == ':' {
			colons++
		}
	}
	if s[0] == '[' {
		return parseBracketed(s, portDigits)
	}
	if strings.IndexByte(s, ']') >= 0 {
		return netip.Addr{}, reasonBrackets
	}
	switch colons {
	case 0: // IPv4
		return addrV4(s)
	case 1: // IPv4:port
		i := strings.IndexByte(s, ':')
		if !portDigits(s[i+1:]) {
			return netip.Addr{}, reasonPort
		}
		return addrV4(s[:i])
	default: // bare IPv6: never cut at a colon, 2001:db8::1:443 is an address
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return netip.Addr{}, reasonAddr
		}
		return finish(a)
	}
}

// parseBracketed parses "[IPv6]" or "[IPv6]:port", where port is checked by
// validPort.
func parseBracketed(s string, validPort func(string) bool) (netip.Addr, string) {
	end := strings.IndexByte(s, ']')
	if end < 0 || strings.IndexByte(s[1:end], '[') >= 0 || strings.IndexByte(s[end+1:], ']') >= 0 {
		return netip.Addr{}, reasonBrackets
	}
	if rest := s[end+1:]; rest != "" {
		if rest[0] != ':' {
			return netip.Addr{}, reasonBrackets
		}
		if !validPort(rest[1:]) {
			return netip.Addr{}, reasonPort
		}
	}
	a, err := netip.ParseAddr(s[1:end])
	if err != nil {
		return netip.Addr{}, reasonAddr
	}
	if !a.Is6() {
		return netip.Addr{}, reasonBracketV4
	}
	return finish(a)
}

// addrV4 parses a dotted-quad IPv4 address; netip rejects leading zeros and
// short forms.
func addrV4(s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, reasonAddr
	}
	return finish(a)
}

// finish unmaps a and rejects the unspecified addresses. Zones cannot occur:
// '%' is not an entry byte.
func finish(a netip.Addr) (netip.Addr, string) {
	a = a.Unmap()
	if a.IsUnspecified() {
		return netip.Addr{}, reasonUnspecified
	}
	return a, ""
}

// portDigits reports whether s is a decimal port 0-65535: one to five ASCII
// digits, no sign, no leading zero (except "0" itself).
func portDigits(s string) bool {
	if s == "" || len(s) > 5 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}
