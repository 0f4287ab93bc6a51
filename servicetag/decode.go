package servicetag

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/internal/ipx"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DefaultMaxSize is the input limit used when [DecodeOptions.MaxSize] is
// zero: 64 MiB of JSON, about 15 times the 2025 Public download.
const DefaultMaxSize = 64 << 20

// maxDepth bounds the nesting of JSON values that the decoder skips.
const maxDepth = 1000

// DecodeOptions configures decoding. The zero value is ready to use.
type DecodeOptions struct {
	// MaxSize bounds the JSON in bytes after decompression, and also the
	// compressed input that is read. Zero means DefaultMaxSize. Reading
	// stops one byte past the limit, so a gzip bomb costs at most MaxSize
	// bytes of memory.
	MaxSize int64
}

func (o DecodeOptions) limit() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

// Decode reads a service-tag document from r with the default options.
// See [DecodeOptions.Decode].
func Decode(r io.Reader) (*Document, error) { return DecodeOptions{}.Decode(r) }

// DecodeBytes decodes a service-tag document held in memory with the
// default options. See [DecodeOptions.Decode].
func DecodeBytes(data []byte) (*Document, error) { return DecodeOptions{}.DecodeBytes(data) }

// LoadFile decodes the named file (".json" or ".json.gz"; gzip is detected
// by content, not by name) with the default options.
func LoadFile(name string) (*Document, error) { return DecodeOptions{}.LoadFile(name) }

// LoadFile decodes the named file. See [DecodeOptions.Decode].
func (o DecodeOptions) LoadFile(name string) (*Document, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := o.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

// Decode reads all of r (at most MaxSize bytes) and decodes it.
//
// The input may be gzip-compressed; that is detected by the gzip magic
// bytes (1f 8b), not by a file name. Three JSON shapes are accepted:
//
//   - the weekly download ServiceTags_<Cloud>_<date>.json:
//     {"changeNumber": 374, "cloud": "Public", "values": [...]};
//   - the Service Tag Discovery API list and `az network list-service-tags`:
//     {"name", "id", "type", "changeNumber": "63", "cloud", "values": [...], "nextLink"};
//   - the paged serviceTagDetails API: {"value": [...], "nextLink"}, whose
//     entries may carry "serviceTagChangeNumber".
//
// Change numbers may be JSON integers or decimal strings. Unknown keys are
// skipped (after checking that they are well-formed JSON); known keys are
// matched exactly (case-sensitively) and must not repeat.
//
// Decoding is strict and fails closed: the input must be a single valid
// JSON value (RFC 8259, UTF-8), every prefix must parse with
// [netip.ParsePrefix] and be canonical (p == p.Masked()), every entry must
// have a name, and names must be unique ignoring case. Errors are
// [*SyntaxError], [*FieldError], [*PrefixError], [*DuplicateTagError] and
// [*TooLargeError]; they name the tag, the value and its byte offset.
func (o DecodeOptions) Decode(r io.Reader) (*Document, error) {
	data, err := o.read(r)
	if err != nil {
		return nil, err
	}
	return o.DecodeBytes(data)
}

// DecodeBytes decodes a document held in memory; see [DecodeOptions.Decode].
// The returned Document does not retain data.
func (o DecodeOptions) DecodeBytes(data []byte) (*Document, error) {
	data, err := o.input(data)
	if err != nil {
		return nil, err
	}
	d := decoder{data: data}
	d.presize()
	return d.document()
}

// read reads all of r, at most the limit.
func (o DecodeOptions) read(r io.Reader) ([]byte, error) {
	max := o.limit()
	data, err := readAll(r, max)
	if err != nil {
		return nil, fmt.Errorf("servicetag: reading input: %w", err)
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Limit: max, What: "input"}
	}
	return data, nil
}

// input checks the size of data and decompresses it if it is gzip.
func (o DecodeOptions) input(data []byte) ([]byte, error) {
	max := o.limit()
	if int64(len(data)) > max {
		return nil, &TooLargeError{Limit: max, What: "input"}
	}
	if isGzip(data) {
		return gunzip(data, max)
	}
	return data, nil
}

