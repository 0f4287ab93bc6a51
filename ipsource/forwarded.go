package ipsource

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/ascii"
	"net/http"
	"net/netip"
	"strings"
)

const fwdKey = "Forwarded"

// maxForwardedLen bounds the size of the whole Forwarded field (all field
// lines, one byte added per line). MaxHops elements with for, by, proto and
// host parameters fit several times over.
const maxForwardedLen = 16 << 10

// maxParams bounds the parameters of one Forwarded element; an element with
// more is invalid. It keeps the repeated-parameter check cheap.
const maxParams = 16

// Forwarded returns the Extractor for proxies that append an element with a
// "for" parameter to the RFC 7239 Forwarded header, given the prefixes of
// those proxies. It decides exactly as [XForwardedFor] does (peer first, all
// field lines merged, walked from the right, trusted hops skipped, the first
// untrusted element is the client, any doubt is an error), with RFC 7239's
// syntax:
//
//   - The field is tokenized as RFC 7239 §4 says: elements separated by
//     commas with optional whitespace around them; parameters name=value
//     separated by ';' with no whitespace; names are tokens, compared
//     without regard to case; values are tokens or quoted strings with
//     quoted-pairs. A syntax error anywhere (an unterminated quote, space
//     around '=' or ';', an unquoted ':' or '[') makes the whole field
//     [ErrMalformed]. So does a field longer than 16 KiB.
//   - An element without a "for" parameter, with a repeated parameter, or
//     with more than 16 parameters is invalid, and is [ErrMalformed] if the
//     walk reaches it. Only "for" is used; by, proto and host are ignored.
//   - A "for" node is IPv4 or IPv4:port, or [IPv6] or [IPv6]:port, which
//     must be quoted: for="[2001:db8::17]:4711". The port may be an
//     obfuscated port ("_abc"). "unknown", obfuscated nodes ("_hidden"), a
//     node written with quoted-pairs, zones, bare IPv6 and all else that
//     [XForwardedFor] rejects are malformed.
//
// trusted follows the rules of [XForwardedFor].
func Forwarded(trusted []netip.Prefix) (Extractor, error) {
	t, err := newTrustSet(trusted)
	if err != nil {
		return nil, fmt.Errorf("ipsource.Forwarded: %w", err)
	}
	return &forwarded{trust: t}, nil
}

// ForwardedCount returns the Extractor that takes the client from the "for"
// parameter of Forwarded element number hops from the right, as
// [XForwardedForCount] does for X-Forwarded-For; the caveats of the count
// strategy apply. hops must be 1 to [MaxHops].
func ForwardedCount(hops int) (Extractor, error) {
	if err := checkHops(hops); err != nil {
		return nil, fmt.Errorf("ipsource.ForwardedCount: %w", err)
	}
	return &forwarded{hops: hops}, nil
}

type forwarded struct {
	trust trustSet
	hops  int // 0: walk by prefixes
}

// fwdElem is what the walk needs of one Forwarded element.
type fwdElem struct {
	line             int32
	start, end       int32 // the element's text in its line
	forStart, forEnd int32 // the "for" value, quotes removed
	reason           string
}

// ClientIP returns the client address that the Forwarded header names.
func (f *forwarded) ClientIP(r *http.Request) (netip.Addr, error) {
	if f.hops == 0 {
		peer, err := peer(r)
		if err != nil {
			return netip.Addr{}, err
		}
		if !f.trust.contains(peer) {
			return peer, nil
		}
	} else if err := proxyNoClient(r.RemoteAddr); err != nil {
		return netip.Addr{}, err
	}
	lines := r.Header[fwdKey]
	if len(lines) == 0 {
		return netip.Addr{}, newError(ErrHeaderMissing, fwdKey, "", 0, "")
	}
	var buf [MaxHops]fwdElem
	ring := buf[:]
	if f.hops > 0 {
		ring = buf[:f.hops]
	}
	n, err := scanForwarded(lines, ring)
	if err != nil {
		return netip.Addr{}, err
	}
	for pos := 1; pos <= n; pos++ {
		if pos > len(ring) {
			return netip.Addr{}, newError(ErrTooManyHops, fwdKey, "", 0, "")
		}
		e := &ring[(n-pos)%len(ring)]
		line := lines[e.line]
		if e.reason != "" {
			return netip.Addr{}, newError(ErrMalformed, fwdKey, line[e.start:e.end], pos, e.reason)
		}
		node := line[e.forStart:e.forEnd]
		a, reason := parseNode(node)
		if reason != "" {
			return netip.Addr{}, newError(ErrMalformed, fwdKey, node, pos, reason)
		}
		if f.hops > 0 {
			if pos == f.hops {
				return a, nil
			}
		} else if !f.trust.contains(a) {
			return a, nil
		}
	}
	if f.hops > 0 {
		return netip.Addr{}, newError(ErrNoUntrustedHop, fwdKey, "", 0, "fewer elements than the configured hops")
	}
	return netip.Addr{}, newError(ErrNoUntrustedHop, fwdKey, "", 0, "every element is a trusted proxy")
}

