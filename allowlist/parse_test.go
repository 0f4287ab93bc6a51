package allowlist

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/internal/ascii"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// List.notes (the parse findings) are compared only where a test asks
// for them, through parseNotes; tables state lists without them.
// (This belongs beside netipCmp in cmp_test.go.)
// General is the general policy used in these tests: IPv6, non-global
// space and any number of entries allowed, service tags refused.
var general = Policy{}

// withTags is the general policy with service tags allowed.
var withTags = Policy{MaxServiceTags: 10}

func pfx(ss ...string) []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range ss {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}

// problem is an expected *EntryError, compared on Index, Entry, Kind and
// the presence of Substr in the message.
type problem struct {
	Index  int
	Entry  string
	Kind   string
	Substr string
}

var kindNames = map[error]string{
	ErrEmptyEntry:         "EmptyEntry",
	ErrMalformed:          "Malformed",
	ErrNonCanonical:       "NonCanonical",
	ErrNotGlobal:          "NotGlobal",
	ErrIPv6:               "IPv6",
	ErrTooMany:            "TooMany",
	ErrTooManyServiceTags: "TooManyServiceTags",
	ErrEgressOnlyMixed:    "EgressOnlyMixed",
	ErrNoEntries:          "NoEntries",
}

// problemsOf turns err into problems, keeping each message in Substr.
func problemsOf(t *testing.T, err error) []problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var le *ListError
	if !errors.As(err, &le) {
		t.Fatalf("error %T is not a *ListError: %v", err, err)
	}
	if len(le.Errors) == 0 {
		t.Fatalf("empty *ListError")
	}
	var ps []problem
	for _, e := range le.Errors {
		name, ok := kindNames[e.Kind]
		if !ok {
			t.Fatalf("unknown kind %v", e.Kind)
		}
		if !errors.Is(err, e.Kind) {
			t.Errorf("errors.Is(err, %v) = false", e.Kind)
		}
		ps = append(ps, problem{e.Index, e.Entry, name, e.Error()})
	}
	return ps
}

// fillSubstr compares messages by containment: each message of got that
// holds the substring that want expects is replaced by that substring, so
// that cmp shows only the messages that differ.
func fillSubstr[T any](got, want []T, substr func(*T) *string) {
	if len(got) != len(want) {
		return
	}
	for i := range got {
		if g, w := substr(&got[i]), substr(&want[i]); strings.Contains(*g, *w) {
			*g = *w
		}
	}
}

type parseTest struct {
	name   string
	in     string
	policy Policy
	want   List      // when no problems
	errs   []problem // Substr must occur in the message
}

func ok(prefixes ...string) List { return List{Mode: Restricted, Prefixes: pfx(prefixes...)} }

func bad(i int, entry, kind, substr string) []problem {
	return []problem{{i, entry, kind, substr}}
}

func runParseTests(t *testing.T, tests []parseTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, tt.policy)
			gotErrs := problemsOf(t, err)
			if tt.errs == nil {
				if err != nil {
					t.Fatalf("Parse(%q) error:\n%v", tt.in, err)
				}
				if diff := cmp.Diff(tt.want, got, netipCmp); diff != "" {
					t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want errors %v", tt.in, got, tt.errs)
			}
			if diff := cmp.Diff(List{}, got, netipCmp); diff != "" {
				t.Errorf("Parse(%q) returned a list beside its error:\n%s", tt.in, diff)
			}
			fillSubstr(gotErrs, tt.errs, func(p *problem) *string { return &p.Substr })
			if diff := cmp.Diff(tt.errs, gotErrs); diff != "" {
				t.Errorf("Parse(%q) problems (-want +got):\n%s\nfull error:\n%v", tt.in, diff, err)
			}
		})
	}
}

// TestParseAKSDocs covers the examples of the AKS documentation.
func TestParseAKSDocs(t *testing.T) {
	runParseTests(t, []parseTest{
		{name: "one range", in: "73.140.245.0/24", policy: AKS, want: ok("73.140.245.0/24")},
		{name: "seed list", in: "73.140.245.0/24,193.168.1.0/24,194.168.1.0/24", policy: AKS,
			want: ok("73.140.245.0/24", "193.168.1.0/24", "194.168.1.0/24")},
		{name: "host bits", in: "137.117.106.90/29", policy: AKS,
			errs: bad(0, "137.117.106.90/29", "NonCanonical", "the range starts at 137.117.106.88/29")},
		{name: "network address", in: "137.117.106.88/29", policy: AKS, want: ok("137.117.106.88/29")},
		{name: "empty disables", in: "", policy: AKS, want: List{Mode: Disabled}},
		{name: "egress only", in: "0.0.0.0/32", policy: AKS, want: List{Mode: EgressOnly}},
		{name: "egress only mixed", in: "0.0.0.0/32,73.140.245.0/24", policy: AKS,
			errs: bad(0, "0.0.0.0/32", "EgressOnlyMixed", "must be the only entry")},
		{name: "egress only mixed last", in: "73.140.245.0/24, 0.0.0.0/32", policy: AKS,
			errs: bad(1, "0.0.0.0/32", "EgressOnlyMixed", "must be the only entry")},
		{name: "tag and address", in: "AzureCloud,20.20.20.20", policy: AKS,
			want: List{Mode: Restricted, Prefixes: pfx("20.20.20.20/32"), ServiceTags: []string{"AzureCloud"}}},
		{name: "bare address is /32", in: "20.20.20.20", policy: AKS, want: ok("20.20.20.20/32")},
		{name: "IPv6", in: "2001:4860::/32", policy: AKS, errs: bad(0, "2001:4860::/32", "IPv6", "accepts only IPv4")},
		{name: "IPv6 non-global reported as IPv6 and not global", in: "2001:db8::/32", policy: AKS, errs: []problem{
			{0, "2001:db8::/32", "IPv6", "IPv6"}, {0, "2001:db8::/32", "NotGlobal", "documentation space (RFC 3849)"}}},
		{name: "private", in: "10.0.0.0/8", policy: AKS, errs: bad(0, "10.0.0.0/8", "NotGlobal", "10.0.0.0/8, private-use space")},
		{name: "private address", in: "192.168.1.20", policy: AKS, errs: bad(0, "192.168.1.20", "NotGlobal", "192.168.0.0/16")},
		{name: "private 172", in: "172.16.5.0/24", policy: AKS, errs: bad(0, "172.16.5.0/24", "NotGlobal", "172.16.0.0/12")},
		{name: "loopback", in: "127.0.0.1", policy: AKS, errs: bad(0, "127.0.0.1", "NotGlobal", "loopback")},
		{name: "documentation 1", in: "192.0.2.0/24", policy: AKS, errs: bad(0, "192.0.2.0/24", "NotGlobal", "documentation")},
		{name: "documentation 2", in: "198.51.100.7", policy: AKS, errs: bad(0, "198.51.100.7", "NotGlobal", "documentation")},
		{name: "documentation 3", in: "203.0.113.0/24", policy: AKS, errs: bad(0, "203.0.113.0/24", "NotGlobal", "documentation")},
		{name: "leading zero octet", in: "073.140.245.0/24", policy: AKS,
			errs: bad(0, "073.140.245.0/24", "Malformed", `octet "073" with a leading zero`)},
		{name: "leading zero length", in: "73.140.245.0/024", policy: AKS,
			errs: bad(0, "73.140.245.0/024", "Malformed", `leading zero; write /24`)},
		{name: "trailing comma", in: "73.140.245.0/24,", policy: AKS, errs: bad(1, "", "EmptyEntry", "remove it")},
		{name: "leading comma", in: ",73.140.245.0/24", policy: AKS, errs: bad(0, "", "EmptyEntry", "comma")},
		{name: "doubled comma", in: "73.140.245.0/24,,20.20.20.20", policy: AKS, errs: bad(1, "", "EmptyEntry", "comma")},
		{name: "blank between commas", in: "73.140.245.0/24, \t,20.20.20.20", policy: AKS, errs: bad(1, "", "EmptyEntry", "comma")},
		{name: "only commas", in: ",", policy: AKS, errs: []problem{{0, "", "EmptyEntry", ""}, {1, "", "EmptyEntry", ""}}},
		{name: "spaces around", in: " 73.140.245.0/24 ,\t20.20.20.20\t", policy: AKS, want: ok("73.140.245.0/24", "20.20.20.20/32")},
		{name: "spaces only disable", in: " \t  ", policy: AKS, want: List{Mode: Disabled}},
		{name: "egress only with spaces", in: "\t0.0.0.0/32 ", policy: AKS, want: List{Mode: EgressOnly}},
	})
}

