package allowlist

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The kinds of problem that Parse and ParseLines report. Test for them
// with errors.Is on the error that they return, or on one *EntryError of
// it.
var (
	// ErrEmptyEntry: an empty element beside others (a leading, trailing
	// or doubled comma, or a blank between two commas).
	ErrEmptyEntry = errors.New("allowlist: empty entry")

	// ErrMalformed: an element that is neither a strict address or prefix
	// nor a service-tag name the policy allows. This covers zones,
	// IPv4-mapped and IPv4-compatible IPv6, leading zeros, short and
	// integer IPv4 forms, bad prefix lengths, inner spaces, control and
	// non-ASCII bytes, quotes, brackets, unexpanded variables and
	// over-long elements.
	ErrMalformed = errors.New("allowlist: malformed entry")

	// ErrNonCanonical: a prefix written with host bits set, such as
	// 137.117.106.90/29.
	ErrNonCanonical = errors.New("allowlist: host bits set")

	// ErrNotGlobal: a prefix that lies wholly inside one non-global block
	// (private, loopback, documentation, ...) under a policy with
	// RequireGlobal.
	ErrNotGlobal = errors.New("allowlist: not a global range")

	// ErrIPv6: an IPv6 entry under a policy with IPv4Only.
	ErrIPv6 = errors.New("allowlist: IPv6 entry")

	// ErrTooMany: the list has more elements than the policy's MaxEntries.
	ErrTooMany = errors.New("allowlist: too many entries")

	// ErrTooManyServiceTags: the list names more service tags than the
	// policy's MaxServiceTags.
	ErrTooManyServiceTags = errors.New("allowlist: too many service tags")

	// ErrEgressOnlyMixed: the element 0.0.0.0/32 (egress only) beside
	// other elements.
	ErrEgressOnlyMixed = errors.New("allowlist: 0.0.0.0/32 mixed with other entries")

	// ErrNoEntries: a range file (ParseLines) with no entries at all, only
	// blank lines and comments. A file never disables the allowlist, since
	// a file cut short while it is written would.
	ErrNoEntries = errors.New("allowlist: no entries")
)

// Bounds that keep errors small whatever the input.
const (
	// maxReported is how many problems a ListError lists; the rest are
	// only counted.
	maxReported = 100

	// maxKeptEntry is how many bytes of an element EntryError.Entry keeps.
	maxKeptEntry = 128

	// maxQuoted is how many bytes of an element an error message quotes.
	maxQuoted = 64

	// maxReason is how many bytes of a reason an EntryError keeps.
	maxReason = 640
)

// EntryError is one problem with one element of a range list. An element
// with several problems (host bits set and not global, say) has one
// EntryError for each, with the same Index, in the order of the rules.
//
// Its message names the element and says how to fix it, for example
//
//	entry 2 "137.117.106.90/29": host bits are set; the range starts at 137.117.106.88/29; write 137.117.106.88/29 (or 137.117.106.90/32 for the single address)
//
// and, for an element of a range file read by ParseLines,
//
//	line 3, column 5: "137.117.106.90/29": host bits are set; ...
//
// A fix that a message offers is accepted by the policy; where there is
// none, the message says why.
//
// errors.Is(e, Kind) is true; use errors.As to get an *EntryError out of
// the error that Parse returns.
type EntryError struct {
	// Index is the element's position in the list, counting from 0, after
	// splitting on commas (and, in a range file, line breaks); empty
	// elements count. For ErrTooMany it is the first element beyond the
	// policy's limit. It is -1 for a problem of the whole text
	// (ErrNoEntries).
	Index int

	// Entry is the element as written, without the characters trimmed
	// around it (or without only spaces and tabs, when nothing else would
	// remain), cut to its first 128 bytes when it is longer (the reason
	// then says how long it is).
	Entry string

	// Kind is one of the Err* sentinels of this package.
	Kind error

	// Reason says what is wrong with the element and how to fix it.
	Reason string

	// Line and Column give where the element starts in the text that
	// ParseLines read, counting from 1; Column counts bytes, as Go's
	// compilers do, after a leading byte order mark. Both are 0 for Parse.
	Line, Column int

	// Fix is the first replacement for the element that Reason offers
	// ("write 137.117.106.88/29"), one that the policy accepts on its own;
	// "" when Reason offers none. Tools that rewrite a list can use it.
	Fix string
}

