// Package ascii holds the byte-level text helpers that several ipallow
// parsers share.
package ascii

// IsSpaceTab reports whether c is an ASCII space or horizontal tab (the
// optional whitespace of RFC 9110).
func IsSpaceTab(c byte) bool { return c == ' ' || c == '\t' }

// TrimSpaceTab removes ASCII spaces and horizontal tabs, and nothing else,
// from both ends of s.
func TrimSpaceTab(s string) string {
	for len(s) > 0 && IsSpaceTab(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && IsSpaceTab(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
