package servicetag

import (
	"net/netip"
	"testing"

	"github.com/ipallow/ipallow/allowlist"
)

// TestMergedTagsInAList: a range list under allowlist.Providers names tags
// of four providers; it resolves against the merged samples, and Explain
// names the tag that holds an address of each.
func TestMergedTagsInAList(t *testing.T) {
	m, _ := mergedSamples(t)
	l, err := allowlist.Parse("Cloudflare,GitHub.hooks,AWS.CLOUDFRONT,GoogleCloud.us-central1,203.0.113.0/24", allowlist.Providers)
	if err != nil {
		t.Fatal(err)
	}
	r := allowlist.Resolver{Tags: m}
	set, err := r.Resolve(l)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Cloudflare": "Cloudflare", "GitHub.hooks": "GitHub.hooks", "AWS.CLOUDFRONT": "AWS.CLOUDFRONT", "GoogleCloud.us-central1": "GoogleCloud.us-central1",
	} {
		tag, err := m.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		a := tag.Prefixes[len(tag.Prefixes)/2].Addr()
		rule, ok := set.Explain(a)
		if !ok || rule.Source != allowlist.FromServiceTag || rule.Tag != want || !rule.Prefix.Contains(a) {
			t.Errorf("Explain(%v) = %v, %v; want service tag %s", a, rule, ok, want)
		}
	}
	if rule, ok := set.Explain(netip.MustParseAddr("203.0.113.9")); !ok || rule.Source != allowlist.FromEntry {
		t.Errorf("Explain(203.0.113.9) = %v, %v; want the entry", rule, ok)
	}
	if set.Contains(netip.MustParseAddr("20.20.20.20")) {
		t.Error("an Azure address is allowed, though the list names no Azure tag")
	}
	// A servicetag.Document and a Loader are allowlist.TagSources.
	var _ allowlist.TagSource = m
	var _ allowlist.TagSource = (*Loader)(nil)
}