// TestParseExactMessage pins the message of the documentation's example.
func TestParseExactMessage(t *testing.T) {
	_, err := Parse("73.140.245.0/24,193.168.1.0/24,137.117.106.90/29", AKS)
	want := `entry 2 "137.117.106.90/29": host bits are set; the range starts at 137.117.106.88/29; ` +
		`write 137.117.106.88/29 (or 137.117.106.90/32 for the single address)`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	var e *EntryError
	if !errors.As(err, &e) || e.Index != 2 || e.Entry != "137.117.106.90/29" || e.Kind != ErrNonCanonical {
		t.Fatalf("errors.As gives %+v", e)
	}
	if !errors.Is(err, ErrNonCanonical) || errors.Is(err, ErrMalformed) {
		t.Fatalf("errors.Is does not match the kind")
	}
}

// TestParseSpecRules covers each rule of SPEC §1 in order, beyond the docs.
func TestParseSpecRules(t *testing.T) {
	vnet := AKS
	vnet.MaxEntries = 2000
	runParseTests(t, []parseTest{
		// Rule 1: disabled only by an empty or blank value.
		{name: "NBSP is not blank", in: "\u00a0", policy: AKS, errs: bad(0, "\u00a0", "Malformed", "nothing but invisible characters (U+00A0 (no-break space))")},
		{name: "newline is not blank", in: "\n", policy: AKS, errs: bad(0, "\n", "Malformed", "nothing but invisible characters (U+000A (line feed))")},
		{name: "CR is not blank", in: " \r ", policy: AKS, errs: bad(0, "\r", "Malformed", "U+000D (carriage return)")},
		{name: "NBSP is not blank, strictly", in: "\u00a0", policy: general, errs: bad(0, "\u00a0", "Malformed", "non-ASCII byte 0xc2 at offset 0")},
		{name: "newline is not blank, strictly", in: "\n", policy: general, errs: bad(0, "\n", "Malformed", `control character '\n'`)},
		{name: "vertical tab is not blank", in: "\v", policy: general, errs: bad(0, "\v", "Malformed", "control character")},

		// Rule 3: only the exact literal is egress-only.
		{name: "0.0.0.0 is not egress only", in: "0.0.0.0", policy: AKS,
			errs: bad(0, "0.0.0.0", "NotGlobal", "write 0.0.0.0/32 as the only entry")},
		{name: "0.0.0.0 under general", in: "0.0.0.0", policy: general, want: ok("0.0.0.0/32")},
		{name: "egress only under general", in: "0.0.0.0/32", policy: general, want: List{Mode: EgressOnly}},
		{name: "egress only twice", in: "0.0.0.0/32,0.0.0.0/32", policy: AKS,
			errs: []problem{{0, "0.0.0.0/32", "EgressOnlyMixed", ""}, {1, "0.0.0.0/32", "EgressOnlyMixed", ""}}},
		{name: "egress only and empty", in: "0.0.0.0/32,", policy: AKS,
			errs: []problem{{0, "0.0.0.0/32", "EgressOnlyMixed", ""}, {1, "", "EmptyEntry", ""}}},
		{name: "0.0.0.0/032 is not egress only", in: "0.0.0.0/032", policy: AKS,
			errs: bad(0, "0.0.0.0/032", "Malformed", "leading zero")},

		// Rule 5: general parsing under the general policy.
		{name: "IPv6 general", in: "2001:db8::/32, 2603:1000::/25", policy: general, want: ok("2001:db8::/32", "2603:1000::/25")},
		{name: "bare IPv6 is /128", in: "2001:db8::1", policy: general, want: ok("2001:db8::1/128")},
		{name: "uncompressed IPv6 canonicalised", in: "2001:0db8:0000:0000:0000:0000:0000:0001", policy: general, want: ok("2001:db8::1/128")},
		{name: "IPv6 host bits", in: "2001:db8::1/64", policy: general,
			errs: bad(0, "2001:db8::1/64", "NonCanonical", "starts at 2001:db8::/64; write 2001:db8::/64 (or 2001:db8::1/128")},
		{name: "host bits /0", in: "1.2.3.4/0", policy: AKS,
			errs: bad(0, "1.2.3.4/0", "NonCanonical", "write 0.0.0.0/0 (or 1.2.3.4/32 for the single address)")},
		{name: "duplicates kept", in: "20.20.20.20,20.20.20.20/32,20.20.20.20", policy: AKS,
			want: ok("20.20.20.20/32", "20.20.20.20/32", "20.20.20.20/32")},
		{name: "input order kept", in: "194.168.1.0/24,73.140.245.0/24", policy: AKS, want: ok("194.168.1.0/24", "73.140.245.0/24")},

		// Rule 6: global test as the az CLI does it.
		{name: "allow all passes the global test", in: "0.0.0.0/0", policy: AKS, want: ok("0.0.0.0/0")},
		{name: "supernet of private passes", in: "10.0.0.0/7", policy: AKS, want: ok("10.0.0.0/7")},
		{name: "multicast passes", in: "224.0.0.0/4", policy: AKS, want: ok("224.0.0.0/4")},
		{name: "shared address space", in: "100.64.1.0/24", policy: AKS, errs: bad(0, "100.64.1.0/24", "NotGlobal", "100.64.0.0/10")},
		{name: "link-local", in: "169.254.169.254", policy: AKS, errs: bad(0, "169.254.169.254", "NotGlobal", "link-local")},
		{name: "benchmarking", in: "198.18.0.1", policy: AKS, errs: bad(0, "198.18.0.1", "NotGlobal", "198.18.0.0/15")},
		{name: "reserved", in: "240.0.0.1", policy: AKS, errs: bad(0, "240.0.0.1", "NotGlobal", "240.0.0.0/4")},
		{name: "broadcast", in: "255.255.255.255", policy: AKS, errs: bad(0, "255.255.255.255", "NotGlobal", "255.255.255.255/32")},
		{name: "this network", in: "0.1.2.3", policy: AKS, errs: bad(0, "0.1.2.3", "NotGlobal", "0.0.0.0/8")},
		{name: "192.0.0.8 non-global in 3.13", in: "192.0.0.8", policy: AKS, errs: bad(0, "192.0.0.8", "NotGlobal", "192.0.0.0/24")},
		{name: "192.0.0.9 exception", in: "192.0.0.9,192.0.0.10", policy: AKS, want: ok("192.0.0.9/32", "192.0.0.10/32")},
		{name: "NAT64 discovery", in: "192.0.0.171", policy: AKS, errs: bad(0, "192.0.0.171", "NotGlobal", "192.0.0.170/31")},
		{name: "non-global allowed by general", in: "10.0.0.0/8,127.0.0.1,fe80::/10", policy: general,
			want: ok("10.0.0.0/8", "127.0.0.1/32", "fe80::/10")},
		{name: "non-global IPv6 with RequireGlobal", in: "fc00::/7", policy: Policy{RequireGlobal: true},
			errs: bad(0, "fc00::/7", "NotGlobal", "unique-local")},
		{name: "2001:20::/28 exception", in: "2001:20::/28", policy: Policy{RequireGlobal: true}, want: ok("2001:20::/28")},
		{name: "IPv6 only rule", in: "2603:1000::/25", policy: Policy{IPv4Only: true}, errs: bad(0, "2603:1000::/25", "IPv6", "")},

		// Rule 7: limits.
		{name: "vnet integration allows 2000", in: strings.Repeat("20.20.20.20,", 1999) + "20.20.20.20", policy: vnet,
			want: ok(strings.Split(strings.Repeat("20.20.20.20/32,", 1999)+"20.20.20.20/32", ",")...)},
		{name: "custom limit", in: "1.1.1.1,8.8.8.8,9.9.9.9", policy: Policy{MaxEntries: 2},
			errs: bad(2, "9.9.9.9", "TooMany", "the list has 3 entries and this policy allows at most 2, duplicates and empty entries included; remove 1 entry")},
	})
}

