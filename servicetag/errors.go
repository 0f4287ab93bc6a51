package servicetag

import (
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/internal/tagerr"
	"strconv"
	"strings"
)

// Sentinel errors. Every error returned by this package that falls into one
// of these classes matches it with [errors.Is]; the typed errors below carry
// the details (tag, field, value, byte offset).
var (
	// ErrUnknownTag reports a tag name that is not in the document.
	// The error is an [*UnknownTagError] with suggestions.
	ErrUnknownTag = errors.New("servicetag: unknown tag")

	// ErrDuplicateTag reports two entries whose names are equal ignoring case.
	ErrDuplicateTag = errors.New("servicetag: duplicate tag")

	// ErrTooLarge reports input larger than the configured limit
	// (see [DecodeOptions.MaxSize]). The error is a [*TooLargeError].
	ErrTooLarge = errors.New("servicetag: input too large")

	// ErrTruncated reports input that ends in the middle of a JSON value
	// or of a gzip stream.
	ErrTruncated = errors.New("servicetag: truncated input")

	// ErrWrongType reports a JSON value of the wrong type for its field,
	// for example a number where a tag name is expected.
	ErrWrongType = errors.New("servicetag: wrong JSON type")

	// ErrMissingField reports a required field that is absent:
	// a tag's "name", or the document's "values" (or "value") array.
	ErrMissingField = errors.New("servicetag: missing field")

	// ErrNonCanonicalPrefix reports a prefix with bits set beyond its
	// length, such as 10.1.2.3/8. Such a prefix is rejected, not masked.
	ErrNonCanonicalPrefix = errors.New("servicetag: prefix is not canonical (host bits set)")
)

// SyntaxError reports input that is not well-formed JSON.
// It matches [ErrTruncated] when the input ends early.
type SyntaxError struct {
	Offset int64  // byte offset in the decompressed input
	Msg    string // what was wrong
	eof    bool
}

// Error implements the error interface.
func (e *SyntaxError) Error() string {
	return "servicetag: invalid JSON at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// Is reports whether target is [ErrTruncated] and the input ended early.
func (e *SyntaxError) Is(target error) bool { return e.eof && target == ErrTruncated }

// FieldError reports a well-formed JSON value that does not fit the
// service-tag schema: a wrong type, a bad number, a missing or repeated
// field. Err is one of [ErrWrongType] or [ErrMissingField] (possibly
// wrapped with details) or a descriptive error.
type FieldError struct {
	Tag    string // tag name (or "values[i]" before the name is known); "" at top level
	Field  string // JSON path inside the tag or document, e.g. "properties.region"
	Offset int64  // byte offset of the value in the decompressed input
	Err    error
}

// Error implements the error interface.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("servicetag: ")
	if e.Tag != "" {
		b.WriteString("tag ")
		b.WriteString(strconv.Quote(e.Tag))
		b.WriteString(": ")
	}
	b.WriteString("field ")
	b.WriteString(strconv.Quote(e.Field))
	b.WriteString(" at byte ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	b.WriteString(": ")
	b.WriteString(cause(e.Err))
	return b.String()
}

// cause is the text of a typed error's cause, without the package prefix
// that the typed error's own text already starts with.
func cause(err error) string {
	if err == nil {
		return "no cause given"
	}
	return strings.TrimPrefix(err.Error(), "servicetag: ")
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// PrefixError reports an address prefix that does not parse with
// [net/netip.ParsePrefix], or that is not canonical ([ErrNonCanonicalPrefix]).
type PrefixError struct {
	Tag    string // tag name
	Index  int    // index in the tag's addressPrefixes
	Value  string // the prefix text as found, cut to 64 bytes and marked "..." when longer
	Offset int64  // byte offset of the value in the decompressed input
	Err    error  // the netip parse error, or ErrNonCanonicalPrefix
}

// Error implements the error interface.
func (e *PrefixError) Error() string {
	msg := fmt.Sprintf("servicetag: tag %q: addressPrefixes[%d] %q at byte %d: %s", e.Tag, e.Index, e.Value, e.Offset, cause(e.Err))
	if errors.Is(e.Err, ErrNonCanonicalPrefix) {
		if p, err := parsePrefix([]byte(e.Value)); err == nil {
			msg += "; the canonical form is " + p.Masked().String()
		}
	}
	return msg
}

// Unwrap returns the cause.
func (e *PrefixError) Unwrap() error { return e.Err }

// DuplicateTagError reports two entries whose names are equal ignoring case.
// It matches [ErrDuplicateTag].
type DuplicateTagError struct {
	Name     string // the later entry
	Previous string // the earlier entry with the same name ignoring case
	Offset   int64  // byte offset of the later entry
}

// Error implements the error interface.
func (e *DuplicateTagError) Error() string {
	return fmt.Sprintf("servicetag: duplicate tag %q at byte %d (same name ignoring case as %q); tag names must be unique", e.Name, e.Offset, e.Previous)
}

// Is reports whether target is [ErrDuplicateTag].
func (e *DuplicateTagError) Is(target error) bool { return target == ErrDuplicateTag }

// TooLargeError reports input beyond the size limit. It matches [ErrTooLarge].
type TooLargeError struct {
	Limit int64 // the limit in bytes
	What  string
}

// Error implements the error interface.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("servicetag: %s exceeds the %d-byte limit; raise DecodeOptions.MaxSize (or Loader.MaxSize) if the input is trusted", e.What, e.Limit)
}

// Is reports whether target is [ErrTooLarge].
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// UnknownTagError reports a name that is not a tag of the document.
// It matches [ErrUnknownTag].
type UnknownTagError struct {
	Name        string   // the name asked for
	Suggestions []string // up to three tag names that the caller may have meant, best first
}

// Error implements the error interface.
func (e *UnknownTagError) Error() string {
	var b strings.Builder
	b.WriteString("servicetag: unknown tag ")
	b.WriteString(strconv.Quote(e.Name))
	if len(e.Suggestions) > 0 {
		b.WriteString("; did you mean ")
		for i, s := range e.Suggestions {
			if i > 0 {
				if i == len(e.Suggestions)-1 {
					b.WriteString(" or ")
				} else {
					b.WriteString(", ")
				}
			}
			b.WriteString(strconv.Quote(s))
		}
		b.WriteString("?")
	}
	return b.String()
}

// Is reports whether target is [ErrUnknownTag].
//
// It also matches allowlist.ErrUnknownTag, so that a caller of
// allowlist.Resolver.Resolve can test for an unknown tag without knowing
// which source the tags came from.
func (e *UnknownTagError) Is(target error) bool {
	return target == ErrUnknownTag || target == tagerr.ErrUnknownTag
}
