package servicetag

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinel errors of the feed decoders and of Merge.
var (
	// ErrMappedPrefix reports an IPv4-mapped IPv6 prefix such as
	// ::ffff:10.0.0.0/104. Addresses are matched unmapped, so such a
	// prefix would never match; it is rejected, and the error names the
	// IPv4 prefix to write instead.
	ErrMappedPrefix = errors.New("servicetag: prefix is IPv4-mapped IPv6")

	// ErrWrongFamily reports a prefix of one address family where the
	// feed promises the other, for example an IPv6 prefix in AWS's
	// "ip_prefix" or in Cloudflare's ips-v4 list.
	ErrWrongFamily = errors.New("servicetag: prefix of the wrong address family")

	// ErrMixedList reports a GitHub list that holds both CIDR prefixes
	// and other values.
	ErrMixedList = errors.New("servicetag: list mixes CIDR prefixes and other values")

	// ErrUnknownFeed reports a feed name that [ParseFeed] does not know,
	// a Feed value out of range, or input whose feed [DetectFeed] cannot
	// tell.
	ErrUnknownFeed = errors.New("servicetag: unknown feed")
)

var (
	errEmptyName = fmt.Errorf("%w: the value is empty", ErrMissingField)
	errEmptyLine = errors.New("empty line; the list has one CIDR prefix a line")
	errWantIPv4  = fmt.Errorf("%w: an IPv6 prefix where the feed lists IPv4 prefixes", ErrWrongFamily)
	errWantIPv6  = fmt.Errorf("%w: an IPv4 prefix where the feed lists IPv6 prefixes", ErrWrongFamily)
	errEmptyList = emptyListError{}
	errOnePrefix = errors.New(`a row has "ipv4Prefix" or "ipv6Prefix", not both`)
	errCloudRow  = errors.New("goog.json rows have only a prefix; a row with a scope or service is from cloud.json, the googlecloud feed")
)

// emptyListError reports a text list without any line. It matches
// [ErrTruncated]: an empty body is what a cut download looks like.
type emptyListError struct{}

func (emptyListError) Error() string {
	return "the input is empty; the list has one CIDR prefix a line"
}
func (emptyListError) Is(target error) bool { return target == ErrTruncated }

// parsePrefixBounded is parsePrefix whose error does not repeat a long
// value: netip's errors quote the whole input.
func parsePrefixBounded(s []byte) (netip.Prefix, error) {
	p, err := parsePrefix(s)
	if err != nil && len(s) > maxValueLen {
		err = errTooLong
	}
	return p, err
}

var errTooLong = errors.New("too long to be a prefix")

// maxValueLen bounds the part of an input value that an error repeats.
const maxValueLen = 64

// clip returns s cut to maxValueLen bytes (on a UTF-8 boundary when s is
// valid UTF-8), with "..." appended when it was cut, so that errors stay
// small whatever the input holds.
func clip(s string) string {
	if len(s) <= maxValueLen {
		return s
	}
	n := maxValueLen
	for n > maxValueLen-utf8.UTFMax && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// FeedPrefixError reports a value of a provider feed that is not an
// acceptable prefix: it does not parse with [net/netip.ParsePrefix] (for
// example a bare address or a prefix with a zone), it is not canonical
// ([ErrNonCanonicalPrefix]), it is IPv4-mapped ([ErrMappedPrefix]), it is
// of the wrong family ([ErrWrongFamily]), or it sits in a GitHub list with
// non-prefixes ([ErrMixedList]). Azure documents report
// [*PrefixError] instead.
type FeedPrefixError struct {
	Feed   Feed   // the feed being decoded
	Tag    string // the most specific tag the value belongs to, "" if not known
	Path   string // where the value is: "prefixes[17].ip_prefix", "hooks[3]", "line 4"
	Value  string // the value as found, cut to 64 bytes
	Offset int64  // byte offset of the value in the decompressed input
	Err    error  // the cause
}

// Error implements the error interface.
func (e *FeedPrefixError) Error() string {
	var b strings.Builder
	b.WriteString("servicetag: ")
	b.WriteString(e.Feed.String())
	b.WriteString(": ")
	if e.Tag != "" {
		b.WriteString("tag ")
		b.WriteString(strconv.Quote(e.Tag))
		b.WriteString(": ")
	}
	b.WriteString(e.Path)
	b.WriteString(" ")
	b.WriteString(strconv.Quote(e.Value))
	b.WriteString(" at byte ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	b.WriteString(": ")
	b.WriteString(cause(e.Err))
	if errors.Is(e.Err, ErrNonCanonicalPrefix) {
		if p, err := parsePrefix([]byte(e.Value)); err == nil {
			b.WriteString("; the canonical form is ")
			b.WriteString(p.Masked().String())
		}
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *FeedPrefixError) Unwrap() error { return e.Err }

// MergeError reports two tags given to [Merge] whose names are equal
// ignoring case, or a document given to Merge twice. It matches
// [ErrDuplicateTag].
type MergeError struct {
	// Name is the tag in the later document, Previous the tag with the
	// same name ignoring case in the earlier one; both are "" when the
	// same *Document was passed twice.
	Name, Previous string
	// Doc and PreviousDoc are the positions of the two documents among
	// Merge's arguments (equal for a document that has two such tags).
	Doc, PreviousDoc int
	// Source and PreviousSource describe the two documents by feed and,
	// for Azure, cloud: "azure Public", "aws".
	Source, PreviousSource string
}

// Error implements the error interface.
func (e *MergeError) Error() string {
	var b strings.Builder
	b.WriteString("servicetag: merge: ")
	if e.Name == "" && e.Previous == "" {
		b.WriteString("docs[" + strconv.Itoa(e.Doc) + "] (" + e.Source + ") is the same Document as docs[" +
			strconv.Itoa(e.PreviousDoc) + "]; pass each document once")
		return b.String()
	}
	b.WriteString("tag " + strconv.Quote(e.Name) + " of docs[" + strconv.Itoa(e.Doc) + "] (" + e.Source + ")")
	b.WriteString(" has the same name ignoring case as tag " + strconv.Quote(e.Previous) + " of docs[" +
		strconv.Itoa(e.PreviousDoc) + "] (" + e.PreviousSource + ")")
	b.WriteString("; tag names must be unique across the merged documents")
	return b.String()
}

// Is reports whether target is [ErrDuplicateTag].
func (e *MergeError) Is(target error) bool { return target == ErrDuplicateTag }