// fixPattern finds the replacements that reasons offer: "write X", "(or X
// for the single address)", "such as X if they were meant", "IPv4 form X
// instead", "write /N: X". The messages' tests keep every reason that
// offers a fix in one of these forms, and check that the policy accepts it.
var fixPattern = regexp.MustCompile(`write ([0-9A-Z:][^ ;()]*)|\(or ([^ ]+) for the single address\)|` +
	`such as ([^ ]+) if they were meant|IPv4 form ([^ ]+) instead|write /\d+: ([^ ;]+)`)

// fixesIn returns the replacements that reason offers, in order.
func fixesIn(reason string) []string {
	var fixes []string
	for _, m := range fixPattern.FindAllStringSubmatch(reason, -1) {
		for _, fix := range m[1:] {
			if fix = strings.TrimRight(fix, ".,"); fix != "" {
				fixes = append(fixes, fix)
			}
		}
	}
	return fixes
}

// newEntryError returns an EntryError that keeps at most maxKeptEntry
// bytes of entry and maxReason bytes of reason, in memory of their own.
func newEntryError(index int, entry string, kind error, reason string, line, col int) *EntryError {
	e := &EntryError{Index: index, Entry: strings.Clone(cut(entry, maxKeptEntry)), Kind: kind,
		Reason: cutWithEllipsis(reason, maxReason), Line: line, Column: col}
	if fixes := fixesIn(e.Reason); len(fixes) > 0 {
		e.Fix = fixes[0]
	}
	return e
}

// cut returns the first n bytes of s, or fewer so as not to split a UTF-8
// sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > n-utf8.UTFMax && i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func cutWithEllipsis(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cut(s, n-3) + "..."
}

// Error returns `entry INDEX "ENTRY": REASON`, or for an element of a
// range file `line L, column C: "ENTRY": REASON`, or only the reason for
// a problem of the whole text. Long elements are shortened in the
// message.
func (e *EntryError) Error() string {
	if e.Index < 0 {
		return e.Reason
	}
	text := e.Entry
	if len(text) > maxQuoted {
		text = cut(text, maxQuoted) + "..."
	}
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %q: %s", e.Line, e.Column, text, e.Reason)
	}
	return fmt.Sprintf("entry %d %q: %s", e.Index, text, e.Reason)
}

// Unwrap returns e.Kind.
func (e *EntryError) Unwrap() error { return e.Kind }

// ListError holds the problems that Parse or ParseLines found in a range
// list, in the order of the elements; the ErrTooMany problem, which
// concerns the whole list, comes last. It is never empty.
//
// It is bounded whatever the input: it lists the first 100 problems of the
// elements and counts the others in Omitted, and the elements beyond a
// policy's MaxEntries are counted but not examined. The ErrTooMany problem
// is always listed.
//
// errors.Is(err, ErrMalformed) is true when any listed element is
// malformed, and so on for every kind. To go through all problems:
//
//	var le *allowlist.ListError
//	if errors.As(err, &le) {
//		for _, e := range le.Errors {
//			fmt.Println(e.Index, e.Entry, e.Kind, e.Reason)
//		}
//	}
type ListError struct {
	Errors []*EntryError

	// Omitted is how many further problems were found and not listed.
	Omitted int
}

// Error returns the messages of the listed problems, one a line, followed
// by a line that says how many more there are when some were omitted.
func (e *ListError) Error() string {
	var b strings.Builder
	for i, err := range e.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	if e.Omitted > 0 {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("and " + strconv.Itoa(e.Omitted) + " more " + plural(e.Omitted, "problem", "problems") +
			" in later entries (only the first " + strconv.Itoa(maxReported) + " are listed)")
	}
	return b.String()
}

// Unwrap returns the listed problems as a slice of errors, for errors.Is
// and errors.As.
func (e *ListError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, err := range e.Errors {
		errs[i] = err
	}
	return errs
}