// TestParseLimit covers the 200-entry limit of AKS, with duplicates.
func TestParseLimit(t *testing.T) {
	entries := func(n int) []string {
		es := make([]string, n)
		for i := range es {
			es[i] = fmt.Sprintf("20.%d.%d.0/24", i/256, i%256)
		}
		return es
	}
	l, err := Parse(strings.Join(entries(200), ","), AKS)
	if err != nil || len(l.Prefixes) != 200 {
		t.Fatalf("200 entries: %d prefixes, error %v", len(l.Prefixes), err)
	}
	es := entries(201)
	_, err = Parse(strings.Join(es, ","), AKS)
	want := []problem{{200, es[200], "TooMany", "the list has 201 entries and this policy allows at most 200"}}
	got := problemsOf(t, err)
	if len(got) == 1 && strings.Contains(got[0].Substr, want[0].Substr) {
		got[0].Substr = want[0].Substr
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("201 entries (-want +got):\n%s", diff)
	}

	// Duplicates count: 201 copies of one address.
	_, err = Parse(strings.Repeat("20.20.20.20,", 200)+"20.20.20.20", AKS)
	if !errors.Is(err, ErrTooMany) {
		t.Errorf("201 duplicates: %v, want ErrTooMany", err)
	}

	// Too long and bad entries: every problem within the limit is
	// reported, the limit last; entries beyond it are only counted.
	es = entries(205)
	es[3] = "10.0.0.1"
	es[204] = "137.117.106.90/29"
	_, err = Parse(strings.Join(es, ","), AKS)
	got = problemsOf(t, err)
	var kinds []string
	for _, p := range got {
		kinds = append(kinds, fmt.Sprint(p.Index, " ", p.Kind))
	}
	if diff := cmp.Diff([]string{"3 NotGlobal", "200 TooMany"}, kinds); diff != "" {
		t.Errorf("205 entries with bad ones (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "remove 5 entries") {
		t.Errorf("message does not say how many to remove:\n%v", err)
	}
}

// TestParsePitfalls covers each bypass class of notes/parsing-pitfalls.md
// that applies to list parsing.
func TestParsePitfalls(t *testing.T) {
	m := func(in, substr string) parseTest {
		return parseTest{name: in, in: in, policy: withTags, errs: bad(0, cut(ascii.TrimSpaceTab(in), maxKeptEntry), "Malformed", substr)}
	}
	longTag := "A" + strings.Repeat("b", maxEntryLen-1)
	runParseTests(t, []parseTest{
		// 1. Radix: leading zeros, octal, hex.
		m("010.0.0.1", "leading zero"),
		m("0127.0.0.1", "leading zero"),
		m("73.140.245.07", "leading zero"),
		m("0x7f.0.0.1", "hexadecimal"),
		m("0x7f000001", "hexadecimal"),
		m("::ffff:0177.0.0.1", "IPv6"),
		m("2001:db8::0127.0.0.1", "IPv6"),

		// 2. Short and integer IPv4 forms.
		m("127.1", "2 octets instead of 4"),
		m("10.1", "2 octets instead of 4"),
		m("127.0.1", "3 octets instead of 4"),
		m("2130706433", "integer IPv4 form"),
		m("017700000001", "integer IPv4 form"),
		m("0", "integer IPv4 form"),
		m("10/8", "integer IPv4 form"),
		m("1.2.3", "3 octets"),
		m("1.2.3.4.5", "5 octets"),
		m("1.2.3.256", "greater than 255"),
		m("1.2..4", "empty octet"),

		// 3. Whitespace, control, Unicode bytes, dots.
		m("73.140.245.7 junk", "space inside"),
		m("73.140.245.0 /24", "space inside"),
		m("73.140.245.0/ 24", "space inside"),
		m("1.1.1.1 8.8.8.8", "separate entries with commas"),
		m("73.140.245.7\n", `control character '\n'`),
		m("73.140.245.7\r\n", `control character '\r'`),
		m("73.140.245.7\x00", `control character '\x00'`),
		m("\x7f1.1.1.1", `control character '\x7f'`),
		m("\u00a073.140.245.7", "non-ASCII byte 0xc2"),
		m("73.140.245.7\u200b", "non-ASCII byte 0xe2"),
		m("\ufeff73.140.245.7", "non-ASCII byte 0xef at offset 0"),
		m("７3.140.245.7", "non-ASCII"),
		m("73\u3002140.245.7", "non-ASCII"),
		m("73.140.245.7\u2028", "non-ASCII"),
		m("Azure\u0421loud", "non-ASCII"), // Cyrillic Es
		m("73.140.245.7.", "empty octet"),
		m(".73.140.245.7", "empty octet"),

		// 4. Prefix-length syntax.
		m("73.140.245.0/08", "leading zero; write /8"),
		m("73.140.245.0/+24", "not a plain decimal number"),
		m("73.140.245.0/-1", "not a plain decimal number"),
		m("73.140.245.0/33", "beyond the 32 bits of an IPv4 address"),
		m("2001:db8::/129", "beyond the 128 bits of an IPv6 address"),
		m("73.140.245.0/", "no prefix length"),
		m("/24", "no address before the slash"),
		m("73.140.245.0/0x18", "not a plain decimal number"),
		m("73.140.245.0/24.", "not a plain decimal number"),
		m("73.140.245.0/24/24", "not a plain decimal number"),
		m("73.140.245.0/"+strings.Repeat("0", 60)+"24", "leading zero"),
		m("73.140.245.0/99999999999999999999", "beyond the 32 bits"),
		m("73.140.245.0/255.255.255.0", "netmask instead of a prefix length; write 73.140.245.0/24"),
		m("73.140.245.0/0.0.0.255", "hostmask instead of a prefix length; write 73.140.245.0/24"),
		m("73.140.245.0/255.0.255.0", "not a plain decimal number"),

		// 5. Host bits.
		{name: "host bits /24", in: "73.140.245.1/24", policy: AKS, errs: bad(0, "73.140.245.1/24", "NonCanonical", "73.140.245.0/24")},
		{name: "host bits /1", in: "200.0.0.0/1", policy: AKS, errs: bad(0, "200.0.0.0/1", "NonCanonical", "128.0.0.0/1")},

		// 6. IPv4-mapped, in every spelling and under every policy.
		m("::ffff:73.140.245.7", "IPv4-mapped IPv6 range, which names IPv4 hosts; write the IPv4 form 73.140.245.7/32"),
		m("::ffff:498c:f507", "write the IPv4 form 73.140.245.7/32"),
		m("::FFFF:73.140.245.7", "IPv4-mapped"),
		m("0:0:0:0:0:ffff:73.140.245.7", "IPv4-mapped"),
		m("::ffff:73.140.245.0/120", "write the IPv4 form 73.140.245.0/24"),
		m("::ffff:0:0/96", "write the IPv4 form 0.0.0.0/0"),
		m("::ffff:10.0.0.1", "IPv4-mapped"),
		{name: "mapped under AKS is malformed, not IPv6", in: "::ffff:73.140.245.7", policy: AKS,
			errs: bad(0, "::ffff:73.140.245.7", "Malformed", "IPv4-mapped")},
		{name: "mapped host bits is malformed", in: "::ffff:73.140.245.1/120", policy: general,
			errs: bad(0, "::ffff:73.140.245.1/120", "Malformed", "IPv4-mapped")},

		// 7. IPv4-compatible and other embeddings.
		m("::73.140.245.7", "IPv4-compatible IPv6 range (deprecated by RFC 4291), which embeds the IPv4 range 73.140.245.7/32"),
		m("::498c:f507", "IPv4-compatible"),
		m("::10.0.0.1", "embeds the IPv4 range 10.0.0.1/32"),
		m("::/96", "IPv4-compatible"),
		m("::/127", "IPv4-compatible"),
		m("::2", "IPv4-compatible"),
		{name: "unspecified and loopback are not IPv4-compatible", in: "::,::1,::/128,::1/128", policy: general,
			want: ok("::/128", "::1/128", "::/128", "::1/128")},
		{name: "NAT64 is plain IPv6", in: "64:ff9b::73.140.245.7", policy: general, want: ok("64:ff9b::498c:f507/128")},
		{name: "SIIT is plain IPv6", in: "::ffff:0:73.140.245.7", policy: general, want: ok("::ffff:0:498c:f507/128")},
		{name: "6to4 is plain IPv6", in: "2002:498c:f507::/48", policy: general, want: ok("2002:498c:f507::/48")},
		{name: "6to4 is not global", in: "2002:498c:f507::/48", policy: Policy{RequireGlobal: true},
			errs: bad(0, "2002:498c:f507::/48", "NotGlobal", "6to4")},
		{name: "::/95 is wider than the compatible block", in: "::/95", policy: general, want: ok("::/95")},

		// 8. Zones.
		m("fe80::1%eth0", "zone"),
		m("fe80::1%25eth0", "zone"),
		m("fe80::1%eth0/64", "zone"),
		m("fe80::%eth0/64", "zone"),
		m("::ffff:10.0.0.1%eth0", "zone"),
		m("73.140.245.7%eth0", "zone"),
		m("fe80::1%", "zone"),

		// 9. Brackets and ports.
		m("[::1]", "brackets"),
		m("[2001:db8::1]:443", "brackets"),
		m("[73.140.245.7]", "brackets"),
		m("73.140.245.7:443", "address:port; remove the port and write 73.140.245.7"),
		{name: "2001:db8::1:443 is an address", in: "2001:db8::1:443", policy: general, want: ok("2001:db8::1:443/128")},

		// 11. List level: a failed parse never falls through to a tag or DNS.
		m("localhost", "tag names start with a capital letter"),
		m("73.140.245.7x", "not an IP address"),
		m("1.1.1.1;8.8.8.8", "separated by semicolons; separate entries with commas: write 1.1.1.1,8.8.8.8"),
		m("*", "not an IP address"),
		m("\"73.140.245.7\"", "is in double quotes; remove them and write 73.140.245.7"),

		// 12. Allow-all entries: accepted as AKS does (the lint warns).
		{name: "0.0.0.0/0 AKS", in: "0.0.0.0/0", policy: AKS, want: ok("0.0.0.0/0")},
		{name: "::/0 AKS", in: "::/0", policy: AKS, errs: bad(0, "::/0", "IPv6", "")},
		{name: "::/0 general", in: "::/0", policy: general, want: ok("::/0")},
		m("any", "capital letter"),
		m("all", "capital letter"),

		// 13. Special-purpose ranges: see TestParseSpecRules and global_test.go.

		// 14. Length limits, both sides.
		{name: "longest address text", in: "1111:2222:3333:4444:5555:6666:255.255.255.255", policy: general,
			want: ok("1111:2222:3333:4444:5555:6666:ffff:ffff/128")},
		{name: "longest prefix text", in: "1111:2222:3333:4444:5555:6666:255.255.255.255/128", policy: general,
			want: ok("1111:2222:3333:4444:5555:6666:ffff:ffff/128")},
		{name: "tag at the length limit", in: longTag, policy: withTags, want: List{Mode: Restricted, ServiceTags: []string{longTag}}},
		m(longTag+"c", "is 101 bytes long; no address, prefix or service-tag name is longer than 100 bytes"),
		m(strings.Repeat("1", 1103), "1103 bytes long"),
		m("73.140.245.0/"+strings.Repeat("0", 300)+"24", "bytes long"),
	})
}

// TestParseServiceTags covers tag names and the tag limit.
func TestParseServiceTags(t *testing.T) {
	good := []string{
		"AzureCloud", "AzureCloud.westeurope", "Storage.EastUS", "AzureFrontDoor.Backend",
		"AzureCloud.australiacentral2", "ActionGroup.EastUS2EUAP", "Dynamics365ForMarketingEmail.WestUS2",
		"M365ManagementActivityApiWebhook", "EOPExternalPublishedIPs", "SCCservice", "Sql", "PowerBI",
		"AzureCloud.usstagec", "Storage.eastus", "A", "A.b",
	}
	for _, name := range good {
		want := List{Mode: Restricted, ServiceTags: []string{name}}
		got, err := Parse(" "+name+"\t", AKS)
		if err != nil {
			t.Errorf("Parse(%q, AKS): %v", name, err)
			continue
		}
		if diff := cmp.Diff(want, got, netipCmp); diff != "" {
			t.Errorf("Parse(%q, AKS) (-want +got):\n%s", name, diff)
		}
		if s := got.String(); s != name {
			t.Errorf("String() = %q, want %q as written", s, name)
		}
	}
	badNames := []string{
		"azurecloud", "Azure-Cloud", "Azure_Cloud", "AzureCloud.west.europe", "AzureCloud.", ".AzureCloud",
		"AzureCloud.2west", "AzureCloud..westeurope", "Azure Cloud", "AzureCloud/24", "AzureCloud:443",
		"Storage.East-US", "1AzureCloud",
	}
	for _, name := range badNames {
		_, err := Parse(name, AKS)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q, AKS) = %v, want ErrMalformed", name, err)
		}
	}

	runParseTests(t, []parseTest{
		{name: "tags refused by general policy", in: "AzureCloud", policy: general,
			errs: bad(0, "AzureCloud", "Malformed", "this policy allows no service tags; list the tag's address ranges instead")},
		{name: "two tags", in: "AzureCloud,20.20.20.20,Storage.EastUS", policy: AKS,
			errs: bad(2, "Storage.EastUS", "TooManyServiceTags", `at most 1 service tag (the first is entry 0 "AzureCloud")`)},
		{name: "same tag twice", in: "AzureCloud,AzureCloud", policy: AKS,
			errs: bad(1, "AzureCloud", "TooManyServiceTags", "")},
		{name: "three tags, limit 2", in: "AzureCloud,Storage,Sql", policy: Policy{MaxServiceTags: 2},
			errs: bad(2, "Sql", "TooManyServiceTags", "at most 2 service tags")},
		{name: "tags only", in: "AzureCloud, Storage", policy: Policy{MaxServiceTags: 2},
			want: List{Mode: Restricted, ServiceTags: []string{"AzureCloud", "Storage"}}},
		{name: "tags keep case", in: "azureCloud", policy: AKS, errs: bad(0, "azureCloud", "Malformed", "capital letter")},
	})
}