// tchar reports whether c is an RFC 9110 token character.
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// qdtext reports whether c may appear unescaped in a quoted string, or
// escaped in a quoted-pair (where '"' and '\\' are also allowed): HTAB, SP,
// visible ASCII and obs-text.
func qdtext(c byte) bool { return c == '\t' || (c >= ' ' && c != 0x7f) }

// scanForwarded tokenizes every field line of a Forwarded header. It
// returns the number of elements, and records the last len(ring) of them in
// ring, element i at ring[i%len(ring)]. A syntax error anywhere, or a field
// longer than maxForwardedLen, is an error for the whole field.
func scanForwarded(lines []string, ring []fwdElem) (int, error) {
	total := 0
	for _, line := range lines {
		total += len(line) + 1
	}
	if total > maxForwardedLen {
		return 0, newError(ErrMalformed, fwdKey, "", 0, "field longer than 16 KiB")
	}
	n := 0
	for li, line := range lines {
		i := 0
		for { // one element per iteration
			for i < len(line) && ascii.IsSpaceTab(line[i]) {
				i++
			}
			e := fwdElem{line: int32(li), start: int32(i), forStart: -1}
			escaped := false
			var names [maxParams]string
			nn := 0
			for { // one (possibly empty) parameter per iteration
				if i < len(line) && tchar[line[i]] {
					ns := i
					for i < len(line) && tchar[line[i]] {
						i++
					}
					name := line[ns:i]
					if i >= len(line) || line[i] != '=' {
						return 0, syntaxError(line, ns, "syntax error: parameter name not followed by '='")
					}
					i++
					var vs, ve int
					quotedPair := false
					if i < len(line) && line[i] == '"' {
						qs := i
						i++
						vs = i
						for {
							if i >= len(line) {
								return 0, syntaxError(line, qs, "syntax error: unterminated quoted string")
							}
							c := line[i]
							if c == '"' {
								break
							}
							if c == '\\' {
								quotedPair = true
								i++
								if i >= len(line) {
									return 0, syntaxError(line, qs, "syntax error: unterminated quoted string")
								}
								c = line[i]
							}
							if !qdtext(c) {
								return 0, syntaxError(line, i, "syntax error: control byte in quoted string")
							}
							i++
						}
						ve = i
						i++ // the closing quote
					} else {
						vs = i
						for i < len(line) && tchar[line[i]] {
							i++
						}
						ve = i
						if vs == ve {
							return 0, syntaxError(line, ns, "syntax error: parameter without a value (or a value that needs quotes)")
						}
					}
					if e.reason == "" {
						if nn == maxParams {
							e.reason = reasonParams
						} else {
							for _, prev := range names[:nn] {
								if strings.EqualFold(prev, name) {
									e.reason = reasonRepeated
								}
							}
							names[nn] = name
							nn++
						}
					}
					if strings.EqualFold(name, "for") {
						e.forStart, e.forEnd = int32(vs), int32(ve)
						escaped = quotedPair
					}
				}
				if i < len(line) && line[i] == ';' {
					i++
					continue
				}
				break
			}
			e.end = int32(i)
			j := i
			for j < len(line) && ascii.IsSpaceTab(line[j]) {
				j++
			}
			if j < len(line) && line[j] != ',' {
				return 0, syntaxError(line, i, "syntax error: unexpected byte (whitespace inside an element, or a value that needs quotes)")
			}
			if e.reason == "" {
				switch {
				case e.forStart < 0:
					e.reason = reasonNoFor
				case escaped:
					e.reason = reasonQuotedPair
				}
			}
			ring[n%len(ring)] = e
			n++
			if j >= len(line) {
				break
			}
			i = j + 1
		}
	}
	return n, nil
}

func syntaxError(line string, at int, reason string) error {
	return newError(ErrMalformed, fwdKey, line[at:], 0, reason)
}

// parseNode parses the value of a "for" parameter (RFC 7239 §6): IPv4 or
// [IPv6], each optionally followed by ":" and a port or an obfuscated port.
func parseNode(s string) (netip.Addr, string) {
	switch {
	case s == "":
		return netip.Addr{}, reasonEmpty
	case len(s) > maxEntryLen:
		return netip.Addr{}, reasonTooLong
	case strings.EqualFold(s, "unknown"):
		return netip.Addr{}, reasonUnknown
	case s[0] == '_':
		return netip.Addr{}, reasonObfuscated
	}
	host := s
	if s[0] == '[' {
		if end := strings.IndexByte(s, ']'); end > 0 {
			host = s[:end+1]
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		host = s[:i]
		if strings.IndexByte(s[i+1:], ':') >= 0 {
			return netip.Addr{}, reasonV6NoBracket
		}
	}
	for i := 0; i < len(host); i++ {
		if !entryByte[host[i]] {
			return netip.Addr{}, reasonChar
		}
	}
	if s[0] == '[' {
		return parseBracketed(s, nodePort)
	}
	if len(host) < len(s) && !nodePort(s[len(host)+1:]) {
		return netip.Addr{}, reasonPort
	}
	return addrV4(host)
}

// nodePort reports whether s is a port (as portDigits) or an obfuscated
// port: "_" followed by letters, digits, '.', '_' or '-'.
func nodePort(s string) bool {
	if len(s) < 2 || s[0] != '_' {
		return portDigits(s)
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
