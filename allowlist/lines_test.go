package allowlist

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// lineProblem is an expected problem of ParseLines: where, what, and a
// substring of the message.
type lineProblem struct {
	Line, Column int
	Entry        string
	Kind         string
	Substr       string
}

func lineProblemsOf(t *testing.T, err error) []lineProblem {
	t.Helper()
	var ps []lineProblem
	var le *ListError
	if !errors.As(err, &le) {
		return nil
	}
	for _, e := range le.Errors {
		ps = append(ps, lineProblem{e.Line, e.Column, e.Entry, kindNames[e.Kind], e.Error()})
	}
	return ps
}

func TestParseLines(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		policy Policy
		want   List
		errs   []lineProblem // Substr must occur in the message
	}{
		{name: "one a line", in: "73.140.245.0/24\n193.168.1.0/24\n", policy: AKS, want: ok("73.140.245.0/24", "193.168.1.0/24")},
		{name: "no final line break", in: "73.140.245.0/24\n193.168.1.0/24", policy: AKS, want: ok("73.140.245.0/24", "193.168.1.0/24")},
		{name: "one-line comma form", in: "73.140.245.0/24,193.168.1.0/24, 194.168.1.0/24", policy: AKS,
			want: ok("73.140.245.0/24", "193.168.1.0/24", "194.168.1.0/24")},
		{name: "several a line", in: "73.140.245.0/24, 193.168.1.0/24\n20.20.20.20\n", policy: AKS,
			want: ok("73.140.245.0/24", "193.168.1.0/24", "20.20.20.20/32")},
		{name: "comma at line end", in: "73.140.245.0/24,\n193.168.1.0/24", policy: AKS, want: ok("73.140.245.0/24", "193.168.1.0/24")},
		{name: "comma at line start", in: "73.140.245.0/24\n,193.168.1.0/24", policy: AKS, want: ok("73.140.245.0/24", "193.168.1.0/24")},
		{name: "comments and blank lines", in: "# office\n\n73.140.245.0/24   # main office\n  # CI\n20.20.20.20#runner\n\n", policy: AKS,
			want: ok("73.140.245.0/24", "20.20.20.20/32")},
		{name: "BOM and CRLF", in: "\ufeff73.140.245.0/24\r\n# c\r\n20.20.20.20\r\n", policy: AKS, want: ok("73.140.245.0/24", "20.20.20.20/32")},
		{name: "tabs and spaces", in: "\t73.140.245.0/24 \t\n", policy: general, want: ok("73.140.245.0/24")},
		{name: "tag", in: "AzureCloud\n20.20.20.20\n", policy: AKS,
			want: List{Mode: Restricted, Prefixes: pfx("20.20.20.20/32"), ServiceTags: []string{"AzureCloud"}}},
		{name: "egress only", in: "# only our egress\n0.0.0.0/32\n", policy: AKS, want: List{Mode: EgressOnly}},
		{name: "IPv6 general", in: "2001:db8::/32\nfd00::1 # lab\n", policy: general, want: ok("2001:db8::/32", "fd00::1/128")},

		// A file never disables the allowlist.
		{name: "empty file", in: "", policy: AKS, errs: []lineProblem{{0, 0, "", "NoEntries", "the range file has no entries"}}},
		{name: "blank file", in: " \t\n\r\n\n", policy: AKS, errs: []lineProblem{{0, 0, "", "NoEntries", "list the ranges to allow, or 0.0.0.0/0 to allow everyone"}}},
		{name: "comments only", in: "# all removed\n# for now\n", policy: general,
			errs: []lineProblem{{0, 0, "", "NoEntries", "or 0.0.0.0/0 and ::/0 to allow everyone"}}},
		{name: "BOM only", in: "\ufeff", policy: AKS, errs: []lineProblem{{0, 0, "", "NoEntries", "cannot disable the allowlist"}}},

		// Errors with line and column.
		{name: "line and column", in: "73.140.245.0/24\n  10.0.0.1 # old VPN\n", policy: AKS,
			errs: []lineProblem{{2, 3, "10.0.0.1", "NotGlobal", `line 2, column 3: "10.0.0.1": lies inside 10.0.0.0/8`}}},
		{name: "column after a comma", in: "73.140.245.0/24, 137.117.106.90/29", policy: AKS,
			errs: []lineProblem{{1, 18, "137.117.106.90/29", "NonCanonical", "write 137.117.106.88/29"}}},
		{name: "column after the BOM", in: "\ufeff1.2.3.4/33", policy: AKS,
			errs: []lineProblem{{1, 1, "1.2.3.4/33", "Malformed", "line 1, column 1:"}}},
		{name: "trailing comma at the end", in: "73.140.245.0/24,\n", policy: AKS,
			errs: []lineProblem{{1, 17, "", "EmptyEntry", "line 1, column 17: \"\": empty entry"}}},
		{name: "doubled comma", in: "73.140.245.0/24,,20.20.20.20", policy: AKS,
			errs: []lineProblem{{1, 17, "", "EmptyEntry", "remove the comma"}}},
		{name: "doubled comma across lines", in: "73.140.245.0/24,\n# x\n,20.20.20.20", policy: AKS,
			errs: []lineProblem{{3, 1, "", "EmptyEntry", "empty entry"}}},
		{name: "leading comma", in: "\n,73.140.245.0/24", policy: AKS, errs: []lineProblem{{2, 1, "", "EmptyEntry", "empty entry"}}},
		{name: "only a comma", in: ",", policy: AKS,
			errs: []lineProblem{{1, 1, "", "EmptyEntry", "empty entry"}, {1, 2, "", "EmptyEntry", "empty entry"}}},
		{name: "space inside", in: "1.1.1.1 8.8.8.8\n", policy: AKS,
			errs: []lineProblem{{1, 1, "1.1.1.1 8.8.8.8", "Malformed", "separate entries with commas: write 1.1.1.1,8.8.8.8"}}},
		{name: "lone CR", in: "1.1.1.1\r8.8.8.8\n", policy: general,
			errs: []lineProblem{{1, 1, "1.1.1.1\r8.8.8.8", "Malformed", "separated by line breaks"}}},
		{name: "empty pair of quotes alone", in: "\"\"\n", policy: AKS,
			errs: []lineProblem{{1, 1, `""`, "Malformed", "a range file cannot disable the allowlist"}}},

		// List rules apply to the whole file.
		{name: "egress only mixed across lines", in: "0.0.0.0/32\n73.140.245.0/24\n", policy: AKS,
			errs: []lineProblem{{1, 1, "0.0.0.0/32", "EgressOnlyMixed", "must be the only entry"}}},
		{name: "one tag across lines", in: "AzureCloud\n20.20.20.20\n  Storage\n", policy: AKS,
			errs: []lineProblem{{3, 3, "Storage", "TooManyServiceTags", `(the first is "AzureCloud" on line 1)`}}},
		{name: "limit across lines", in: "1.1.1.1\n8.8.8.8, 9.9.9.9\n# end\n", policy: Policy{MaxEntries: 2},
			errs: []lineProblem{{2, 10, "9.9.9.9", "TooMany", "the list has 3 entries and this policy allows at most 2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLines(tt.in, tt.policy)
			if tt.errs == nil {
				if err != nil {
					t.Fatalf("ParseLines(%q) error:\n%v", tt.in, err)
				}
				if diff := cmp.Diff(tt.want, got, netipCmp); diff != "" {
					t.Errorf("ParseLines(%q) (-want +got):\n%s", tt.in, diff)
				}
				if got.Policy != tt.policy {
					t.Errorf("Policy = %+v, want %+v", got.Policy, tt.policy)
				}
				return
			}
			gotErrs := lineProblemsOf(t, err)
			fillSubstr(gotErrs, tt.errs, func(p *lineProblem) *string { return &p.Substr })
			if diff := cmp.Diff(tt.errs, gotErrs); diff != "" {
				t.Errorf("ParseLines(%q) problems (-want +got):\n%s\nfull error:\n%v", tt.in, diff, err)
			}
			if diff := cmp.Diff(List{}, got, netipCmp); diff != "" {
				t.Errorf("ParseLines(%q) returned a list beside its error:\n%s", tt.in, diff)
			}
		})
	}
}

