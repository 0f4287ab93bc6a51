package allowlist

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/servicetag"
	"go4.org/netipx"
)

var (
	mkAddr   = netip.MustParseAddr
	mkPrefix = netip.MustParsePrefix
)

// fakeTags is a TagSource from a map; lookups ignore case, like
// servicetag's, and the returned Name is the map's spelling.
type fakeTags map[string][]netip.Prefix

func (f fakeTags) LookupTag(name string) (string, []netip.Prefix, error) {
	for k, ps := range f {
		if strings.EqualFold(k, name) {
			return k, ps, nil
		}
	}
	return "", nil, &servicetag.UnknownTagError{Name: name, Suggestions: []string{"AzureCloud"}}
}

func mustParse(t testing.TB, s string, p Policy) List {
	t.Helper()
	l, err := Parse(s, p)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return l
}

func mustResolve(t testing.TB, r Resolver, l List) (*Set, []Finding) {
	t.Helper()
	s, err := r.Resolve(l)
	if err != nil {
		t.Fatalf("Resolve(%v): %v", l, err)
	}
	return s, r.Lint(l)
}

// aksEgress is a cluster's implicit egress as in the AKS documentation:
// one load-balancer outbound IP, one outbound IP prefix and the API
// server's public IP.
var aksEgress = Egress{
	OutboundIPs:      []netip.Addr{mkAddr("52.170.10.20")},
	OutboundPrefixes: []netip.Prefix{mkPrefix("52.170.64.0/30")},
	APIServer:        mkAddr("20.62.1.1"),
}

// explainProbe is one address to check against a resolved set, with the rule
// Explain must name; a zero Rule means "denied".
type explainProbe struct {
	a    string
	want string // Rule.String(), or "" for denied
}

func checkExplain(t *testing.T, s *Set, want []explainProbe) {
	t.Helper()
	for _, p := range want {
		a := mkAddr(p.a)
		r, ok := s.Explain(a)
		got := ""
		if ok {
			got = r.String()
		}
		if got != p.want {
			t.Errorf("Explain(%s) = %q, want %q", p.a, got, p.want)
		}
		if c := s.Contains(a); c != (p.want != "") {
			t.Errorf("Contains(%s) = %v, want %v", p.a, c, p.want != "")
		}
	}
}