// TestTagNamesOfRealFile checks every tag name of a real download.
func TestTagNamesOfRealFile(t *testing.T) {
	data, err := os.ReadFile("testdata/ServiceTags_AzureGermany_20220307.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Values []struct {
			Name       string
			Properties struct{ AddressPrefixes []string }
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Values) != 79 {
		t.Fatalf("read %d tags, want 79", len(doc.Values))
	}
	for _, v := range doc.Values {
		if !isTagName(v.Name) {
			t.Errorf("real tag name %q is not a tag name", v.Name)
		}
		for _, p := range v.Properties.AddressPrefixes {
			if isTagName(p) {
				t.Errorf("address %q is a tag name", p)
			}
			if _, err := Parse(p, general); err != nil {
				t.Errorf("real prefix %q: %v", p, err)
			}
		}
	}
}

// TestParseReportsAll checks that one list with one problem of each kind
// reports all of them in order.
func TestParseReportsAll(t *testing.T) {
	in := "10.0.0.1, 137.117.106.90/29,,2001:db8::/32,AzureCloud,Storage,0.0.0.0/32,::ffff:1.2.3.4,73.140.245.0/24,1.2.3.4/33"
	_, err := Parse(in, Policy{MaxEntries: 9, MaxServiceTags: 1, IPv4Only: true, RequireGlobal: true})
	// Entry 3 breaks two rules; entry 9, beyond the limit, is not examined.
	got := problemsOf(t, err)
	var kinds []string
	for _, p := range got {
		kinds = append(kinds, fmt.Sprint(p.Index, " ", p.Kind))
	}
	want := []string{"0 NotGlobal", "1 NonCanonical", "2 EmptyEntry", "3 IPv6", "3 NotGlobal", "5 TooManyServiceTags",
		"6 EgressOnlyMixed", "7 Malformed", "9 TooMany"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("(-want +got):\n%s\n%v", diff, err)
	}
	for _, sentinel := range []error{ErrNotGlobal, ErrNonCanonical, ErrEmptyEntry, ErrIPv6, ErrTooManyServiceTags,
		ErrEgressOnlyMixed, ErrMalformed, ErrTooMany} {
		if !errors.Is(err, sentinel) {
			t.Errorf("errors.Is(err, %v) = false", sentinel)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("Error() has %d lines, want %d", n, len(want))
	}
	if !strings.HasPrefix(err.Error(), `entry 0 "10.0.0.1": lies inside 10.0.0.0/8`) {
		t.Errorf("Error() starts %q", err.Error())
	}
}

func TestEntryErrorTruncates(t *testing.T) {
	long := strings.Repeat("x", 1000)
	_, err := Parse(long, AKS)
	var e *EntryError
	if !errors.As(err, &e) || e.Entry != long[:maxKeptEntry] || !strings.Contains(e.Reason, "1000 bytes long") {
		t.Fatalf("Entry not cut to %d bytes: %q: %v", maxKeptEntry, e.Entry, err)
	}
	if len(err.Error()) > 300 {
		t.Errorf("message is %d bytes long", len(err.Error()))
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		l    List
		want string
	}{
		{"zero list denies and fails closed", List{}, "<empty>"},
		{"disabled", List{Mode: Disabled}, ""},
		{"egress only", List{Mode: EgressOnly}, "0.0.0.0/32"},
		{"prefixes then tags", List{Prefixes: pfx("73.140.245.0/24", "2001:db8::1/128"), ServiceTags: []string{"AzureCloud"}},
			"73.140.245.0/24,2001:db8::1/128,AzureCloud"},
		{"0.0.0.0/32 entry is not egress only", List{Prefixes: pfx("0.0.0.0/32", "1.1.1.1/32")}, "0.0.0.0,1.1.1.1/32"},
		{"tags only", List{ServiceTags: []string{"AzureCloud"}}, "AzureCloud"},
		{"unknown mode", List{Mode: 7, Prefixes: pfx("1.1.1.1/32")}, "<invalid>"},
		{"disabled with entries", List{Mode: Disabled, Prefixes: pfx("1.1.1.1/32")}, "<invalid>"},
		{"egress only with entries", List{Mode: EgressOnly, ServiceTags: []string{"AzureCloud"}}, "<invalid>"},
		{"tag that would inject an entry", List{ServiceTags: []string{"AzureCloud,0.0.0.0/0"}}, "<invalid>"},
		{"invalid prefix must not print as \"\"", List{Prefixes: []netip.Prefix{{}}}, "<invalid>"},
		{"host bits print as they are", List{Prefixes: pfx("1.2.3.4/24")}, "1.2.3.4/24"},
		{"mapped prints as it is", List{Prefixes: pfx("::ffff:1.2.3.4/128")}, "::ffff:1.2.3.4/128"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.name, got, tt.want)
		}
		// Whatever String prints parses back to the same list or is refused.
		for _, p := range []Policy{general, withTags, AKS} {
			back, err := Parse(tt.l.String(), p)
			if err == nil && !cmp.Equal(back, tt.l, netipCmp) {
				t.Errorf("%s: Parse(String()) = %v, a different list", tt.name, back)
			}
		}
	}
	for _, text := range []string{"<empty>", "<invalid>"} {
		_, err := Parse(text, withTags)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "List.String") {
			t.Errorf("Parse(%q) = %v, want ErrMalformed naming List.String", text, err)
		}
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Restricted: "Restricted", Disabled: "Disabled", EgressOnly: "EgressOnly", 9: "Mode(9)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}

func TestTrimSpaceTab(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		" \t ":        "",
		" a ":         "a",
		"\ta b\t":     "a b",
		"\u00a0a":     "\u00a0a",
		"\na\n":       "\na\n",
		"\u3000a":     "\u3000a",
		" \t\v a \t ": "\v a",
	} {
		if got := ascii.TrimSpaceTab(in); got != want {
			t.Errorf("ascii.TrimSpaceTab(%q) = %q, want %q", in, got, want)
		}
	}
}

