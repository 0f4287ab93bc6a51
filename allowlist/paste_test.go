package allowlist

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestParseAllProblemsOfAnEntry: an entry that breaks several rules gets
// one EntryError for each, and a fix is offered only where the policy
// accepts it.
func TestParseAllProblemsOfAnEntry(t *testing.T) {
	runParseTests(t, []parseTest{
		{name: "host bits in documentation space", in: "203.0.113.77/24", policy: AKS, errs: []problem{
			{0, "203.0.113.77/24", "NonCanonical", "the range starts at 203.0.113.0/24, but this policy refuses it because it lies inside " +
				"203.0.113.0/24, documentation space TEST-NET-3 (RFC 5737), which is not globally reachable, and refuses the single address " +
				"203.0.113.77/32 too; remove the entry or write the range you meant"},
			{0, "203.0.113.77/24", "NotGlobal", "lies inside 203.0.113.0/24, documentation space TEST-NET-3 (RFC 5737)"},
		}},
		{name: "host bits: only the single address is global", in: "192.0.0.9/24", policy: AKS, errs: []problem{
			{0, "192.0.0.9/24", "NonCanonical", "the range starts at 192.0.0.0/24, which this policy refuses because it lies inside " +
				"192.0.0.0/24, IETF protocol assignments (RFC 6890), which is not globally reachable; write 192.0.0.9/32 for the single address"},
			{0, "192.0.0.9/24", "NotGlobal", "192.0.0.0/24"},
		}},
		{name: "host bits: only the range is global", in: "10.1.0.0/7", policy: AKS,
			errs: bad(0, "10.1.0.0/7", "NonCanonical", "host bits are set; the range starts at 10.0.0.0/7; write 10.0.0.0/7")},
		{name: "host bits in IPv6 documentation space", in: "2001:db8::1/64", policy: AKS, errs: []problem{
			{0, "2001:db8::1/64", "NonCanonical", "refuses it because it is IPv6, and refuses the single address 2001:db8::1/128 too"},
			{0, "2001:db8::1/64", "IPv6", "accepts only IPv4"},
			{0, "2001:db8::1/64", "NotGlobal", "2001:db8::/32"},
		}},
		{name: "host bits in global IPv6", in: "2603:1000::1/25", policy: AKS, errs: []problem{
			{0, "2603:1000::1/25", "NonCanonical", "because it is IPv6"},
			{0, "2603:1000::1/25", "IPv6", "remove it"},
		}},
		{name: "host bits, general policy", in: "203.0.113.77/24", policy: general,
			errs: bad(0, "203.0.113.77/24", "NonCanonical", "write 203.0.113.0/24 (or 203.0.113.77/32 for the single address)")},
		{name: "mapped private", in: "::ffff:10.0.0.1", policy: AKS, errs: bad(0, "::ffff:10.0.0.1", "Malformed",
			"its IPv4 form 10.0.0.1/32 is refused too, because it lies inside 10.0.0.0/8, private-use space (RFC 1918), which is not globally reachable: remove the entry")},
		{name: "compatible under IPv4 only", in: "::73.140.245.7", policy: AKS, errs: bad(0, "::73.140.245.7", "Malformed",
			"write 73.140.245.7/32 if you meant it")},
		{name: "compatible private under RequireGlobal", in: "::10.0.0.1", policy: Policy{RequireGlobal: true}, errs: bad(0, "::10.0.0.1", "Malformed",
			"10.0.0.1/32 is refused too, because it lies inside 10.0.0.0/8")},
		{name: "netmask with host bits", in: "73.140.245.1/255.255.255.0", policy: AKS, errs: bad(0, "73.140.245.1/255.255.255.0", "Malformed",
			`netmask instead of a prefix length; "73.140.245.1/24" would be refused too: host bits are set; the range starts at 73.140.245.0/24; write 73.140.245.0/24`)},
		{name: "leading zero in private space", in: "10.0.0.0/08", policy: AKS, errs: bad(0, "10.0.0.0/08", "Malformed",
			`write /8, but "10.0.0.0/8" would be refused too: lies inside 10.0.0.0/8`)},
		{name: "port of a private address", in: "10.0.0.1:443", policy: AKS, errs: bad(0, "10.0.0.1:443", "Malformed",
			`remove the port, but "10.0.0.1" would be refused too`)},
	})

	// errors.Is finds every kind of a multi-problem entry.
	_, err := Parse("2001:db8::1/64", AKS)
	for _, kind := range []error{ErrNonCanonical, ErrIPv6, ErrNotGlobal} {
		if !errors.Is(err, kind) {
			t.Errorf("errors.Is(err, %v) = false", kind)
		}
	}
}

