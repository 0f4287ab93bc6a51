package allowlist

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// pythonSpace is every character for which CPython's str.isspace() is
// true, which are the characters str.strip() removes: Py_UNICODE_ISSPACE,
// listed from Python 3.11.7 (range(0x110000)) and the same in CPython
// 3.13's Objects/unicodetype_db.h (_PyUnicode_IsWhitespace).
var pythonSpace = []rune{
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
	0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
	0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
}

func TestIsPySpaceMatchesCPython(t *testing.T) {
	var got []rune
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if isPySpace(r) {
			got = append(got, r)
		}
	}
	if diff := cmp.Diff(pythonSpace, got); diff != "" {
		t.Errorf("isPySpace (-CPython +got):\n%s", diff)
	}
}

func TestTrimPySpace(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"\n\t a \r\n":              "a",
		"\u00a0\u3000a b\u2028":    "a b",
		"\u200ba\u200b":            "\u200ba\u200b", // zero width space: Python keeps it
		"\ufeffa":                  "\ufeffa",       // byte order mark too
		"\x00a":                    "\x00a",
		"\x1c\x1d\x1e\x1fa\u0085":  "a",
		"\xffa":                    "\xffa",
		"\u2000\u200a\u202f\u205f": "",
	} {
		if got, _ := trimPySpace(in); got != want {
			t.Errorf("trimPySpace(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseTrimsAsAzCLI: under AKS (TrimUnicodeSpace) every character
// that the az CLI strips around an entry is trimmed and noted, and the
// verdicts are the CLI's; the general policy stays strict.
func TestParseTrimsAsAzCLI(t *testing.T) {
	runParseTests(t, []parseTest{
		{name: "heredoc", in: "73.140.245.0/24,\n193.168.1.0/24", policy: AKS, want: ok("73.140.245.0/24", "193.168.1.0/24")},
		{name: "trailing newline", in: "73.140.245.0/24\n", policy: AKS, want: ok("73.140.245.0/24")},
		{name: "CRLF and NBSP", in: "\u00a073.140.245.0/24\r\n", policy: AKS, want: ok("73.140.245.0/24")},
		{name: "tag", in: "AzureCloud\u3000, 20.20.20.20", policy: AKS,
			want: List{Mode: Restricted, Prefixes: pfx("20.20.20.20/32"), ServiceTags: []string{"AzureCloud"}}},
		{name: "egress only", in: "0.0.0.0/32\n", policy: AKS, want: List{Mode: EgressOnly}},
		{name: "blank after a trailing comma", in: "73.140.245.0/24,\n", policy: AKS, errs: bad(1, "", "EmptyEntry", "comma")},
		{name: "only invisible characters", in: "\n\u00a0", policy: AKS,
			errs: bad(0, "\n\u00a0", "Malformed", "nothing but invisible characters (U+000A (line feed), U+00A0 (no-break space))")},
		{name: "inner newline is no separator", in: "73.140.245.0/24\n193.168.1.0/24", policy: AKS,
			errs: bad(0, "73.140.245.0/24\n193.168.1.0/24", "Malformed", "separate entries with commas: write 73.140.245.0/24,193.168.1.0/24")},
		{name: "zero width space is kept", in: "73.140.245.0/24\u200b", policy: AKS,
			errs: bad(0, "73.140.245.0/24\u200b", "Malformed", "U+200B (zero width space), an invisible character; remove it and write 73.140.245.0/24")},
		{name: "BOM is kept", in: "\ufeff73.140.245.0/24", policy: AKS,
			errs: bad(0, "\ufeff73.140.245.0/24", "Malformed", "U+FEFF (byte order mark)")},
		{name: "NUL is kept", in: "73.140.245.0/24\x00", policy: AKS, errs: bad(0, "73.140.245.0/24\x00", "Malformed", `control character '\x00'`)},

		{name: "strict heredoc", in: "73.140.245.0/24,\n193.168.1.0/24", policy: general,
			errs: bad(1, "\n193.168.1.0/24", "Malformed", `control character '\n' at offset 0; remove it and write 193.168.1.0/24`)},
		{name: "strict trailing newline", in: "73.140.245.0/24\n", policy: general,
			errs: bad(0, "73.140.245.0/24\n", "Malformed", "remove it and write 73.140.245.0/24")},
		{name: "strict NBSP", in: "73.140.245.0/24\u00a0", policy: Providers,
			errs: bad(0, "73.140.245.0/24\u00a0", "Malformed", "U+00A0 (no-break space), an invisible character")},
		{name: "trimming without AKS", in: "\t10.0.0.0/8\v", policy: Policy{TrimUnicodeSpace: true}, want: ok("10.0.0.0/8")},
	})

	// Every character of Python's set, before and after an entry.
	for _, r := range pythonSpace {
		in := fmt.Sprintf("%c20.20.20.20%c,%cAzureCloud", r, r, r)
		l, err := Parse(in, AKS)
		if err != nil {
			t.Errorf("Parse(%q, AKS): %v", in, err)
			continue
		}
		if _, err := Parse(in, general); err == nil && r != ' ' && r != '\t' {
			t.Errorf("Parse(%q, general) accepted it", in)
		}
		if n := len(l.parseNotes()); (n == 0) != (r == ' ' || r == '\t') {
			t.Errorf("Parse(%q, AKS) has %d notes", in, n)
		}
	}
}

// TestParseNotes: the trimmed characters are findings on the List, one an
// entry, naming the characters, bounded in number.
func TestParseNotes(t *testing.T) {
	l, err := Parse(" 73.140.245.0/24\u00a0,\n193.168.1.0/24\r\n, AzureCloud\u2028", AKS)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Kind: LintTrimmed, Index: 0, Entry: "73.140.245.0/24", Message: "was written with U+00A0 (no-break space) after it; " +
			"the az CLI ignores such invisible characters around an entry and so did Parse, but other tools may not: write the entry without them"},
		{Kind: LintTrimmed, Index: 1, Entry: "193.168.1.0/24", Message: "was written with U+000A (line feed) before it and " +
			"U+000D (carriage return), U+000A (line feed) after it; the az CLI ignores such invisible characters around an entry and so did Parse, " +
			"but other tools may not: write the entry without them"},
		{Kind: LintTrimmed, Index: -1, Entry: "AzureCloud", Message: "was written with U+2028 (line separator) after it; " +
			"the az CLI ignores such invisible characters around an entry and so did Parse, but other tools may not: write the entry without them"},
	}
	if diff := cmp.Diff(want, l.parseNotes()); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if ns := mustParse(t, " 73.140.245.0/24\t", AKS).parseNotes(); ns != nil {
		t.Errorf("spaces and tabs noted: %v", ns)
	}

	// In a range file the note says where.
	l, err = ParseLines("73.140.245.0/24\n\u00a020.20.20.20\n", AKS)
	if err != nil || len(l.parseNotes()) != 1 || !strings.Contains(l.parseNotes()[0].Message, "was written on line 2 with U+00A0") {
		t.Errorf("ParseLines notes %v, %v", l.parseNotes(), err)
	}

	// At most maxReported notes, then one that counts the rest.
	p := Policy{TrimUnicodeSpace: true}
	l, err = Parse(strings.Repeat("20.20.20.20\u00a0,", 250)+"20.20.20.20", p)
	if err != nil {
		t.Fatal(err)
	}
	ns := l.parseNotes()
	if len(ns) != maxReported+1 || !strings.HasPrefix(ns[maxReported].Message, "and 150 more entries") {
		t.Errorf("%d notes, the last %v", len(ns), ns[len(ns)-1])
	}
	if !slices.ContainsFunc(ns, func(f Finding) bool { return f.Kind == LintTrimmed && f.Kind.String() == "trimmed" }) {
		t.Errorf("LintTrimmed.String() = %q", LintTrimmed.String())
	}
}