// TestParseLinesAgreesWithParse: a list on one line, without '#', reads
// the same through ParseLines as through Parse, except that a blank one
// is an error rather than Disabled.
func TestParseLinesAgreesWithParse(t *testing.T) {
	for _, s := range []string{
		"73.140.245.0/24,193.168.1.0/24", " 73.140.245.0/24 ,\t20.20.20.20\t", "AzureCloud,20.20.20.20", "0.0.0.0/32",
		"137.117.106.90/29", ",", "1.1.1.1,,2.2.2.2", "10.0.0.1, 2001:db8::/32", "AzureCloud,Storage",
	} {
		for _, p := range fuzzPolicies {
			want, werr := Parse(s, p)
			got, gerr := ParseLines(s, p)
			if diff := cmp.Diff(want, got, netipCmp); diff != "" || (werr == nil) != (gerr == nil) {
				t.Errorf("%q under %+v: Parse gives %v, %v; ParseLines %v, %v", s, p, want, werr, got, gerr)
			}
			if werr != nil && !cmp.Equal(kindsOf(werr), kindsOf(gerr)) {
				t.Errorf("%q: kinds %v and %v", s, kindsOf(werr), kindsOf(gerr))
			}
		}
	}
}

func kindsOf(err error) []string {
	var le *ListError
	if !errors.As(err, &le) {
		return nil
	}
	var ks []string
	for _, e := range le.Errors {
		ks = append(ks, kindNames[e.Kind])
	}
	return ks
}

