package allowlist

import (
	"iter"
	"strings"
)

// ParseLines parses and validates the content of a range file under the
// policy p: the entries of Parse, one or several a line.
//
//   - Entries are separated by line breaks ("\n" or "\r\n") and by commas;
//     a comma may end a line, so a comma-separated list broken over lines
//     reads as it does on one line, and a one-line list in a file reads as
//     Parse reads it. An empty entry (a doubled comma, a comma with no
//     entry before or after it, blank lines and comments aside) is
//     ErrEmptyEntry.
//   - '#' starts a comment that runs to the end of its line, on a line of
//     its own or after entries. Blank lines are ignored.
//   - A leading UTF-8 byte order mark is ignored.
//   - Each entry is trimmed and checked as Parse does under p, and the
//     rules of the list (p.MaxEntries, p.MaxServiceTags, 0.0.0.0/32 alone)
//     apply to the whole file.
//
// A file with no entries at all (empty, or only blank lines and comments)
// is ErrNoEntries, never Disabled: a file cut short while it is written
// must not open the door. To allow everyone, list 0.0.0.0/0 (and ::/0
// under a policy that allows IPv6).
//
// Errors are as Parse's, and each EntryError also gives the Line and
// Column where its element starts; the message says "line 3, column 5".
//
// A file that is cut short can still parse, and to a wider list: a last
// line 128.0.0.0/16 cut after "128.0.0.0/1" allows half of all IPv4
// addresses. Replace range files atomically (write a new file and rename
// it over the old one) and never write them in place.
func ParseLines(text string, p Policy) (List, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	ps := &parser{p: p, lines: true}
	n := 0
	for range ps.elements(text) {
		n++
	}
	if n == 0 {
		ps.errs = append(ps.errs, newEntryError(-1, "", ErrNoEntries, ps.noEntriesReason(), 0, 0))
		return ps.result()
	}
	*ps = newParser(p, n, true)
	i := 0
	for e := range ps.elements(text) {
		if i == ps.limit {
			t, off := ps.trim(e.text)
			ps.tooMany(t, e.line, e.col+off)
			break
		}
		ps.element(i, e.text, e.line, e.col)
		i++
	}
	return ps.result()
}

// lineElement is one element of a range file: its text as written
// (before trimming), and the line and column where that text starts.
// An empty element stands for a superfluous comma.
type lineElement struct {
	text      string
	line, col int
}

// elements yields the elements of a range file, without its byte order
// mark, in order. Entries come from splitting each line, without its
// comment, on commas; a comma that has no entry between it and the
// previous comma (or the start of the text) yields an empty element at
// the comma, and so does a last comma with no entry after it, just after
// that comma.
func (ps *parser) elements(text string) iter.Seq[lineElement] {
	return func(yield func(lineElement) bool) {
		entrySince := false // an entry since the last comma, or the start
		commaLine, commaCol := 0, 0
		sawComma := false
		for line := 1; text != ""; line++ {
			var l string
			l, text, _ = strings.Cut(text, "\n")
			l = strings.TrimSuffix(l, "\r")
			if i := strings.IndexByte(l, '#'); i >= 0 {
				l = l[:i]
			}
			for col := 1; ; {
				piece, after, comma := strings.Cut(l, ",")
				if t, _ := ps.trim(piece); t != "" {
					if !yield(lineElement{piece, line, col}) {
						return
					}
					entrySince = true
				}
				if !comma {
					break
				}
				col += len(piece)
				if !entrySince {
					if !yield(lineElement{"", line, col}) {
						return
					}
				}
				entrySince, sawComma = false, true
				commaLine, commaCol = line, col
				col++
				l = after
			}
		}
		if sawComma && !entrySince {
			yield(lineElement{"", commaLine, commaCol + 1})
		}
	}
}

// noEntriesReason explains a range file without entries, with a valid way
// to allow everyone under the policy.
func (ps *parser) noEntriesReason() string {
	all := "0.0.0.0/0 and ::/0"
	if ps.refusal(netipAll6) != "" || ps.p.MaxEntries == 1 {
		all = "0.0.0.0/0"
	}
	return "allowlist: the range file has no entries, only blank lines and comments; a file cannot disable the allowlist " +
		"(a file cut short while it was written would), so list the ranges to allow, or " + all + " to allow everyone"
}