// realTagNames are tag names from Microsoft's files, for generators.
var realTagNames = []string{
	"AzureCloud", "AzureCloud.westeurope", "AzureCloud.australiacentral2", "Storage.EastUS", "AzureFrontDoor.Backend",
	"ActionGroup.EastUS2EUAP", "Dynamics365ForMarketingEmail.WestUS2", "M365ManagementActivityApiWebhook", "SCCservice", "Sql",
}

var blanks = []string{"", "", " ", "\t", "  ", " \t "}

// drawPrefix4 draws a random canonical IPv4 prefix.
func drawPrefix4(t *rapid.T, label string) netip.Prefix {
	b := rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, label+"addr")
	bits := rapid.IntRange(0, 32).Draw(t, label+"bits")
	return netip.PrefixFrom(netip.AddrFrom4([4]byte(b)), bits).Masked()
}

// drawPrefix6 draws a random canonical IPv6 prefix outside the IPv4-mapped
// and IPv4-compatible space.
func drawPrefix6(t *rapid.T, label string) netip.Prefix {
	b := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label+"addr")
	if rapid.Bool().Draw(t, label+"short") { // reach ::/96 and ::ffff:0:0/96 often enough to test the filter
		clear(b[:10])
	}
	bits := rapid.IntRange(0, 128).Draw(t, label+"bits")
	p := netip.PrefixFrom(netip.AddrFrom16([16]byte(b)), bits).Masked()
	if embeddedIPv4Reason(p) != "" {
		t.Skip("IPv4-mapped or IPv4-compatible")
	}
	return p
}