// isGzip reports whether data starts with the gzip magic bytes.
func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// readAll reads at most max+1 bytes of r, allocating once when r tells
// its size (a file, a bytes.Reader, a strings.Reader or a bytes.Buffer).
func readAll(r io.Reader, max int64) ([]byte, error) {
	var size int64 = -1
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	if size < 0 || size > max {
		return io.ReadAll(io.LimitReader(r, max+1))
	}
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead)
	_, err := buf.ReadFrom(io.LimitReader(r, max+1))
	return buf.Bytes(), err
}

func gunzip(data []byte, max int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, gzipError(err)
	}
	var buf bytes.Buffer
	if n := int64(len(data)) * 10; n < max { // typical ratio is 8:1; avoid regrowing
		buf.Grow(int(n))
	}
	n, err := buf.ReadFrom(io.LimitReader(zr, max+1))
	if err != nil {
		return nil, gzipError(err)
	}
	if n > max {
		return nil, &TooLargeError{Limit: max, What: "decompressed input"}
	}
	return buf.Bytes(), nil
}

func gzipError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("servicetag: gzip: %w: %w", ErrTruncated, err)
	}
	return fmt.Errorf("servicetag: gzip: %w", err)
}

// decoder is a JSON scanner specialised to the service-tag shapes. It
// validates the whole input as JSON while it decodes, without reflection.
type decoder struct {
	data    []byte
	pos     int
	scratch []byte            // unescaped string buffer, reused
	strs    map[string]string // interned small strings (regions, services, features)
	arena   []netip.Prefix    // backing store handed out to tags in chunks
	tagHint int               // expected number of tags
	tag     string            // current tag name, for errors
	entryAt string            // current entry as "values[i]" when tag is "", for errors
	entryIx int
}

// tagLabel names the current entry for an error: its name, or its
// position before the name is known.
func (d *decoder) tagLabel() string {
	if d.tag != "" || d.entryAt == "" {
		return d.tag
	}
	return d.entryAt + "[" + strconv.Itoa(d.entryIx) + "]"
}

// presize estimates the number of tags and prefixes from the bytes, so
// that the Tags slice and the prefix arena are allocated once at the right
// size. Every prefix contains a '/' and every entry a "name" key; the
// estimates are capped relative to the input so that hostile input
// cannot make them large.
func (d *decoder) presize() {
	d.tagHint = min(bytes.Count(d.data, []byte(`"name"`)), len(d.data)/64) + 1
	d.arena = make([]netip.Prefix, 0, min(bytes.Count(d.data, []byte("/")), len(d.data)/8)+1)
}

func (d *decoder) syntax(msg string) error {
	return &SyntaxError{Offset: int64(d.pos), Msg: msg}
}

func (d *decoder) eof() error {
	return &SyntaxError{Offset: int64(len(d.data)), Msg: "unexpected end of input", eof: true}
}

func (d *decoder) fieldErr(field string, off int, err error) error {
	return &FieldError{Tag: d.tagLabel(), Field: field, Offset: int64(off), Err: err}
}

func (d *decoder) wrongType(field, want string) error {
	return d.fieldErr(field, d.pos, fmt.Errorf("%w: got %s, want %s", ErrWrongType, kindOf(d.data[d.pos]), want))
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// peek skips white space and returns the next byte without consuming it.
func (d *decoder) peek() (byte, error) {
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; c {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return c, nil
		}
	}
	return 0, d.eof()
}

