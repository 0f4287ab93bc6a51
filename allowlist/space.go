package allowlist

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ipallow/ipallow/internal/ascii"
)

// isPySpace reports whether r is whitespace to Python's str.strip() (and
// str.isspace()), which the az CLI uses to trim each entry: CPython's
// Py_UNICODE_ISSPACE, the same set from Python 3.3 to 3.14.
func isPySpace(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == ' ' || '\t' <= r && r <= '\r' || 0x1c <= r && r <= 0x1f
	case r == 0x85, r == 0xa0, r == 0x1680, 0x2000 <= r && r <= 0x200a,
		r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// pySpaceAt reports whether s starts with a character that isPySpace
// accepts, and its length.
func pySpaceAt(s string) (int, bool) {
	if c := s[0]; c < utf8.RuneSelf {
		return 1, isPySpace(rune(c))
	}
	r, n := utf8.DecodeRuneInString(s)
	return n, isPySpace(r)
}

// pySpaceBefore is pySpaceAt for the last character of s.
func pySpaceBefore(s string) (int, bool) {
	if c := s[len(s)-1]; c < utf8.RuneSelf {
		return 1, isPySpace(rune(c))
	}
	r, n := utf8.DecodeLastRuneInString(s)
	return n, isPySpace(r)
}

// trimPySpace removes what Python's str.strip() removes from both ends of
// s. It returns the rest and how many bytes it removed from the front.
func trimPySpace(s string) (string, int) {
	start := 0
	for start < len(s) {
		if c := s[start]; c < utf8.RuneSelf && c > ' ' { // the usual case: printable ASCII
			break
		}
		n, ok := pySpaceAt(s[start:])
		if !ok {
			break
		}
		start += n
	}
	end := len(s)
	for end > start {
		if c := s[end-1]; c < utf8.RuneSelf && c > ' ' {
			break
		}
		n, ok := pySpaceBefore(s[start:end])
		if !ok {
			break
		}
		end -= n
	}
	return s[start:end], start
}

// trimSpaceTab is ascii.TrimSpaceTab that also returns how many bytes it
// removed from the front.
func trimSpaceTab(s string) (string, int) {
	start, end := 0, len(s)
	for start < end && ascii.IsSpaceTab(s[start]) {
		start++
	}
	for end > start && ascii.IsSpaceTab(s[end-1]) {
		end--
	}
	return s[start:end], start
}

// invisibleNames names the characters that a message or finding may
// mention: Python's whitespace, and the invisible characters that it
// does not trim but that paste into lists (zero-width ones, the byte
// order mark).
var invisibleNames = map[rune]string{
	'\t': "tab", '\n': "line feed", '\v': "vertical tab", '\f': "form feed", '\r': "carriage return",
	0x1c: "file separator", 0x1d: "group separator", 0x1e: "record separator", 0x1f: "unit separator",
	' ': "space", 0x85: "next line", 0xa0: "no-break space", 0xad: "soft hyphen", 0x1680: "ogham space mark",
	0x2000: "en quad", 0x2001: "em quad", 0x2002: "en space", 0x2003: "em space", 0x2004: "three-per-em space",
	0x2005: "four-per-em space", 0x2006: "six-per-em space", 0x2007: "figure space", 0x2008: "punctuation space",
	0x2009: "thin space", 0x200a: "hair space", 0x200b: "zero width space", 0x200c: "zero width non-joiner",
	0x200d: "zero width joiner", 0x2028: "line separator", 0x2029: "paragraph separator",
	0x202f: "narrow no-break space", 0x205f: "medium mathematical space", 0x2060: "word joiner",
	0x3000: "ideographic space", 0xfeff: "byte order mark",
}

// describeRune returns "U+00A0 (no-break space)", or "U+XXXX" for a
// character without a name here.
func describeRune(r rune) string {
	if name, ok := invisibleNames[r]; ok {
		return fmt.Sprintf("U+%04X (%s)", r, name)
	}
	return fmt.Sprintf("U+%04X", r)
}

// describeRunes lists the distinct characters of s, at most four of them.
func describeRunes(s string) string {
	var seen []rune
	more := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(string(seen), r):
		case len(seen) < 4:
			seen = append(seen, r)
		default:
			more++
		}
	}
	parts := make([]string, 0, len(seen)+1)
	for _, r := range seen {
		parts = append(parts, describeRune(r))
	}
	if more > 0 {
		parts = append(parts, "others")
	}
	return strings.Join(parts, ", ")
}

// isInvisible reports whether r is a character that shows as nothing or
// as a blank: Python's whitespace and the others of invisibleNames.
func isInvisible(r rune) bool {
	_, ok := invisibleNames[r]
	return ok
}