// TestResolveAKSScenarios reproduces the scenarios of the AKS
// documentation (api-server-authorized-ip-ranges.md and
// api-server-service-tags.md). The AzureCloud scenario with the real
// Public document is in servicetag_test.go.
func TestResolveAKSScenarios(t *testing.T) {
	t.Run("list plus outbound IPs", func(t *testing.T) {
		// "az aks create ... --api-server-authorized-ip-ranges 73.140.245.0/24
		// --load-balancer-outbound-ips ...": the list and the egress.
		l := mustParse(t, "73.140.245.0/24,137.117.106.88/29", AKS)
		s, fs := mustResolve(t, Resolver{Egress: aksEgress}, l)
		if len(fs) != 0 {
			t.Errorf("findings: %v", fs)
		}
		checkExplain(t, s, []explainProbe{
			{"73.140.245.0", "entry 0 73.140.245.0/24"},
			{"73.140.245.255", "entry 0 73.140.245.0/24"},
			{"137.117.106.90", "entry 1 137.117.106.88/29"},
			{"137.117.106.96", ""},
			{"52.170.10.20", "egress 52.170.10.20/32"},
			{"52.170.10.21", ""},
			{"52.170.64.3", "egress 52.170.64.0/30"},
			{"52.170.64.4", ""},
			{"20.62.1.1", "egress 20.62.1.1/32"},
			{"::ffff:73.140.245.7", "entry 0 73.140.245.0/24"},
			{"8.8.8.8", ""},
			{"2001:4860::8888", ""},
		})
		want := []netip.Prefix{mkPrefix("20.62.1.1/32"), mkPrefix("52.170.10.20/32"), mkPrefix("52.170.64.0/30"),
			mkPrefix("73.140.245.0/24"), mkPrefix("137.117.106.88/29")}
		if d := cmp.Diff(want, s.IPSet().Prefixes(), netipCmp); d != "" {
			t.Errorf("prefixes (-want +got):\n%s", d)
		}
	})

	t.Run("0.0.0.0/32 with outbound IPs only", func(t *testing.T) {
		l := mustParse(t, "0.0.0.0/32", AKS)
		s, fs := mustResolve(t, Resolver{Egress: aksEgress}, l)
		if len(fs) != 0 {
			t.Errorf("findings: %v", fs)
		}
		checkExplain(t, s, []explainProbe{
			{"52.170.10.20", "egress 52.170.10.20/32"},
			{"52.170.64.1", "egress 52.170.64.0/30"},
			{"20.62.1.1", "egress 20.62.1.1/32"},
			{"0.0.0.0", ""},
			{"73.140.245.1", ""},
		})

		// Without egress the set is empty, and a finding says so.
		s, fs = mustResolve(t, Resolver{}, l)
		if got := s.IPSet().Prefixes(); len(got) != 0 {
			t.Errorf("egress-only without egress allows %v", got)
		}
		if len(fs) != 1 || fs[0].Kind != LintNoEgress {
			t.Errorf("findings = %v, want one %v", fs, LintNoEgress)
		}
	})

	t.Run("service tag and address", func(t *testing.T) {
		tags := fakeTags{"AzureCloud": {mkPrefix("20.33.0.0/16"), mkPrefix("20.33.4.0/24"), mkPrefix("2603:1000::/24")}}
		l := mustParse(t, "AzureCloud,20.20.20.20", AKS)
		s, _ := mustResolve(t, Resolver{Tags: tags, Egress: aksEgress}, l)
		checkExplain(t, s, []explainProbe{
			{"20.20.20.20", "entry 0 20.20.20.20/32"},
			{"20.33.4.1", "service tag AzureCloud 20.33.0.0/16"},
			{"2603:1000::1", "service tag AzureCloud 2603:1000::/24"},
			{"52.170.10.20", "egress 52.170.10.20/32"},
			{"8.8.8.8", ""},
		})
		// The lookup ignores case and the Rule carries the source's spelling.
		s, _ = mustResolve(t, Resolver{Tags: tags}, mustParse(t, "AZURECLOUD", AKS))
		checkExplain(t, s, []explainProbe{{"20.33.0.1", "service tag AzureCloud 20.33.0.0/16"}})
	})

	t.Run(`"" allows everything`, func(t *testing.T) {
		l := mustParse(t, "", AKS)
		s, fs := mustResolve(t, Resolver{Egress: aksEgress}, l)
		if len(fs) != 0 {
			t.Errorf("findings: %v", fs)
		}
		checkExplain(t, s, []explainProbe{
			{"0.0.0.0", "disabled 0.0.0.0/0"},
			{"10.1.2.3", "disabled 0.0.0.0/0"},
			{"255.255.255.255", "disabled 0.0.0.0/0"},
			{"52.170.10.20", "disabled 0.0.0.0/0"},
			{"::", "disabled ::/0"},
			{"2001:db8::1", "disabled ::/0"},
			{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "disabled ::/0"},
			{"::ffff:1.2.3.4", "disabled 0.0.0.0/0"},
		})
		// Zoned addresses are never allowed, even by a disabled list.
		if s.Contains(mkAddr("fe80::1%eth0")) {
			t.Error("disabled list contains a zoned address")
		}
		if _, ok := s.Explain(mkAddr("fe80::1%eth0")); ok {
			t.Error("disabled list explains a zoned address")
		}
	})

	t.Run("update that drops the operator's address", func(t *testing.T) {
		// The documentation: "If you omit an existing IP address, the command
		// replaces it". The operator works from 73.140.245.17, inside the
		// first entry, and the update forgets that entry.
		r := Resolver{Egress: aksEgress}
		cur, _ := mustResolve(t, r, mustParse(t, "73.140.245.0/24,137.117.106.88/29", AKS))
		next, _ := mustResolve(t, r, mustParse(t, "137.117.106.88/29,20.20.20.20", AKS))
		c := Diff(cur, next)
		want := Change{Gained: []netip.Prefix{mkPrefix("20.20.20.20/32")}, Lost: []netip.Prefix{mkPrefix("73.140.245.0/24")}}
		if d := cmp.Diff(want, c, netipCmp); d != "" {
			t.Errorf("Diff (-want +got):\n%s", d)
		}
		operator, node := mkAddr("73.140.245.17"), mkAddr("52.170.10.20")
		if got := c.LockedOut(operator, node, mkAddr("137.117.106.89")); !cmp.Equal(got, []netip.Addr{operator}, netipCmp) {
			t.Errorf("LockedOut = %v, want [%v]", got, operator)
		}
		if !c.CutsOff(mkAddr("::ffff:73.140.245.17")) {
			t.Error("CutsOff(IPv4-mapped operator address) = false")
		}
		if c.CutsOff(node) {
			t.Error("the implicit egress is cut off")
		}
		if got := Diff(next, next).LockedOut(operator, node); got != nil {
			t.Errorf("no-op update locks out %v", got)
		}
	})
}