// nextKey advances inside an object whose '{' has been consumed. It
// returns more == false after consuming the closing '}', or the next key
// with the ':' consumed. The key may alias d.scratch; use it before the
// next string is read.
func (d *decoder) nextKey(first bool) (key []byte, more bool, err error) {
	c, err := d.peek()
	if err != nil {
		return nil, false, err
	}
	if c == '}' {
		d.pos++
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, d.syntax("expected ',' or '}' in object, found " + quoteByte(c))
		}
		d.pos++
		if c, err = d.peek(); err != nil {
			return nil, false, err
		}
	}
	if c != '"' {
		return nil, false, d.syntax("expected string key in object, found " + quoteByte(c))
	}
	if key, err = d.str(); err != nil {
		return nil, false, err
	}
	if c, err = d.peek(); err != nil {
		return nil, false, err
	}
	if c != ':' {
		return nil, false, d.syntax("expected ':' after object key, found " + quoteByte(c))
	}
	d.pos++
	if _, err = d.peek(); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// nextElem advances inside an array whose '[' has been consumed. It
// returns more == false after consuming the closing ']'; otherwise the
// next value starts at d.pos.
func (d *decoder) nextElem(first bool) (more bool, err error) {
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	if c == ']' {
		d.pos++
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, d.syntax("expected ',' or ']' in array, found " + quoteByte(c))
		}
		d.pos++
		if c, err = d.peek(); err != nil {
			return false, err
		}
		if c == ']' {
			return false, d.syntax("unexpected ']' after ','")
		}
	}
	return true, nil
}

func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// str reads a string starting at d.pos (which holds '"') and returns its
// unescaped contents. The result aliases d.data or d.scratch.
func (d *decoder) str() ([]byte, error) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], nil
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return d.strSlow(start, i)
		}
	}
	d.pos = len(d.data)
	return nil, d.eof()
}

func (d *decoder) strSlow(start, i int) ([]byte, error) {
	out := append(d.scratch[:0], d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.scratch = out
			return out, nil
		case c < 0x20:
			d.pos = i
			return nil, d.syntax("control character in string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				if !utf8.FullRune(d.data[i:]) {
					return nil, d.eof()
				}
				return nil, d.syntax("invalid UTF-8 in string")
			}
			out = append(out, d.data[i:i+size]...)
			i += size
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = len(d.data)
				return nil, d.eof()
			}
			e := d.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok, err := d.hex4(i)
				if err != nil || !ok {
					return nil, err
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by \u and a low one.
					r2 := rune(-1)
					if rest := d.data[i:]; r < 0xdc00 && (len(rest) == 0 || (len(rest) == 1 && rest[0] == '\\')) {
						d.pos = len(d.data)
						return nil, d.eof()
					}
					if r < 0xdc00 && i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						var err error
						if r2, _, err = d.hex4(i + 2); err != nil {
							return nil, err
						}
					}
					dec := utf16.DecodeRune(r, r2)
					if dec == utf8.RuneError {
						d.pos = i - 6
						return nil, d.syntax("invalid UTF-16 surrogate in \\u escape")
					}
					i += 6
					r = dec
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = i - 1
				return nil, d.syntax("invalid escape " + quoteByte(e) + " in string")
			}
		default:
			out = append(out, c)
			i++
		}
	}
	d.pos = len(d.data)
	return nil, d.eof()
}

// hex4 reads four hex digits at i.
func (d *decoder) hex4(i int) (rune, bool, error) {
	if i+4 > len(d.data) {
		d.pos = len(d.data)
		return 0, false, d.eof()
	}
	var r rune
	for _, c := range d.data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			d.pos = i
			return 0, false, d.syntax("invalid \\u escape in string")
		}
		r = r<<4 | rune(c)
	}
	return r, true, nil
}

// number reads a JSON number at d.pos and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.pos
	i := d.pos
	n := len(d.data)
	if i < n && d.data[i] == '-' {
		i++
	}
	switch {
	case i >= n:
		d.pos = n
		return nil, d.eof()
	case d.data[i] == '0':
		i++
	case d.data[i] >= '1' && d.data[i] <= '9':
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return nil, d.syntax("invalid number")
	}
	if i < n && d.data[i] == '.' {
		i++
		j := i
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
		if i == j {
			d.pos = i
			if i == n {
				return nil, d.eof()
			}
			return nil, d.syntax("invalid number: no digits after '.'")
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		j := i
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
		if i == j {
			d.pos = i
			if i == n {
				return nil, d.eof()
			}
			return nil, d.syntax("invalid number: no digits in exponent")
		}
	}
	d.pos = i
	return d.data[start:i], nil
}