// TestParsePasteMistakes: each pasting mistake has a message of its own
// and a fix that the policy accepts.
func TestParsePasteMistakes(t *testing.T) {
	// m expects the one element in to be malformed.
	m := func(in string, p Policy, substr string) parseTest {
		entry, _ := (&parser{p: p}).trim(in)
		return parseTest{name: in, in: in, policy: p, errs: bad(0, cut(entry, maxKeptEntry), "Malformed", substr)}
	}
	tests := []parseTest{
		// Quotes.
		m(`"73.140.245.0/24"`, AKS, "is in double quotes; remove them and write 73.140.245.0/24"),
		m(`'73.140.245.0/24'`, AKS, "is in single quotes; remove them and write 73.140.245.0/24"),
		m("\u201c73.140.245.0/24\u201d", AKS, "is in typographic quotes; remove them and write 73.140.245.0/24"),
		{name: "the whole list quoted", in: `"73.140.245.0/24,193.168.1.0/24"`, policy: AKS, errs: []problem{
			{0, `"73.140.245.0/24`, "Malformed", "starts with a double quote that does not end it (were quotes around the whole list kept?); remove it and write 73.140.245.0/24"},
			{1, `193.168.1.0/24"`, "Malformed", "ends with a double quote that does not start it (were quotes around the whole list kept?); remove it and write 193.168.1.0/24"},
		}},
		m(`""`, AKS, "is a pair of empty quotes, not the empty value; to disable the allowlist leave the value empty"),
		m(`"10.0.0.1"`, AKS, `remove them, but "10.0.0.1" would be refused too: lies inside 10.0.0.0/8`),

		// A JSON array from az aks show.
		{name: "JSON array", in: `["73.140.245.0/24", "193.168.1.0/24"]`, policy: AKS, errs: []problem{
			{0, `["73.140.245.0/24"`, "Malformed", "is part of a JSON array (as az aks show prints the ranges), but entries are separated by commas alone; " +
				"remove the brackets and quotes and write 73.140.245.0/24"},
			{1, `"193.168.1.0/24"]`, "Malformed", "remove the brackets and quotes and write 193.168.1.0/24"},
		}},
		{name: "JSON array over lines", in: "[\n  \"73.140.245.0/24\",\n  \"193.168.1.0/24\"\n]", policy: AKS, errs: []problem{
			{0, "[\n  \"73.140.245.0/24\"", "Malformed", "JSON array"},
			{1, "\"193.168.1.0/24\"\n]", "Malformed", "write 193.168.1.0/24"},
		}},
		m(`[]`, AKS, "is an empty JSON array (az aks show prints [] for a list with no ranges), not the empty value"),
		m(`["AzureCloud"]`, AKS, "write AzureCloud"),

		// Separators other than commas.
		m("73.140.245.0/24;193.168.1.0/24", AKS, "holds 2 entries separated by semicolons; separate entries with commas: write 73.140.245.0/24,193.168.1.0/24"),
		m("73.140.245.0/24\t193.168.1.0/24", AKS, "separated by tabs"),
		m("73.140.245.0/24\n193.168.1.0/24", general, "separated by line breaks"),
		m("73.140.245.0/24 193.168.1.0/24", general, "separated by spaces"),
		m("73.140.245.0/24;", AKS, "has a stray semicolon; remove it and write 73.140.245.0/24"),
		m("0.0.0.0/32;73.140.245.0/24", AKS, "but 0.0.0.0/32 must be the only entry"),
		m("AzureCloud;Storage", AKS, "but this policy allows at most 1 service tag"),
		m("1.1.1.1;2.2.2.2;3.3.3.3", Policy{MaxEntries: 2}, "but this policy allows at most 2 entries"),
		m("73.140.245.0/ 24", AKS, "has a space inside; write 73.140.245.0/24"),
		{name: "long list on lines", in: strings.Repeat("73.140.245.0/24\n", 10), policy: AKS, errs: bad(0, strings.Repeat("73.140.245.0/24\n", 10)[:maxKeptEntry],
			"Malformed", "is 159 bytes long; no address, prefix or service-tag name is longer than 100 bytes; it seems to hold entries separated by line breaks: separate entries with commas")},

		// Variables left unexpanded.
		m("$CURRENT_IP/24", AKS, "holds $CURRENT_IP, a shell variable that was not expanded"),
		m("${CURRENT_IP}", AKS, "holds ${CURRENT_IP}, a shell variable"),
		m("$env:CURRENT_IP", AKS, "holds $env:CURRENT_IP, a shell variable"),
		m("$(curl -s ifconfig.me)/32", AKS, `holds "$(curl -s ifconfig.me)", a shell command substitution that was not run`),
		m("%CURRENT_IP%", AKS, "holds %CURRENT_IP%, a cmd.exe variable that was not expanded"),
		m(`"$CURRENT_IP/24"`, AKS, "shell variable"),

		// Tag names in another case or grammar.
		m("azurecloud", AKS, "looks like the service tag AzureCloud spelt another way; tag names start with a capital letter and are best written as published: write AzureCloud"),
		m("azure-cloud.westeurope", Policy{MaxServiceTags: 1, ProviderTags: true}, "write AzureCloud.westeurope"),
		m("storage.EastUS", AKS, "write Storage.EastUS"),
		m("Azure_Cloud", AKS, "write AzureCloud"),
		m("azurecloud", general, `"AzureCloud" would be refused too: looks like a service-tag name, but this policy allows no service tags`),
		m("github.hooks", Providers, "write GitHub.hooks"),
		m("AWS.EC2.us-east-1", AKS, "looks like a service-tag name of another provider"),
		m("azurecloudx", AKS, "tag names start with a capital letter, hold only ASCII letters and digits and at most one dot"),
		m("AzureCloud/24", AKS, "is a service-tag name with a prefix length, which tags do not take; write AzureCloud"),

		// Characters from documents.
		m("\u00a073.140.245.0/24", general, "U+00A0 (no-break space), an invisible character; remove it and write 73.140.245.0/24"),
		m("\uff17\uff13.140.245.0/24", AKS, "write the entry in plain ASCII: 73.140.245.0/24"),
		m("73\u3002140\u3002245\u30020/24", AKS, "write the entry in plain ASCII: 73.140.245.0/24"),
		m("[73.140.245.7]", AKS, "has brackets; remove them and write 73.140.245.7"),
		m("[2603:1000::1]:443", general, "has brackets and a port; remove them and write 2603:1000::1"),
	}
	runParseTests(t, tests)
	for _, tt := range tests {
		_, err := Parse(tt.in, tt.policy)
		checkFixes(t, err, tt.policy)
		if len(fixesIn(err.Error())) == 0 && strings.Contains(err.Error(), "write ") && !strings.Contains(err.Error(), "stands for") &&
			!strings.Contains(err.Error(), "would print") && !strings.Contains(err.Error(), "write the") {
			t.Errorf("%q: no fix recognised in %q", tt.in, err)
		}
	}
}