// writePrefix writes p as a user might: bare when it is one address
// (except 0.0.0.0/32, whose text means egress only), else with its length.
func writePrefix(t *rapid.T, p netip.Prefix, label string) string {
	if p.IsSingleIP() && (p.Addr().Is6() || p != egressPrefix) && rapid.Bool().Draw(t, label+"bare") {
		return p.Addr().String()
	}
	if p == egressPrefix {
		return "0.0.0.0"
	}
	return p.String()
}

// checkAccepted checks what every accepted list must satisfy.
func checkAccepted(t interface{ Fatalf(string, ...any) }, l List, p Policy) {
	for _, pf := range l.Prefixes {
		if !pf.IsValid() || pf != pf.Masked() {
			t.Fatalf("accepted non-canonical prefix %v", pf)
		}
		if pf.Addr().Zone() != "" || embeddedIPv4Reason(pf) != "" {
			t.Fatalf("accepted zoned, IPv4-mapped or IPv4-compatible prefix %v", pf)
		}
		if p.IPv4Only && !pf.Addr().Is4() {
			t.Fatalf("accepted IPv6 %v under IPv4Only", pf)
		}
		if _, bad := nonGlobal(pf); p.RequireGlobal && bad {
			t.Fatalf("accepted non-global %v", pf)
		}
	}
	for _, tag := range l.ServiceTags {
		if !isTagName(tag) && !(p.ProviderTags && isProviderTagName(tag)) {
			t.Fatalf("accepted tag %q", tag)
		}
	}
	if n := len(l.Prefixes) + len(l.ServiceTags); p.MaxEntries > 0 && n > p.MaxEntries {
		t.Fatalf("accepted %d entries under MaxEntries %d", n, p.MaxEntries)
	}
	if len(l.ServiceTags) > max(p.MaxServiceTags, 0) {
		t.Fatalf("accepted %d tags under MaxServiceTags %d", len(l.ServiceTags), p.MaxServiceTags)
	}
	if l.Mode != Restricted && (len(l.Prefixes) > 0 || len(l.ServiceTags) > 0) {
		t.Fatalf("%v list with entries", l.Mode)
	}
	if l.Mode == Restricted && len(l.Prefixes) == 0 && len(l.ServiceTags) == 0 {
		t.Fatalf("restricted list with no entries")
	}
}