func (d *decoder) literal(lit string) error {
	rest := d.data[d.pos:]
	if len(rest) < len(lit) {
		if bytes.HasPrefix([]byte(lit), rest) {
			d.pos = len(d.data)
			return d.eof()
		}
	} else if string(rest[:len(lit)]) == lit {
		d.pos += len(lit)
		return nil
	}
	return d.syntax("invalid literal, expected " + lit)
}

// skip reads and validates any JSON value at d.pos.
func (d *decoder) skip(depth int) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{', '[':
		if depth >= maxDepth {
			return d.syntax("JSON nested too deeply")
		}
		d.pos++
		for first := true; ; first = false {
			var more bool
			if c == '{' {
				_, more, err = d.nextKey(first)
			} else {
				more, err = d.nextElem(first)
			}
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case '"':
		_, err = d.str()
	case 't':
		err = d.literal("true")
	case 'f':
		err = d.literal("false")
	case 'n':
		err = d.literal("null")
	default:
		_, err = d.number()
	}
	return err
}

// end checks that only white space follows the top-level value.
func (d *decoder) end() error {
	if _, err := d.peek(); err == nil {
		return d.syntax("unexpected data after the top-level JSON value")
	}
	return nil
}

// checkPrefix reports why a parsed prefix is not acceptable input:
// [ErrNonCanonicalPrefix] for bits set past its length, and
// [ErrMappedPrefix] (with the IPv4 prefix to write instead) for an
// IPv4-mapped IPv6 prefix, which later stages would refuse.
func checkPrefix(p netip.Prefix) error {
	switch ipx.CheckPrefix(p) {
	case ipx.HostBits:
		return ErrNonCanonicalPrefix
	case ipx.Mapped:
		if u := ipx.Unmapped(p); u.IsValid() {
			return fmt.Errorf("%w; write the IPv4 prefix %s", ErrMappedPrefix, u)
		}
		// Shorter than /96, a mapped prefix always has host bits set;
		// its canonical form is not mapped.
		return ErrNonCanonicalPrefix
	}
	return nil
}

// null consumes a JSON null if one is next.
func (d *decoder) null() (bool, error) {
	if d.data[d.pos] != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

// string reads a string value (null reads as "") for field.
func (d *decoder) strValue(field string) ([]byte, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return nil, err
	}
	if d.data[d.pos] != '"' {
		return nil, d.wrongType(field, "string")
	}
	return d.str()
}

func (d *decoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	if d.strs == nil {
		d.strs = make(map[string]string)
	}
	s := string(b)
	d.strs[s] = s
	return s
}

// int reads an integer given as a JSON number or as a decimal string
// (the REST API's form). Null reads as 0.
func (d *decoder) intValue(field string) (int, error) {
	off := d.pos
	var b []byte
	var err error
	switch c := d.data[d.pos]; {
	case c == 'n':
		return 0, d.literal("null")
	case c == '"':
		b, err = d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		b, err = d.number()
	default:
		return 0, d.wrongType(field, "integer or decimal string")
	}
	if err != nil {
		return 0, err
	}
	neg := len(b) > 0 && b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || (len(digits) > 1 && digits[0] == '0') {
		return 0, d.fieldErr(field, off, fmt.Errorf("invalid integer %q", b))
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, d.fieldErr(field, off, fmt.Errorf("invalid integer %q", b))
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

type seenSet uint32

// errRepeatedKey is the cause of a FieldError for a key that repeats.
var errRepeatedKey = errors.New("key appears more than once")

func (s *seenSet) once(d *decoder, bit uint, field string, off int) error {
	if *s&(1<<bit) != 0 {
		return d.fieldErr(field, off, errRepeatedKey)
	}
	*s |= 1 << bit
	return nil
}

// onceString decodes the string value of a key that may appear only once
// in its object (bit in seen). With intern, equal values share storage.
func (d *decoder) onceString(seen *seenSet, bit uint, field string, off int, intern bool) (string, error) {
	if err := seen.once(d, bit, field, off); err != nil {
		return "", err
	}
	b, err := d.strValue(field)
	if err != nil {
		return "", err
	}
	if intern {
		return d.intern(b), nil
	}
	return string(b), nil
}

// onceInt decodes the integer value of a key that may appear only once in
// its object (bit in seen).
func (d *decoder) onceInt(seen *seenSet, bit uint, field string, off int) (int, error) {
	if err := seen.once(d, bit, field, off); err != nil {
		return 0, err
	}
	return d.intValue(field)
}

func (d *decoder) document() (*Document, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	if c != '{' {
		return nil, d.wrongType("(document)", "object")
	}
	d.pos++
	doc := &Document{}
	var seen seenSet
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		off := d.pos
		switch string(key) {
		case "changeNumber":
			doc.ChangeNumber, err = d.onceInt(&seen, 0, "changeNumber", off)
		case "cloud":
			doc.Cloud, err = d.onceString(&seen, 1, "cloud", off, false)
		case "name":
			doc.Name, err = d.onceString(&seen, 2, "name", off, false)
		case "id":
			doc.ID, err = d.onceString(&seen, 3, "id", off, false)
		case "type":
			doc.Type, err = d.onceString(&seen, 4, "type", off, false)
		case "nextLink":
			doc.NextLink, err = d.onceString(&seen, 5, "nextLink", off, false)
		case "values", "value":
			field := string(key)
			if err = seen.once(d, 6, "values/value", off); err == nil {
				err = d.tags(doc, field)
			}
		default:
			err = d.skip(1)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	if seen&(1<<6) == 0 {
		return nil, &FieldError{Field: "values", Offset: 0, Err: fmt.Errorf("%w: the document has neither \"values\" (download, serviceTags API) nor \"value\" (serviceTagDetails API); is this a service-tag file?", ErrMissingField)}
	}
	return doc, nil
}

func (d *decoder) tags(doc *Document, field string) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	if d.data[d.pos] != '[' {
		return d.wrongType(field, "array")
	}
	d.pos++
	index := make(map[string]int, d.tagHint)
	doc.Tags = make([]Tag, 0, d.tagHint)
	for i, first := 0, true; ; i, first = i+1, false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		off := d.pos
		d.tag, d.entryAt, d.entryIx = "", field, i
		t, err := d.entry()
		if err != nil {
			return err
		}
		key := strings.ToLower(t.Name)
		if j, dup := index[key]; dup {
			return &DuplicateTagError{Name: t.Name, Previous: doc.Tags[j].Name, Offset: int64(off)}
		}
		index[key] = len(doc.Tags)
		doc.Tags = append(doc.Tags, t)
	}
	d.tag, d.entryAt = "", ""
	doc.setIndex(index)
	return nil
}

func (d *decoder) entry() (Tag, error) {
	var t Tag
	if d.data[d.pos] != '{' {
		return t, d.wrongType("(entry)", "object")
	}
	start := d.pos
	d.pos++
	var seen seenSet
	var stcn int
	haveCN := false
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil {
			return t, err
		}
		if !more {
			break
		}
		off := d.pos
		var s []byte
		switch string(key) {
		case "name":
			if err = seen.once(d, 0, "name", off); err == nil {
				if s, err = d.strValue("name"); err == nil {
					if t.ID != "" && string(s) == t.ID {
						t.Name = t.ID
					} else {
						t.Name = string(s)
					}
					if t.Name != "" {
						d.tag = t.Name
					}
				}
			}
		case "id":
			if err = seen.once(d, 1, "id", off); err == nil {
				if s, err = d.strValue("id"); err == nil {
					if string(s) == t.Name {
						t.ID = t.Name
					} else {
						t.ID = string(s)
					}
				}
			}
		case "serviceTagChangeNumber":
			stcn, err = d.onceInt(&seen, 2, "serviceTagChangeNumber", off)
		case "properties":
			if err = seen.once(d, 3, "properties", off); err == nil {
				haveCN, err = d.properties(&t)
			}
		default:
			err = d.skip(2)
		}
		if err != nil {
			return t, err
		}
	}
	if t.Name == "" {
		return t, d.fieldErr("name", start, fmt.Errorf("%w: every entry needs a non-empty \"name\"", ErrMissingField))
	}
	if !haveCN {
		t.ChangeNumber = stcn
	}
	return t, nil
}

func (d *decoder) properties(t *Tag) (haveCN bool, err error) {
	if isNull, err := d.null(); isNull || err != nil {
		return false, err
	}
	if d.data[d.pos] != '{' {
		return false, d.wrongType("properties", "object")
	}
	d.pos++
	var seen seenSet
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil {
			return false, err
		}
		if !more {
			break
		}
		off := d.pos
		switch string(key) {
		case "changeNumber":
			if err = seen.once(d, 0, "properties.changeNumber", off); err == nil {
				haveCN = d.data[d.pos] != 'n'
				t.ChangeNumber, err = d.intValue("properties.changeNumber")
			}
		case "region":
			t.Region, err = d.onceString(&seen, 1, "properties.region", off, true)
		case "regionId":
			t.RegionID, err = d.onceInt(&seen, 2, "properties.regionId", off)
		case "platform":
			t.Platform, err = d.onceString(&seen, 3, "properties.platform", off, true)
		case "systemService":
			t.SystemService, err = d.onceString(&seen, 4, "properties.systemService", off, true)
		case "state":
			t.State, err = d.onceString(&seen, 5, "properties.state", off, true)
		case "addressPrefixes":
			if err = seen.once(d, 6, "properties.addressPrefixes", off); err == nil {
				err = d.prefixes(t)
			}
		case "networkFeatures":
			if err = seen.once(d, 7, "properties.networkFeatures", off); err == nil {
				err = d.features(t)
			}
		default:
			err = d.skip(3)
		}
		if err != nil {
			return false, err
		}
	}
	return haveCN, nil
}