// TestPropertyFixesAreAccepted: every fix that a message offers for a
// mangled entry (host bits, quotes, netmasks, ports, separators, mapped
// IPv6, leading zeros) is accepted by the policy.
func TestPropertyFixesAreAccepted(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := rapid.SampledFrom(fuzzPolicies).Draw(t, "policy")
		a := netip.AddrFrom4([4]byte(rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, "addr")))
		bits := rapid.IntRange(0, 32).Draw(t, "bits")
		text := netip.PrefixFrom(a, bits).String()
		mask := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if bits > 0 {
			m := ^uint32(0) << (32 - bits)
			mask = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}), 32)
		}
		mangled := rapid.SampledFrom([]string{
			text, `"` + text + `"`, "'" + text, `["` + text + `"]`, text + ";" + a.String(), a.String() + " " + text,
			a.String() + "/" + mask.Addr().String(), a.String() + ":443", "::ffff:" + a.String(), "::" + a.String(),
			a.String() + "/0" + fmt.Sprint(bits), text + "\n", "\u00a0" + text, "[" + a.String() + "]",
			strings.ReplaceAll(text, ".", "\u3002"), "0" + text,
		}).Draw(t, "mangled")
		_, err := Parse(mangled, p)
		checkFixes(t, err, p)
	})
}