func TestResolveErrors(t *testing.T) {
	tags := fakeTags{"AzureCloud": {mkPrefix("20.33.0.0/16")}}
	tests := []struct {
		name   string
		r      Resolver
		l      List
		is     error
		substr string // in the message
	}{
		{"unknown tag", Resolver{Tags: tags}, List{ServiceTags: []string{"AzureClod"}}, servicetag.ErrUnknownTag, `service tag "AzureClod"`},
		{"unknown tag keeps suggestions", Resolver{Tags: tags}, List{ServiceTags: []string{"AzureClod"}}, servicetag.ErrUnknownTag, `did you mean "AzureCloud"`},
		{"no tag source", Resolver{}, List{ServiceTags: []string{"AzureCloud"}}, ErrNoTagSource, "no service-tag source was given"},
		{"zero outbound IP", Resolver{Egress: Egress{OutboundIPs: []netip.Addr{{}}}}, List{}, ErrInvalidEgress, "outbound IP 0 is empty"},
		{"zoned outbound IP", Resolver{Egress: Egress{OutboundIPs: []netip.Addr{mkAddr("1.2.3.4"), mkAddr("fe80::1%eth0")}}}, List{}, ErrInvalidEgress, "outbound IP 1 fe80::1%eth0 has a zone"},
		{"mapped outbound IP", Resolver{Egress: Egress{OutboundIPs: []netip.Addr{mkAddr("::ffff:1.2.3.4")}}}, List{}, ErrInvalidEgress, "give the IPv4 address 1.2.3.4"},
		{"mapped API server", Resolver{Egress: Egress{APIServer: mkAddr("::ffff:1.2.3.4")}}, List{}, ErrInvalidEgress, "API server IP ::ffff:1.2.3.4 is IPv4-mapped"},
		{"zoned API server", Resolver{Egress: Egress{APIServer: mkAddr("fe80::1%2")}}, List{}, ErrInvalidEgress, "has a zone"},
		{"non-canonical outbound prefix", Resolver{Egress: Egress{OutboundPrefixes: []netip.Prefix{mkPrefix("52.170.64.1/30")}}}, List{}, ErrInvalidEgress, "give 52.170.64.0/30"},
		{"invalid outbound prefix", Resolver{Egress: Egress{OutboundPrefixes: []netip.Prefix{{}}}}, List{}, ErrInvalidEgress, "outbound IP prefix 0 is not a valid prefix"},
		{"mapped outbound prefix", Resolver{Egress: Egress{OutboundPrefixes: []netip.Prefix{mkPrefix("::ffff:1.2.3.0/120")}}}, List{}, ErrInvalidEgress, "IPv4-mapped"},
		{"non-canonical node prefix", Resolver{NodePrefixes: []netip.Prefix{mkPrefix("52.1.2.3/28")}}, List{}, ErrInvalidEgress, "node public IP prefix 0 52.1.2.3/28"},
		{"invalid extra egress", Resolver{ExtraEgress: []netip.Prefix{{}}}, List{}, ErrInvalidEgress, "extra egress prefix 0 is not"},
		{"non-canonical list prefix", Resolver{}, List{Prefixes: []netip.Prefix{mkPrefix("1.2.3.4/24")}}, ErrInvalidList, "use 1.2.3.0/24"},
		{"invalid list prefix", Resolver{}, List{Prefixes: []netip.Prefix{{}}}, ErrInvalidList, "entry 0 is not a valid prefix"},
		{"mapped list prefix", Resolver{}, List{Prefixes: []netip.Prefix{mkPrefix("::ffff:1.2.3.4/128")}}, ErrInvalidList, "IPv4-mapped"},
		{"disabled with entries", Resolver{}, List{Mode: Disabled, Prefixes: []netip.Prefix{mkPrefix("1.2.3.4/32")}}, ErrInvalidList, "a Disabled list has 1 prefixes"},
		{"egress-only with a tag", Resolver{Tags: tags}, List{Mode: EgressOnly, ServiceTags: []string{"AzureCloud"}}, ErrInvalidList, "EgressOnly"},
		{"unknown mode", Resolver{}, List{Mode: Mode(7)}, ErrInvalidList, "unknown Mode 7"},
		{"bad tag prefix", Resolver{Tags: fakeTags{"Bad": {mkPrefix("20.33.0.1/16")}}}, List{ServiceTags: []string{"Bad"}}, ErrInvalidList, `service tag "Bad" holds the prefix 20.33.0.1/16`},
		{"non-canonical exception", Resolver{Except: []netip.Prefix{mkPrefix("10.0.0.0/8"), mkPrefix("10.1.2.3/16")}}, List{}, ErrInvalidException, "exception 1 10.1.2.3/16 has host bits set; give 10.1.0.0/16 (the range it lies in) or 10.1.2.3/32 (the single address)"},
		{"invalid exception", Resolver{Except: []netip.Prefix{{}}}, List{}, ErrInvalidException, "exception 0 is not a valid prefix; leave it out"},
		{"mapped exception", Resolver{Except: []netip.Prefix{mkPrefix("::ffff:10.1.0.0/112")}}, List{}, ErrInvalidException, "exception 0 ::ffff:10.1.0.0/112 is IPv4-mapped; give the IPv4 prefix 10.1.0.0/16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.r.Resolve(tt.l)
			if !errors.Is(err, tt.is) {
				t.Fatalf("Resolve error = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("message %q lacks %q", err, tt.substr)
			}
			if s != nil {
				t.Errorf("Resolve returned a set with an error")
			}
		})
	}

	// All problems are reported together.
	_, err := Resolver{Egress: Egress{OutboundIPs: []netip.Addr{{}}}}.Resolve(List{Mode: Mode(9), ServiceTags: []string{"X"}})
	for _, want := range []error{ErrInvalidEgress, ErrInvalidList, ErrNoTagSource} {
		if !errors.Is(err, want) {
			t.Errorf("joined error %v lacks %v", err, want)
		}
	}
}