// checkRoundTrip checks that Parse(in, p) gives want, that the result obeys
// p, and that it prints to text that parses back to the same list.
func checkRoundTrip(t *rapid.T, in string, p Policy, want List) {
	got, err := Parse(in, p)
	if err != nil {
		t.Fatalf("Parse(%q): %v", in, err)
	}
	if diff := cmp.Diff(want, got, netipCmp); diff != "" {
		t.Fatalf("Parse(%q) (-want +got):\n%s", in, diff)
	}
	checkAccepted(t, got, p)
	back, err := Parse(got.String(), p)
	if err != nil || !cmp.Equal(got, back, netipCmp) {
		t.Fatalf("round trip of %q: %v, %v", got.String(), back, err)
	}
}

// TestPropertyValidListsRoundTrip: random valid AKS lists (global IPv4
// prefixes, tags, blanks around elements) parse to exactly their entries,
// print canonically and parse back to the same list.
func TestPropertyValidListsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := AKS
		p.MaxEntries = rapid.SampledFrom([]int{0, 1, 5, 200}).Draw(t, "maxEntries")
		p.MaxServiceTags = rapid.IntRange(0, 3).Draw(t, "maxTags")
		limit := p.MaxEntries
		if limit == 0 {
			limit = 300
		}
		n := rapid.IntRange(1, min(limit, 40)).Draw(t, "n")
		var want List
		want.Mode = Restricted
		elems := make([]string, n)
		for i := range elems {
			var text string
			if len(want.ServiceTags) < p.MaxServiceTags && rapid.IntRange(0, 4).Draw(t, "tag?") == 0 {
				text = rapid.SampledFrom(realTagNames).Draw(t, "tag")
				want.ServiceTags = append(want.ServiceTags, text)
			} else {
				pf := drawPrefix4(t, "")
				if _, bad := nonGlobal(pf); bad {
					pf = netip.MustParsePrefix("20.20.20.20/32") // keep the draw valid
				}
				text = writePrefix(t, pf, "")
				want.Prefixes = append(want.Prefixes, pf)
			}
			elems[i] = rapid.SampledFrom(blanks).Draw(t, "before") + text + rapid.SampledFrom(blanks).Draw(t, "after")
		}
		checkRoundTrip(t, strings.Join(elems, ","), p, want)
	})
}

// TestPropertyGeneralRoundTrip: the same for the general policy with
// IPv6 and non-global space.
func TestPropertyGeneralRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 30).Draw(t, "n")
		want := List{Mode: Restricted}
		elems := make([]string, n)
		for i := range elems {
			var pf netip.Prefix
			if rapid.Bool().Draw(t, "v6") {
				pf = drawPrefix6(t, "")
			} else {
				pf = drawPrefix4(t, "")
			}
			want.Prefixes = append(want.Prefixes, pf)
			elems[i] = rapid.SampledFrom(blanks).Draw(t, "before") + writePrefix(t, pf, "") + rapid.SampledFrom(blanks).Draw(t, "after")
		}
		checkRoundTrip(t, strings.Join(elems, ","), general, want)
	})
}

// TestPropertyLimits: a list longer than MaxEntries is refused with one
// ErrTooMany at index MaxEntries; a list within it is not.
func TestPropertyLimits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := AKS
		p.MaxEntries = rapid.IntRange(1, 20).Draw(t, "max")
		n := rapid.IntRange(1, 25).Draw(t, "n")
		elems := make([]string, n)
		for i := range elems {
			elems[i] = rapid.SampledFrom([]string{"20.20.20.20", "73.140.245.0/24", "1.1.1.1/32"}).Draw(t, "elem")
		}
		_, err := Parse(strings.Join(elems, ","), p)
		if n <= p.MaxEntries {
			if err != nil {
				t.Fatalf("%d entries under max %d: %v", n, p.MaxEntries, err)
			}
			return
		}
		var le *ListError
		if !errors.As(err, &le) || len(le.Errors) != 1 || le.Errors[0].Kind != ErrTooMany || le.Errors[0].Index != p.MaxEntries {
			t.Fatalf("%d entries over max %d: %v", n, p.MaxEntries, err)
		}
	})
}