func (d *decoder) prefixes(t *Tag) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	if d.data[d.pos] != '[' {
		return d.wrongType("properties.addressPrefixes", "array of strings")
	}
	d.pos++
	start := len(d.arena)
	for i, first := 0, true; ; i, first = i+1, false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if d.data[d.pos] != '"' {
			return d.wrongType("properties.addressPrefixes["+strconv.Itoa(i)+"]", "string")
		}
		off := d.pos
		b, err := d.str()
		if err != nil {
			return err
		}
		p, err := parsePrefixBounded(b)
		if err == nil {
			err = checkPrefix(p)
		}
		if err != nil {
			return &PrefixError{Tag: d.tagLabel(), Index: i, Value: clip(string(b)), Offset: int64(off), Err: err}
		}
		if len(d.arena) == cap(d.arena) {
			// Start a new chunk and move this tag's prefixes into it.
			n := len(d.arena) - start
			chunk := make([]netip.Prefix, n, max(4096, 2*n))
			copy(chunk, d.arena[start:])
			d.arena, start = chunk, 0
		}
		d.arena = append(d.arena, p)
	}
	end := len(d.arena)
	// The capacity is limited, so appending to one tag's slice never
	// writes into another's.
	t.Prefixes = d.arena[start:end:end]
	return nil
}

func (d *decoder) features(t *Tag) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	if d.data[d.pos] != '[' {
		return d.wrongType("properties.networkFeatures", "array of strings or null")
	}
	d.pos++
	t.NetworkFeatures = make([]string, 0, 4)
	for i, first := 0, true; ; i, first = i+1, false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if d.data[d.pos] != '"' {
			return d.wrongType("properties.networkFeatures["+strconv.Itoa(i)+"]", "string")
		}
		b, err := d.str()
		if err != nil {
			return err
		}
		t.NetworkFeatures = append(t.NetworkFeatures, d.intern(b))
	}
	return nil
}