func TestExplainPriority(t *testing.T) {
	// Entries win over tags and egress, the first listed entry wins, and
	// a Rule names the entry's index in List.Prefixes (tags not counted).
	l := mustParse(t, "Tag,10.0.0.0/16,10.0.0.0/8,10.0.0.0/16,10.0.1.0/24", Policy{MaxServiceTags: 1})
	tags := fakeTags{"Tag": {mkPrefix("10.0.0.0/24"), mkPrefix("11.0.0.0/8"), mkPrefix("11.1.0.0/16")}}
	eg := Egress{OutboundIPs: []netip.Addr{mkAddr("11.1.1.1"), mkAddr("12.0.0.1")}, OutboundPrefixes: []netip.Prefix{mkPrefix("12.0.0.0/31")}}
	s, _ := mustResolve(t, Resolver{Tags: tags, Egress: eg}, l)
	checkExplain(t, s, []explainProbe{
		{"10.0.0.5", "entry 0 10.0.0.0/16"},
		{"10.0.1.5", "entry 0 10.0.0.0/16"},
		{"10.0.255.255", "entry 0 10.0.0.0/16"},
		{"10.1.0.0", "entry 1 10.0.0.0/8"},
		{"9.255.255.255", ""},
		{"11.1.1.1", "service tag Tag 11.0.0.0/8"},
		{"12.0.0.0", "egress 12.0.0.0/31"},
		{"12.0.0.1", "egress 12.0.0.1/32"},
		{"12.0.0.2", ""},
	})
	if r, _ := s.Explain(mkAddr("11.1.1.1")); r.Index != 0 || r.Tag != "Tag" {
		t.Errorf("tag rule = %+v, want Index 0 (the tag's position) and Tag \"Tag\"", r)
	}
	if r, _ := s.Explain(mkAddr("12.0.0.0")); r.Index != -1 {
		t.Errorf("egress rule Index = %d, want -1", r.Index)
	}
}

