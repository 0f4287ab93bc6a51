package allowlist

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// providerNames are tag names in the shape of other providers' feeds.
var providerNames = []string{
	"AWS.EC2.us-east-1", "AWS.ROUTE53_HEALTHCHECKS.us-west-2", "AWS.EC2.ap-southeast-1-sggov-sin-1a", "AWS.S3.GLOBAL",
	"GitHub.actions_macos", "GitHub.hooks", "GitHub.github_enterprise_importer", "GoogleCloud.us-central1",
	"GoogleCloud.europe-west10", "Oracle.OBJECT_STORAGE", "Oracle.us-ashburn-1.OCI", "Cloudflare", "AWS.2fa",
}

// TestParseProviderTags: ProviderTags (and Providers) accepts the tag
// names of other providers; AKS keeps the az CLI's grammar.
func TestParseProviderTags(t *testing.T) {
	providers2 := Policy{MaxServiceTags: 2, ProviderTags: true}
	runParseTests(t, []parseTest{
		{name: "issue example", in: "Cloudflare,GitHub.hooks,203.0.113.0/24", policy: providers2,
			want: List{Mode: Restricted, Prefixes: pfx("203.0.113.0/24"), ServiceTags: []string{"Cloudflare", "GitHub.hooks"}}},
		{name: "issue example, Providers", in: "Cloudflare,GitHub.hooks,203.0.113.0/24", policy: Providers,
			want: List{Mode: Restricted, Prefixes: pfx("203.0.113.0/24"), ServiceTags: []string{"Cloudflare", "GitHub.hooks"}}},
		{name: "limit still applies", in: "Cloudflare,GitHub.hooks,AWS.EC2.us-east-1", policy: providers2,
			errs: bad(2, "AWS.EC2.us-east-1", "TooManyServiceTags", `at most 2 service tags (the first is entry 0 "Cloudflare")`)},
		{name: "AKS refuses them", in: "GitHub.actions_macos", policy: AKS,
			errs: bad(0, "GitHub.actions_macos", "Malformed", "a policy with ProviderTags accepts such names")},
		{name: "Azure names still tags", in: "AzureFrontDoor.Backend, Storage.EastUS", policy: Providers,
			want: List{Mode: Restricted, ServiceTags: []string{"AzureFrontDoor.Backend", "Storage.EastUS"}}},
	})
	for _, name := range providerNames {
		l, err := Parse(name, Providers)
		if err != nil || !cmp.Equal(l.ServiceTags, []string{name}) || l.String() != name {
			t.Errorf("Parse(%q, Providers) = %v, %v", name, l, err)
		}
		if !isTagName(name) { // Cloudflare and GitHub.hooks have Azure's shape too
			if _, err := Parse(name, AKS); !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%q, AKS) = %v, want ErrMalformed", name, err)
			}
		}
	}
	for _, name := range []string{
		"aws.EC2", "AWS..EC2", "AWS.", ".AWS", "AWS.-east", "AWS._x", "AWS.EC2/24", "AWS EC2", "AWS.EC2:443", "1AWS",
		"AWS-EC2", "AWS_EC2", "AWS.EC2.", "GitHub.hooks,", "AWS.EC2\u00e9", "A" + strings.Repeat(".b", 50),
	} {
		if isProviderTagName(name) {
			t.Errorf("isProviderTagName(%q) = true", name)
		}
	}
}

// TestAzureTagNamesAreProviderNames: the wider grammar holds every
// Azure name, so a policy that switches ProviderTags on loses no tag.
func TestAzureTagNamesAreProviderNames(t *testing.T) {
	for _, name := range append(realTagNames, "A", "A.b") {
		if !isProviderTagName(name) {
			t.Errorf("isProviderTagName(%q) = false", name)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.StringMatching(`[A-Z][A-Za-z0-9]{0,20}(\.[A-Za-z][A-Za-z0-9]{0,20})?`).Draw(t, "name")
		if isTagName(name) != isProviderTagName(name) || !isTagName(name) {
			t.Fatalf("%q: isTagName %v, isProviderTagName %v", name, isTagName(name), isProviderTagName(name))
		}
	})
}

// TestNoAddressIsAProviderTag: no address or prefix text has the shape
// of a tag name in either grammar.
func TestNoAddressIsAProviderTag(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var text string
		if rapid.Bool().Draw(t, "v6") {
			text = drawPrefix6(t, "").String()
		} else {
			text = drawPrefix4(t, "").String()
		}
		if !rapid.Bool().Draw(t, "bits") {
			text, _, _ = strings.Cut(text, "/")
		}
		if isProviderTagName(text) || isTagName(text) {
			t.Fatalf("%q is a tag name", text)
		}
	})
}

// TestKnownTagBases: the bases that messages respell are Microsoft's,
// as published in the Public download the table was taken from.
func TestKnownTagBases(t *testing.T) {
	f, err := os.Open("testdata/ServiceTags_Public_20251020.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Values []struct{ Name string } }
	if err := json.NewDecoder(z).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	for _, v := range doc.Values {
		base, _, _ := strings.Cut(v.Name, ".")
		published[base] = true
	}
	others := map[string]bool{"AWS": true, "Cloudflare": true, "GitHub": true, "Google": true, "GoogleCloud": true, "Oracle": true} // servicetag's other feeds
	seen := map[string]bool{}
	for _, b := range knownTagBases {
		if !published[b] && !others[b] {
			t.Errorf("known base %q is not published", b)
		}
		if seen[foldTagBase(b)] {
			t.Errorf("known base %q twice", b)
		}
		seen[foldTagBase(b)] = true
	}
	for b := range published {
		if !seen[foldTagBase(b)] {
			t.Errorf("published base %q is not known", b)
		}
	}
	for in, want := range map[string]string{"azurecloud": "AzureCloud", "AZURE_CLOUD.westeurope": "AzureCloud.westeurope",
		"github.hooks": "GitHub.hooks", "sql": "Sql"} {
		if got, ok := respellTag(in); !ok || got != want {
			t.Errorf("respellTag(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	if got, ok := respellTag("AzureCloud"); ok {
		t.Errorf("respellTag(AzureCloud) = %q", got)
	}
}