var fuzzPolicies = []Policy{AKS, general, withTags, {MaxEntries: 3, MaxServiceTags: 1, RequireGlobal: true}, Providers,
	{MaxEntries: 2, MaxServiceTags: 1, TrimUnicodeSpace: true, ProviderTags: true, IPv4Only: true}}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", " ", "73.140.245.0/24", "73.140.245.0/24,193.168.1.0/24,194.168.1.0/24", "137.117.106.90/29",
		"0.0.0.0/32", "0.0.0.0/32,1.1.1.1", "0.0.0.0", "AzureCloud,20.20.20.20", "AzureCloud.westeurope,Storage.EastUS",
		",", "1.1.1.1,,2.2.2.2", " 1.1.1.1 ,\t2.2.2.2\t", "10.0.0.0/8", "2001:db8::/32", "::ffff:1.2.3.4",
		"::1.2.3.4", "::ffff:0:0/96", "fe80::1%eth0", "[::1]:443", "1.2.3.4:443", "010.0.0.1", "127.1",
		"2130706433", "1.2.3.4/024", "1.2.3.0/255.255.255.0", "\u00a01.1.1.1", "1.1.1.1\n", "<empty>", "<invalid>",
		"1111:2222:3333:4444:5555:6666:255.255.255.255", "0.0.0.0/0", "::/0", "localhost", "A.b,C",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range fuzzPolicies {
			l, err := Parse(s, p)
			if err != nil {
				var le *ListError
				if !errors.As(err, &le) || len(le.Errors) == 0 {
					t.Fatalf("Parse(%q) error %T %v", s, err, err)
				}
				n := strings.Count(s, ",") + 1
				for _, e := range le.Errors {
					if _, ok := kindNames[e.Kind]; !ok || e.Index < 0 || e.Index >= n || e.Reason == "" || e.Line != 0 || e.Column != 0 {
						t.Fatalf("Parse(%q): bad entry error %+v", s, e)
					}
				}
				checkBounded(t, le)
				checkFixes(t, err, p)
				if !cmp.Equal(l, List{}, netipCmp) {
					t.Fatalf("Parse(%q) returned %v beside an error", s, l)
				}
				continue
			}
			checkAccepted(t, l, p)
			if l.Mode == Disabled && ascii.TrimSpaceTab(s) != "" {
				t.Fatalf("Parse(%q) disabled the list", s)
			}
			if strings.ContainsAny(s, "%[]") {
				t.Fatalf("Parse(%q) accepted a zone or brackets: %v", s, l)
			}
			back, err := Parse(l.String(), p)
			if err != nil || !cmp.Equal(l, back, netipCmp) {
				t.Fatalf("Parse(%q) = %v; round trip through %q gives %v, %v", s, l, l.String(), back, err)
			}
		}
	})
}

// benchList is a realistic 200-entry AKS list: office and CI egress
// addresses, a few ranges, one service tag, written with ", ".
func benchList() string {
	es := make([]string, 0, 200)
	es = append(es, "AzureCloud")
	for i := 1; i < 200; i++ {
		switch i % 4 {
		case 0:
			es = append(es, fmt.Sprintf("73.140.%d.0/24", i))
		case 1:
			es = append(es, fmt.Sprintf("20.%d.%d.%d", 40+i%50, i, 7*i%256))
		case 2:
			es = append(es, fmt.Sprintf("52.%d.%d.%d/32", 100+i%50, i, 3*i%256))
		default:
			es = append(es, fmt.Sprintf("137.117.%d.%d/29", i, 8*(i%32)))
		}
	}
	return strings.Join(es, ", ")
}

func BenchmarkParse(b *testing.B) {
	s := benchList()
	if _, err := Parse(s, AKS); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s, AKS); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	l, err := Parse(benchList(), AKS)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = l.String()
	}
}

// tester is what the checks need of *testing.T and *rapid.T.
type tester interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkBounded checks the bounds that every ListError keeps, whatever the
// input.
func checkBounded(t tester, le *ListError) {
	t.Helper()
	if len(le.Errors) == 0 || len(le.Errors) > maxReported+1 || le.Omitted < 0 {
		t.Fatalf("ListError with %d problems listed and %d omitted", len(le.Errors), le.Omitted)
	}
	for _, e := range le.Errors {
		if len(e.Entry) > maxKeptEntry || len(e.Reason) > maxReason || len(e.Error()) > maxLine {
			t.Fatalf("EntryError of %d, %d, %d bytes: %.200q", len(e.Entry), len(e.Reason), len(e.Error()), e.Error())
		}
		if strings.Contains(e.Error(), "\u2014") {
			t.Fatalf("em-dash in %q", e.Error())
		}
	}
	if n := len(le.Error()); n > (maxReported+2)*maxLine {
		t.Fatalf("Error() is %d bytes long", n)
	}
}

// maxLine bounds one line of a ListError's message: a position, the
// quoted entry (every byte of it escaped at worst) and the reason.
const maxLine = len("line 99999999, column 99999999: ") + 4*maxQuoted + 10 + maxReason

// checkFixes checks that every fix the messages of err offer, "write
// 73.140.245.0/24" and the like, is accepted by p on its own.
func checkFixes(t tester, err error, p Policy) {
	t.Helper()
	var le *ListError
	if !errors.As(err, &le) {
		return
	}
	for _, e := range le.Errors {
		fixes := fixesIn(e.Reason)
		for _, fix := range fixes {
			if _, ferr := Parse(fix, p); ferr != nil {
				t.Fatalf("the message %q offers %q, which the policy refuses:\n%v", e.Error(), fix, ferr)
			}
		}
		if want := ""; len(fixes) > 0 && e.Fix != fixes[0] || len(fixes) == 0 && e.Fix != want {
			t.Fatalf("EntryError %q has Fix %q; its reason offers %q", e.Error(), e.Fix, fixes)
		}
	}
}