func TestExplainCompiledSet(t *testing.T) {
	var b netipx.IPSetBuilder
	b.AddPrefix(mkPrefix("10.0.0.0/8"))
	b.AddPrefix(mkPrefix("11.0.0.0/9"))
	b.AddRange(netipx.IPRangeFrom(mkAddr("192.0.2.3"), mkAddr("192.0.2.9")))
	b.AddPrefix(mkPrefix("2001:db8::/32"))
	ips, _ := b.IPSet()
	s := Compile(ips)
	checkExplain(t, s, []explainProbe{
		{"10.1.2.3", "set 10.0.0.0/8"}, // 10/8 and 11/9 are adjacent: one range, two prefixes
		{"11.127.255.255", "set 11.0.0.0/9"},
		{"11.128.0.0", ""},
		{"192.0.2.3", "set 192.0.2.3/32"},
		{"192.0.2.5", "set 192.0.2.4/30"},
		{"192.0.2.9", "set 192.0.2.8/31"},
		{"192.0.2.10", ""},
		{"2001:db8:1::1", "set 2001:db8::/32"},
		{"::ffff:10.9.9.9", "set 10.0.0.0/8"},
	})
	if _, ok := s.Explain(mkAddr("2001:db8::1%eth0")); ok {
		t.Error("zoned address explained")
	}
	if _, ok := s.Explain(netip.Addr{}); ok {
		t.Error("zero address explained")
	}
	var nilSet *Set
	if _, ok := nilSet.Explain(mkAddr("1.2.3.4")); ok {
		t.Error("nil set explains")
	}
}