// TestPropertyLinesRoundTrip: a valid list written over lines, with
// comments, blank lines, commas at line ends and CRLF, parses to the same
// list as its one-line form.
func TestPropertyLinesRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := rapid.SampledFrom([]Policy{AKS, general, Providers}).Draw(t, "policy")
		n := rapid.IntRange(1, 30).Draw(t, "n")
		var elems []string
		for range n {
			pf := drawPrefix4(t, "")
			if _, bad := nonGlobal(pf); bad && p.RequireGlobal {
				pf = netip.MustParsePrefix("20.20.20.20/32")
			}
			elems = append(elems, writePrefix(t, pf, ""))
		}
		want, err := Parse(strings.Join(elems, ","), p)
		if err != nil {
			t.Fatalf("one-line form: %v", err)
		}
		eol := rapid.SampledFrom([]string{"\n", "\r\n"}).Draw(t, "eol")
		var b strings.Builder
		if rapid.Bool().Draw(t, "bom") {
			b.WriteString("\ufeff")
		}
		for i, e := range elems {
			if rapid.IntRange(0, 4).Draw(t, "comment line") == 0 {
				b.WriteString("# note, with a comma" + eol)
			}
			b.WriteString(rapid.SampledFrom(blanks).Draw(t, "before") + e + rapid.SampledFrom(blanks).Draw(t, "after"))
			if i == len(elems)-1 {
				break
			}
			switch rapid.IntRange(0, 3).Draw(t, "sep") {
			case 0:
				b.WriteString(",")
			case 1:
				b.WriteString("," + eol)
			case 2:
				b.WriteString(" # c" + eol)
			default:
				b.WriteString(eol + rapid.SampledFrom([]string{"", eol, "#" + eol}).Draw(t, "blank"))
			}
		}
		text := b.String()
		got, err := ParseLines(text, p)
		if err != nil {
			t.Fatalf("ParseLines(%q): %v", text, err)
		}
		if diff := cmp.Diff(want, got, netipCmp); diff != "" {
			t.Fatalf("ParseLines(%q) (-one-line +lines):\n%s", text, diff)
		}
	})
}

func FuzzParseLines(f *testing.F) {
	for _, s := range []string{
		"", "\n", "# c\n", "\ufeff", "\ufeff73.140.245.0/24\r\n", "73.140.245.0/24\n193.168.1.0/24\n",
		"73.140.245.0/24,\n193.168.1.0/24", "73.140.245.0/24 # office\n20.20.20.20#x\n", ",", "1.1.1.1,,\n2.2.2.2",
		"0.0.0.0/32\n", "0.0.0.0/32\n1.1.1.1\n", "AzureCloud\nStorage\n", "10.0.0.1\n137.117.106.90/29\n",
		"[\n  \"1.2.3.4/32\",\n  \"5.6.7.8/32\"\n]\n", "\"1.2.3.4\"\n", "1.1.1.1 8.8.8.8\n", "1.1.1.1\r8.8.8.8",
		"GitHub.hooks\nCloudflare\n", "128.0.0.0/1", "\u00a01.1.1.1\u00a0\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range fuzzPolicies {
			l, err := ParseLines(s, p)
			if err != nil {
				var le *ListError
				if !errors.As(err, &le) {
					t.Fatalf("ParseLines(%q) error %T %v", s, err, err)
				}
				checkBounded(t, le)
				checkFixes(t, err, p)
				lines := strings.Count(s, "\n") + 1
				for _, e := range le.Errors {
					if _, ok := kindNames[e.Kind]; !ok || e.Reason == "" {
						t.Fatalf("ParseLines(%q): bad entry error %+v", s, e)
					}
					if e.Kind == ErrNoEntries {
						if e.Index != -1 || len(le.Errors) != 1 {
							t.Fatalf("ParseLines(%q): %+v", s, le)
						}
						continue
					}
					if e.Line < 1 || e.Line > lines || e.Column < 1 || e.Index < 0 {
						t.Fatalf("ParseLines(%q): position of %+v", s, e)
					}
				}
				if !cmp.Equal(l, List{}, netipCmp) {
					t.Fatalf("ParseLines(%q) returned %v beside an error", s, l)
				}
				continue
			}
			checkAccepted(t, l, p)
			if l.Mode == Disabled {
				t.Fatalf("ParseLines(%q) disabled the list", s)
			}
			back, err := Parse(l.String(), p)
			if err != nil || !cmp.Equal(l, back, netipCmp) {
				t.Fatalf("ParseLines(%q) = %v; Parse(%q) gives %v, %v", s, l, l.String(), back, err)
			}
			if !strings.ContainsAny(s, "#\n\r\ufeff") {
				if one, err := Parse(s, p); err != nil || !cmp.Equal(l, one, netipCmp) {
					t.Fatalf("ParseLines(%q) = %v, Parse = %v, %v", s, l, one, err)
				}
			}
		}
	})
}

// BenchmarkParseLines reads the 200-entry list of BenchmarkParse as a
// range file: one entry a line, with a comment every ten lines.
func BenchmarkParseLines(b *testing.B) {
	var sb strings.Builder
	for i, e := range strings.Split(benchList(), ", ") {
		if i%10 == 0 {
			sb.WriteString("# block " + e + "\n")
		}
		sb.WriteString(e + "\n")
	}
	s := sb.String()
	if _, err := ParseLines(s, AKS); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLines(s, AKS); err != nil {
			b.Fatal(err)
		}
	}
}
