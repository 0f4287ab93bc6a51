package allowlist

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lintPolicy is a policy that lets every entry through Parse, so the lint
// sees it.
var lintPolicy = Policy{MaxServiceTags: 1}

func TestLint(t *testing.T) {
	type f struct { // the parts of a Finding a test pins down
		Kind  LintKind
		Index int
		Entry string
	}
	tests := []struct {
		name string
		list string
		p    Policy
		r    Resolver
		want []f
		msgs []string // substrings of the findings' Strings, in order
	}{
		{name: "clean", list: "73.140.245.0/24,20.20.20.20", p: AKS},
		{name: "disabled", list: "", p: AKS},
		{
			name: "duplicates after canonicalisation",
			list: "20.20.20.20,73.140.245.0/24,20.20.20.20/32,20.20.20.20", p: AKS,
			want: []f{{LintDuplicate, 2, "20.20.20.20/32"}, {LintDuplicate, 3, "20.20.20.20/32"}},
			msgs: []string{`entry 2 "20.20.20.20/32": duplicate of entry 0; remove it`, "duplicate of entry 0"},
		},
		{
			name: "covered by a broader entry",
			list: "73.140.245.128/25,73.140.0.0/16,73.140.245.0/24,73.140.245.7", p: AKS,
			want: []f{{LintCovered, 0, "73.140.245.128/25"}, {LintCovered, 2, "73.140.245.0/24"}, {LintCovered, 3, "73.140.245.7/32"}},
			msgs: []string{`covered by entry 1 "73.140.0.0/16"`, "covered by entry 1", "covered by entry 1"},
		},
		{
			name: "covered and duplicate, IPv6 beside IPv4",
			list: "2001:4860::/32,2001:4860:1::/48,2001:4860::/32,20.0.0.0/8,20.1.0.0/16", p: Policy{},
			want: []f{{LintCovered, 1, "2001:4860:1::/48"}, {LintDuplicate, 2, "2001:4860::/32"}, {LintCovered, 4, "20.1.0.0/16"}},
		},
		{
			name: "adjacent halves are not covered",
			list: "73.140.245.0/25,73.140.245.128/25", p: AKS,
		},
		{
			name: "non-global entries and supernets",
			list: "10.0.0.0/7,192.168.1.0/24,192.0.0.9,100.0.0.0/9", p: lintPolicy,
			want: []f{{LintBroad, 0, "10.0.0.0/7"}, {LintNonGlobal, 0, "10.0.0.0/7"}, {LintNonGlobal, 1, "192.168.1.0/24"}, {LintNonGlobal, 3, "100.0.0.0/9"}},
			msgs: []string{"shorter than /8", "covers private-use space (RFC 1918) 10.0.0.0/8 as well as public addresses", "lies in private-use space (RFC 1918) 192.168.0.0/16", "shared address space"},
		},
		{
			name: "/0 and very broad",
			list: "0.0.0.0/0", p: AKS,
			want: []f{{LintBroad, 0, "0.0.0.0/0"}, {LintNonGlobal, 0, "0.0.0.0/0"}},
			msgs: []string{`allows every IPv4 address; to allow everyone disable the list ("")`, "and 11 more"},
		},
		{
			name: "broad thresholds",
			list: "64.0.0.0/7,64.0.0.0/8,2c00::/15,2c00::/16,::/0", p: Policy{},
			want: []f{{LintBroad, 0, "64.0.0.0/7"}, {LintCovered, 1, "64.0.0.0/8"}, {LintCovered, 2, "2c00::/15"}, {LintBroad, 2, "2c00::/15"}, {LintCovered, 3, "2c00::/16"}, {LintBroad, 4, "::/0"}, {LintNonGlobal, 4, "::/0"}},
			msgs: []string{"shorter than /8", `covered by entry 0 "64.0.0.0/7"`, `covered by entry 4 "::/0"`, "shorter than /16", `covered by entry 4 "::/0"`, "allows every IPv6 address"},
		},
		{
			name: "node prefixes and extra egress not covered",
			list: "73.140.245.0/24,52.1.2.0/29", p: AKS,
			r: Resolver{
				Egress:       Egress{OutboundIPs: []netip.Addr{mkAddr("52.1.3.1")}},
				NodePrefixes: []netip.Prefix{mkPrefix("52.1.2.0/28"), mkPrefix("73.140.245.16/28")},
				ExtraEgress:  []netip.Prefix{mkPrefix("52.1.3.0/31"), mkPrefix("52.1.3.1/32")},
			},
			want: []f{{LintUncovered, -1, "52.1.2.0/28"}, {LintUncovered, -1, "52.1.3.0/31"}},
			msgs: []string{
				`"52.1.2.0/28": node public IP prefix 52.1.2.0/28 is not allowed (missing: 52.1.2.8/29); nodes with these addresses would lose the API server: add 52.1.2.0/28 to the list`,
				"egress 52.1.3.0/31 is not allowed (missing: 52.1.3.0/32)",
			},
		},
		{
			name: "egress-only list misses node prefixes",
			list: "0.0.0.0/32", p: AKS,
			r:    Resolver{NodePrefixes: []netip.Prefix{mkPrefix("52.1.2.0/30")}},
			want: []f{{LintNoEgress, -1, ""}, {LintUncovered, -1, "52.1.2.0/30"}},
			msgs: []string{"denies everyone", "missing: 52.1.2.0/30"},
		},
		{
			name: "disabled list covers everything",
			list: "", p: AKS,
			r: Resolver{NodePrefixes: []netip.Prefix{mkPrefix("52.1.2.0/30"), mkPrefix("2001:db8::/64")}},
		},
		{
			name: "near the limit, mergeable",
			list: entries(9, 0), p: Policy{MaxEntries: 10},
			want: []f{{LintNearLimit, -1, ""}},
			msgs: []string{"the list has 9 entries of the 10 allowed; its prefixes fit in 2 after merging"},
		},
		{
			name: "below the limit",
			list: entries(8, 0), p: Policy{MaxEntries: 10},
		},
		{
			name: "near the limit, nothing to merge",
			list: entries(9, 2), p: Policy{MaxEntries: 10},
			want: []f{{LintNearLimit, -1, ""}},
			msgs: []string{"plan for the limit"},
		},
		{
			name: "exceptions outside everything allowed",
			list: "73.140.245.0/24,Tag", p: lintPolicy,
			r: Resolver{
				Tags:         fakeTags{"Tag": {mkPrefix("20.33.0.0/16")}},
				Egress:       Egress{OutboundIPs: []netip.Addr{mkAddr("52.170.10.20")}},
				Except:       []netip.Prefix{mkPrefix("73.140.245.128/25"), mkPrefix("73.140.246.0/24"), mkPrefix("20.32.0.0/15"), mkPrefix("52.170.10.20/32"), mkPrefix("52.170.10.21/32"), mkPrefix("2001:db8::/32")},
				NodePrefixes: []netip.Prefix{mkPrefix("73.140.245.0/24")},
			},
			want: []f{{LintUncovered, -1, "73.140.245.0/24"}, {LintIdleException, -1, "73.140.246.0/24"}, {LintIdleException, -1, "52.170.10.21/32"}, {LintIdleException, -1, "2001:db8::/32"}},
			msgs: []string{
				"missing: 73.140.245.128/25",
				`"73.140.246.0/24": exception 1 73.140.246.0/24 lies outside everything the list, its service tags and the egress allow, so it refuses nothing; remove it, or correct it to the range you mean to refuse`,
				"exception 4 52.170.10.21/32",
				"exception 5 2001:db8::/32",
			},
		},
		{
			name: "exceptions inside a disabled list",
			list: "", p: AKS,
			r: Resolver{Except: []netip.Prefix{mkPrefix("198.51.100.0/24"), mkPrefix("2001:db8::/32")}},
		},
		{
			name: "AKS limit counts the service tag",
			list: "AzureCloud," + entries(179, 2), p: AKS,
			r:    Resolver{Tags: fakeTags{"AzureCloud": nil}},
			want: []f{{LintNearLimit, -1, ""}},
			msgs: []string{"180 entries of the 200 allowed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fs := mustResolve(t, tt.r, mustParse(t, tt.list, tt.p))
			var got []f
			for _, x := range fs {
				got = append(got, f{x.Kind, x.Index, x.Entry})
				if x.Message == "" {
					t.Errorf("finding %+v has no message", x)
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("findings (-want +got):\n%s\n%v", d, fs)
			}
			for i, m := range tt.msgs {
				if i < len(fs) && !strings.Contains(fs[i].String(), m) {
					t.Errorf("finding %d = %q, want it to contain %q", i, fs[i], m)
				}
			}
		})
	}
}

// entries returns n global /32 entries; with step 0 they are
// consecutive (and merge into few prefixes), with step 2 they are not.
func entries(n, step int) string {
	var parts []string
	for i := range n {
		a := [4]byte{73, 140, byte(i / 128), byte(i % 128 * max(step, 1))}
		if step == 0 {
			a = [4]byte{73, 140, byte(i / 256), byte(i % 256)}
		}
		parts = append(parts, netip.AddrFrom4(a).String())
	}
	return strings.Join(parts, ",")
}

func TestFindingString(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{Kind: LintCovered, Index: 2, Entry: "1.2.3.0/24", Message: "covered"}, `entry 2 "1.2.3.0/24": covered`},
		{Finding{Kind: LintUncovered, Index: -1, Entry: "52.1.2.0/28", Message: "missing"}, `"52.1.2.0/28": missing`},
		{Finding{Kind: LintNearLimit, Index: -1, Message: "full"}, "full"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	for k := LintDuplicate; k <= LintIdleException; k++ {
		if s := k.String(); strings.HasPrefix(s, "LintKind(") {
			t.Errorf("LintKind %d has no name", int(k))
		}
	}
	if got, want := LintKind(0).String(), "LintKind(0)"; got != want {
		t.Errorf("LintKind(0).String() = %q, want %q", got, want)
	}
}