func TestRuleString(t *testing.T) {
	tests := []struct {
		r    Rule
		want string
	}{
		{Rule{Source: FromEntry, Index: 3, Prefix: mkPrefix("203.0.113.0/24")}, "entry 3 203.0.113.0/24"},
		{Rule{Source: FromServiceTag, Prefix: mkPrefix("20.33.0.0/16"), Tag: "AzureCloud"}, "service tag AzureCloud 20.33.0.0/16"},
		{Rule{Source: FromEgress, Index: -1, Prefix: mkPrefix("52.170.1.2/32")}, "egress 52.170.1.2/32"},
		{Rule{Source: FromDisabled, Index: -1, Prefix: mkPrefix("::/0")}, "disabled ::/0"},
		{Rule{Source: FromSet, Index: -1, Prefix: mkPrefix("10.0.0.0/8")}, "set 10.0.0.0/8"},
		{Rule{Source: FromException, Index: 1, Prefix: mkPrefix("203.0.113.64/26")}, "exception 1 203.0.113.64/26"},
		{Rule{Source: Source(42)}, "Source(42) invalid Prefix"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

// TestExceptions: exceptions are removed from what entries, tags and egress
// allow, in every Mode, and Explain names the first exception that holds a
// refused address.
func TestExceptions(t *testing.T) {
	tags := fakeTags{"Tag": {mkPrefix("20.33.0.0/16")}}
	eg := Egress{OutboundIPs: []netip.Addr{mkAddr("52.170.10.20")}, OutboundPrefixes: []netip.Prefix{mkPrefix("52.170.64.0/30")}}
	except := []netip.Prefix{mkPrefix("73.140.245.128/25"), mkPrefix("73.140.245.192/26"), mkPrefix("20.33.7.0/24"), mkPrefix("52.170.64.2/32"), mkPrefix("2001:db8:1::/48")}
	r := Resolver{Tags: tags, Egress: eg, Except: except}
	tests := []struct {
		name   string
		list   string
		probes []explainProbe
		want   []string // the set's prefixes
	}{
		{"restricted", "73.140.245.0/24,Tag,2001:db8::/32", []explainProbe{
			{"73.140.245.127", "entry 0 73.140.245.0/24"},
			{"73.140.245.128", ""},
			{"73.140.245.200", ""}, // in both exceptions: the first is named (checked below)
			{"20.33.6.255", "service tag Tag 20.33.0.0/16"},
			{"20.33.7.1", ""},
			{"52.170.64.1", "egress 52.170.64.0/30"},
			{"52.170.64.2", ""},
			{"52.170.10.20", "egress 52.170.10.20/32"},
			{"2001:db8:1::1", ""},
			{"2001:db8:2::1", "entry 1 2001:db8::/32"},
			{"::ffff:73.140.245.129", ""},
		}, []string{"20.33.0.0/22", "20.33.4.0/23", "20.33.6.0/24", "20.33.8.0/21", "20.33.16.0/20", "20.33.32.0/19", "20.33.64.0/18", "20.33.128.0/17",
			"52.170.10.20/32", "52.170.64.0/31", "52.170.64.3/32", "73.140.245.0/25",
			"2001:db8::/48", "2001:db8:2::/47", "2001:db8:4::/46", "2001:db8:8::/45", "2001:db8:10::/44", "2001:db8:20::/43", "2001:db8:40::/42", "2001:db8:80::/41", "2001:db8:100::/40", "2001:db8:200::/39", "2001:db8:400::/38", "2001:db8:800::/37", "2001:db8:1000::/36", "2001:db8:2000::/35", "2001:db8:4000::/34", "2001:db8:8000::/33"}},
		{"egress only", "0.0.0.0/32", []explainProbe{
			{"52.170.64.0", "egress 52.170.64.0/30"},
			{"52.170.64.2", ""},
		}, []string{"52.170.10.20/32", "52.170.64.0/31", "52.170.64.3/32"}},
		{"disabled", "", []explainProbe{
			{"8.8.8.8", "disabled 0.0.0.0/0"},
			{"73.140.245.129", ""},
			{"2001:db8:1:2::3", ""},
			{"2001:4860::8888", "disabled ::/0"},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := mustResolve(t, r, mustParse(t, tt.list, Policy{MaxServiceTags: 1}))
			checkExplain(t, s, tt.probes)
			if tt.want != nil {
				var got []string
				for _, p := range s.Prefixes() {
					got = append(got, p.String())
				}
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("prefixes (-want +got):\n%s", d)
				}
			}
			for _, p := range tt.probes {
				if p.want != "" {
					continue
				}
				a := mkAddr(p.a)
				rule, ok := s.Explain(a)
				want := Rule{}
				for i, x := range except {
					if x.Contains(a.Unmap()) {
						want = Rule{Source: FromException, Index: i, Prefix: x}
						break
					}
				}
				if ok || rule != want {
					t.Errorf("Explain(%s) = %v, %v; want %v, false", a, rule, ok, want)
				}
			}
		})
	}
}
