package servicetag

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// doc wraps values entries into a download-shaped document.
func doc(values ...string) string {
	return `{"changeNumber": 7, "cloud": "Public", "values": [` + strings.Join(values, ",") + `]}`
}

// entry is one download entry with the given prefixes (JSON text).
func entry(name, prefixes string) string {
	return `{"name": "` + name + `", "id": "` + name + `", "properties": {"changeNumber": 1, "region": "", "regionId": 0, "platform": "Azure", "systemService": "S", "addressPrefixes": [` + prefixes + `], "networkFeatures": null}}`
}

func TestDecodeValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Document
	}{
		{
			name: "download",
			in: `{"changeNumber": 374, "cloud": "Public", "values": [
			  {"name": "Storage.WestEurope", "id": "Storage.WestEurope", "properties": {"changeNumber": 12, "region": "westeurope", "regionId": 18,
			   "platform": "Azure", "systemService": "AzureStorage", "addressPrefixes": ["10.0.0.0/8", "2001:db8::/32"], "networkFeatures": ["API", "NSG"]}}]}`,
			want: &Document{Cloud: "Public", ChangeNumber: 374, Tags: []Tag{{Name: "Storage.WestEurope", ID: "Storage.WestEurope", Region: "westeurope",
				RegionID: 18, Platform: "Azure", SystemService: "AzureStorage", ChangeNumber: 12,
				Prefixes: prefixes("10.0.0.0/8", "2001:db8::/32"), NetworkFeatures: []string{"API", "NSG"}}}},
		},
		{
			name: "REST list with string change numbers and state",
			in: `{"name": "Public", "id": "/x/serviceTags/Public", "type": "Microsoft.Network/serviceTags", "changeNumber": "63", "cloud": "Public",
			  "values": [{"id": "A", "name": "A", "properties": {"addressPrefixes": ["1.2.3.4/32"], "changeNumber": "2", "region": "", "state": "GA", "systemService": "S"}}],
			  "nextLink": "https://next"}`,
			want: &Document{Name: "Public", ID: "/x/serviceTags/Public", Type: "Microsoft.Network/serviceTags", ChangeNumber: 63, Cloud: "Public", NextLink: "https://next",
				Tags: []Tag{{Name: "A", ID: "A", State: "GA", SystemService: "S", ChangeNumber: 2, Prefixes: prefixes("1.2.3.4/32")}}},
		},
		{
			name: "serviceTagDetails page",
			in: `{"value": [{"name": "A", "id": "A", "serviceTagChangeNumber": "9", "properties": {"addressPrefixes": []}},
			  {"name": "B", "id": "B", "serviceTagChangeNumber": "9", "properties": {"changeNumber": "3"}}], "nextLink": null}`,
			want: &Document{Tags: []Tag{{Name: "A", ID: "A", ChangeNumber: 9, Prefixes: []netip.Prefix{}}, {Name: "B", ID: "B", ChangeNumber: 3}}},
		},
		{
			name: "escapes, unknown keys, white space",
			in: "\n\t{ \"extra\" : [1, -2.5e+3, {\"a\": [true, false, null]}, \"x\\\"\"] , \"values\":[" +
				`{"name": "\u0041zure\/\ud83d\ude00", "properties": {"addressPrefixes": ["::/0", "0.0.0.0/0"], "networkFeatures": []}, "more": {}}` +
				"]}\r\n",
			want: &Document{Tags: []Tag{{Name: "Azure/\U0001F600", Prefixes: prefixes("::/0", "0.0.0.0/0"), NetworkFeatures: []string{}}}},
		},
		{
			name: "empty values",
			in:   `{"values": []}`,
			want: &Document{Tags: []Tag{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBytes([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// The gzip form decodes to the same document.
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write([]byte(tt.in))
			zw.Close()
			gz, err := Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, gz, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" {
				t.Errorf("gzip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		is   error        // errors.Is target, or nil
		want *PrefixError // the prefix error expected, or nil
		msg  string       // substring of the message
	}{
		{name: "non-canonical prefix", in: doc(entry("A", `"10.0.0.0/8", "10.1.2.3/8"`)), is: ErrNonCanonicalPrefix,
			want: &PrefixError{Tag: "A", Index: 1, Value: "10.1.2.3/8", Offset: 215, Err: ErrNonCanonicalPrefix}, msg: "canonical form is 10.0.0.0/8"},
		{name: "non-canonical IPv6", in: doc(entry("A", `"2001:db8::1/64"`)), is: ErrNonCanonicalPrefix},
		{name: "bare address", in: doc(entry("A", `"10.0.0.1"`)), msg: `addressPrefixes[0] "10.0.0.1"`},
		{name: "bits out of range", in: doc(entry("A", `"10.0.0.0/33"`)), msg: "out of range"},
		{name: "leading zero bits", in: doc(entry("A", `"10.0.0.0/08"`)), msg: "bad bits"},
		{name: "zone", in: doc(entry("A", `"fe80::%eth0/64"`)), msg: "zone"},
		{name: "prefix not a string", in: doc(entry("A", `42`)), is: ErrWrongType, msg: `tag "A": field "properties.addressPrefixes[0]"`},
		{name: "prefixes not an array", in: doc(`{"name": "A", "properties": {"addressPrefixes": "1.2.3.4/32"}}`), is: ErrWrongType},
		{name: "name is a number", in: doc(`{"name": 5}`), is: ErrWrongType, msg: `tag "values[0]": field "name"`},
		{name: "region is a number", in: doc(`{"name": "A", "properties": {"region": 1}}`), is: ErrWrongType, msg: `got number, want string`},
		{name: "changeNumber bool", in: `{"changeNumber": true, "values": []}`, is: ErrWrongType},
		{name: "changeNumber bad string", in: `{"changeNumber": "12a", "values": []}`, msg: `invalid integer "12a"`},
		{name: "changeNumber fraction", in: `{"changeNumber": 1.5, "values": []}`, msg: `invalid integer "1.5"`},
		{name: "document not object", in: `[]`, is: ErrWrongType},
		{name: "entry not object", in: doc(`"A"`), is: ErrWrongType},
		{name: "missing name", in: doc(`{"id": "A"}`), is: ErrMissingField},
		{name: "missing values", in: `{"changeNumber": 1}`, is: ErrMissingField, msg: "is this a service-tag file?"},
		{name: "duplicate tag ignoring case", in: doc(entry("Storage", ""), entry("STORAGE", "")), is: ErrDuplicateTag,
			msg: `duplicate tag "STORAGE"`},
		{name: "duplicate key", in: `{"cloud": "a", "cloud": "b", "values": []}`, msg: "more than once"},
		{name: "both values and value", in: `{"values": [], "value": []}`, msg: "more than once"},
		{name: "trailing data", in: `{"values": []} {}`, msg: "after the top-level"},
		{name: "trailing comma in array", in: `{"values": [],"x":[1,]}`, msg: "unexpected ']'"},
		{name: "trailing comma in object", in: `{"values": [],}`, msg: "expected string key"},
		{name: "single quotes", in: `{'values': []}`, msg: "expected string key"},
		{name: "leading zero number", in: `{"x": 01, "values": []}`, msg: "expected ',' or '}'"},
		{name: "NaN", in: `{"x": NaN, "values": []}`, msg: "invalid number"},
		{name: "control character", in: "{\"x\": \"a\tb\", \"values\": []}", msg: "control character"},
		{name: "invalid UTF-8", in: "{\"x\": \"\xff\", \"values\": []}", msg: "invalid UTF-8"},
		{name: "lone surrogate", in: `{"x": "\ud800", "values": []}`, msg: "surrogate"},
		{name: "bad escape", in: `{"x": "\q", "values": []}`, msg: "invalid escape"},
		{name: "deep nesting", in: `{"x": ` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `, "values": []}`, msg: "nested too deeply"},
		{name: "empty", in: "", is: ErrTruncated},
		{name: "truncated", in: `{"values": [{"name": "A", "properties": {"addressPrefixes": ["1.2.`, is: ErrTruncated},
		{name: "truncated literal", in: `{"values": [], "x": nu`, is: ErrTruncated},
		{name: "truncated gzip", in: string(gzipBytes([]byte(doc(entry("A", `"1.2.3.0/24"`))))[:30]), is: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBytes([]byte(tt.in))
			if err == nil {
				t.Fatalf("no error; decoded %+v", got)
			}
			if got != nil {
				t.Errorf("document %+v returned with the error", got)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			var pe *PrefixError
			if errors.As(err, &pe) && !strings.HasPrefix(tt.in[pe.Offset:], `"`+pe.Value+`"`) {
				t.Errorf("offset %d does not point at %q", pe.Offset, pe.Value)
			}
			if tt.want != nil {
				if pe == nil {
					t.Fatalf("error %v is not a *PrefixError", err)
				}
				if diff := cmp.Diff(*tt.want, *pe, cmpopts.EquateErrors()); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "servicetag: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestDecodeEveryTruncation cuts a small valid document at every byte:
// each cut must fail with ErrTruncated.
func TestDecodeEveryTruncation(t *testing.T) {
	full := doc(entry("A\u00e9\\n", `"10.0.0.0/8", "2001:db8::/32"`), `{"name": "B", "x": [1.5e-3, true, false, null, {}], "properties": {"networkFeatures": ["\ud83d\ude00"]}}`)
	if _, err := DecodeBytes([]byte(full)); err != nil {
		t.Fatal(err)
	}
	for i := range len(full) {
		_, err := DecodeBytes([]byte(full[:i]))
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("cut at %d (%q): error %v, want ErrTruncated", i, full[max(0, i-10):i], err)
		}
	}
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestDecodeSizeLimit(t *testing.T) {
	small := []byte(doc(entry("A", `"10.0.0.0/8"`)))
	limit := int64(len(small))
	if _, err := (DecodeOptions{MaxSize: limit}).Decode(bytes.NewReader(small)); err != nil {
		t.Errorf("input at the limit: %v", err)
	}
	var tl *TooLargeError
	_, err := DecodeOptions{MaxSize: limit - 1}.Decode(bytes.NewReader(small))
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &tl) || tl.Limit != limit-1 {
		t.Errorf("input over the limit: %v", err)
	}
	// A gzip bomb: 2 MiB of white space in a few KiB. Decoding stops at
	// the limit.
	bomb := gzipBytes(append(bytes.Repeat([]byte(" "), 2<<20), small...))
	if len(bomb) > 16<<10 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	if _, err := (DecodeOptions{MaxSize: 64 << 10}).Decode(bytes.NewReader(bomb)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("gzip bomb: %v", err)
	}
	if _, err := (DecodeOptions{MaxSize: 3 << 20}).DecodeBytes(bomb); err != nil {
		t.Errorf("gzip bomb under a raised limit: %v", err)
	}
}

func TestParsePrefixMatchesNetip(t *testing.T) {
	for _, s := range []string{
		"0.0.0.0/0", "255.255.255.255/32", "1.2.3.4/32", "01.2.3.4/32", "1.2.3/24", "1.2.3.4.5/32", "256.0.0.0/8",
		"1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/032", "1.2.3.4/33", "/8", "",
		"::/0", "::/128", "::1/128", "1::/16", "1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7::/112", "1:2:3:4:5:6:7:8:9/128",
		"1::2::3/64", ":1::/64", "1:/64", "1::2:/64", "12345::/16", "ABCD:ef01::/32", "::ffff:1.2.3.4/128",
		"::1.2.3.4/128", "fe80::1%eth0/64", "1:2:3:4:5:6:7:8::/128", "::1:2:3:4:5:6:7/128", "::1:2:3:4:5:6:7:8/128",
		"2001:db8::/129", "1:2:3:4:5:6:7/64", "1::/1234",
	} {
		want, werr := netip.ParsePrefix(s)
		got, gerr := parsePrefix([]byte(s))
		if got != want || (werr == nil) != (gerr == nil) {
			t.Errorf("parsePrefix(%q) = %v, %v; netip: %v, %v", s, got, gerr, want, werr)
		}
		if p, ok := parsePrefixFast([]byte(s)); ok && (werr != nil || p != want) {
			t.Errorf("fast path accepted %q as %v; netip: %v, %v", s, p, want, werr)
		}
	}
}

// TestPrefixErrorBounded: a huge value where a prefix should be gives an
// error of bounded size.
func TestPrefixErrorBounded(t *testing.T) {
	huge := strings.Repeat("1", 1<<20)
	_, err := DecodeBytes([]byte(`{"changeNumber": 1, "cloud": "Public", "values": [` + entry("AzureCloud", `"`+huge+`"`) + `]}`))
	var pe *PrefixError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a *PrefixError", err)
	}
	if n := len(err.Error()); n > 512 {
		t.Errorf("the error is %d bytes long", n)
	}
}
