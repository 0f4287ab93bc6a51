package servicetag

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// feedFiles are the stored feed samples with the SHA-256 of the stored
// bytes and, for compressed files, of the decompressed ones, as
// testdata/SOURCES.md lists them.
var feedFiles = []struct {
	name      string
	feed      Feed
	sha, raw  string
	tags      int // tags the decoder makes (counted from the raw JSON by the reference below)
	ipv4, ip6 int // distinct prefixes per family, as SOURCES.md says
}{
	{"aws_ip-ranges.json.gz", AWS, "0642618bc76fe756acec529a21bf8078f67f8df24ed769a424a8fbe95e4fc0d7", "ea92f06926bfd98822b22cc59824eea4b9cc6ec43ddfe8af1a8934c00ccccaee", 612, 6850, 2216},
	{"google_cloud.json", GoogleCloud, "f0acee2bc9d1de938a27ceab8c86e6ea2ab603195849e2f3fa99d64c829dd30f", "", 47, 736, 46},
	{"google_goog.json", Google, "b88a470f5a36f07bdcbe9b594778f21f5c3b5f61bff742b0bea9b41aff3e7ade", "", 1, 73, 11},
	{"github_meta.json", GitHub, "98c62e02f906fb6bf31354ea8e29cda9013601d95a7dac3a241a603a9b1c3c11", "", 13, -1, -1},
	{"cloudflare_ips-v4.txt", Cloudflare, "f02c6d83bc01ab0ae8577160e036d700c7455359bce054df884e5d7d9e4e9e7b", "", 1, 15, 0},
	{"cloudflare_ips-v6.txt", Cloudflare, "9e9d39e3e83bad00c4decafd53c63fa62029f3d95db68de937d2be28234ca0a9", "", 1, 0, 7},
	{"oracle_public_ip_ranges.json", Oracle, "3ac8301e2386b8df3d9439d7c86d477e35572c9a3c3b143d62b6b00f5a886fb4", "", 133, 896, 0},
}

func TestFeedFilesChecksums(t *testing.T) {
	for _, ff := range feedFiles {
		stored, err := os.ReadFile(filepath.Join("testdata", ff.name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256hex(stored); got != ff.sha {
			t.Errorf("%s: SHA-256 %s, SOURCES.md says %s", ff.name, got, ff.sha)
		}
		if ff.raw != "" {
			if got := sha256hex(rawTestdata(t, ff.name)); got != ff.raw {
				t.Errorf("%s decompressed: SHA-256 %s, SOURCES.md says %s", ff.name, got, ff.raw)
			}
		}
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var (
	feedDocMu    sync.Mutex
	feedDocCache = map[string]*Document{}
)

// loadFeed decodes a stored feed file once per test binary.
func loadFeed(tb testing.TB, name string, f Feed) *Document {
	tb.Helper()
	raw := rawTestdata(tb, name)
	feedDocMu.Lock()
	defer feedDocMu.Unlock()
	if d, ok := feedDocCache[name]; ok {
		return d
	}
	d, err := DecodeFeedBytes(raw, f)
	if err != nil {
		tb.Fatalf("decoding %s: %v", name, err)
	}
	feedDocCache[name] = d
	return d
}

// refTags computes, with encoding/json and netip and independently of
// the decoder, the tags that a feed file defines: name → prefixes, each
// once, in order of first appearance.
func refTags(t *testing.T, f Feed, raw []byte) (names []string, tags map[string][]netip.Prefix) {
	t.Helper()
	tags = map[string][]netip.Prefix{}
	add := func(name string, s string) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			t.Fatalf("reference: %s: %v", name, err)
		}
		if _, ok := tags[name]; !ok {
			names = append(names, name)
			tags[name] = nil
		}
		if !slices.Contains(tags[name], p) {
			tags[name] = append(tags[name], p)
		}
	}
	must := func(err error) {
		if err != nil {
			t.Fatalf("reference: %v", err)
		}
	}
	switch f {
	case AWS:
		var doc struct {
			Prefixes []struct {
				IPPrefix string `json:"ip_prefix"`
				Region   string `json:"region"`
				Service  string `json:"service"`
			} `json:"prefixes"`
			IPv6Prefixes []struct {
				IPv6Prefix string `json:"ipv6_prefix"`
				Region     string `json:"region"`
				Service    string `json:"service"`
			} `json:"ipv6_prefixes"`
		}
		must(json.Unmarshal(raw, &doc))
		type row struct{ p, region, service string }
		var rows []row
		for _, r := range doc.Prefixes {
			rows = append(rows, row{r.IPPrefix, r.Region, r.Service})
		}
		for _, r := range doc.IPv6Prefixes {
			rows = append(rows, row{r.IPv6Prefix, r.Region, r.Service})
		}
		names = append(names, "AWS")
		tags["AWS"] = nil
		for _, r := range rows {
			add("AWS", r.p)
			add("AWS."+r.service, r.p)
			add("AWS."+r.service+"."+r.region, r.p)
		}
	case GoogleCloud, Google:
		var doc struct {
			Prefixes []struct {
				IPv4  string `json:"ipv4Prefix"`
				IPv6  string `json:"ipv6Prefix"`
				Scope string `json:"scope"`
			} `json:"prefixes"`
		}
		must(json.Unmarshal(raw, &doc))
		for _, r := range doc.Prefixes {
			add(umbrellaTags[f], r.IPv4+r.IPv6)
			if f == GoogleCloud {
				add("GoogleCloud."+r.Scope, r.IPv4+r.IPv6)
			}
		}
	case GitHub:
		// Key order matters for the names; read it with a json.Decoder.
		dec := json.NewDecoder(bytes.NewReader(raw))
		_, err := dec.Token()
		must(err)
		for dec.More() {
			key, err := dec.Token()
			must(err)
			var v any
			must(dec.Decode(&v))
			list, ok := v.([]any)
			if !ok {
				continue
			}
			cidrs := 0
			for _, e := range list {
				if s, ok := e.(string); ok {
					if _, err := netip.ParsePrefix(s); err == nil {
						cidrs++
					}
				}
			}
			if cidrs != len(list) {
				continue
			}
			name := "GitHub." + key.(string)
			names = append(names, name)
			tags[name] = nil
			for _, e := range list {
				add(name, e.(string))
			}
		}
	case Cloudflare:
		for _, line := range strings.Split(string(raw), "\n") {
			add("Cloudflare", line)
		}
	case Oracle:
		var doc struct {
			Regions []struct {
				Region string `json:"region"`
				Cidrs  []struct {
					Cidr string   `json:"cidr"`
					Tags []string `json:"tags"`
				} `json:"cidrs"`
			} `json:"regions"`
		}
		must(json.Unmarshal(raw, &doc))
		names = append(names, "Oracle")
		tags["Oracle"] = nil
		for _, r := range doc.Regions {
			for _, c := range r.Cidrs {
				add("Oracle", c.Cidr)
			}
			for _, c := range r.Cidrs {
				for _, tag := range c.Tags {
					add("Oracle."+tag, c.Cidr)
					add("Oracle."+tag+"."+r.Region, c.Cidr)
				}
			}
		}
	}
	return names, tags
}

// TestFeedFilesAgainstReference decodes every sample and compares every
// tag, names and prefixes in order, with the reference; it also checks
// the counts that SOURCES.md gives.
func TestFeedFilesAgainstReference(t *testing.T) {
	for _, ff := range feedFiles {
		t.Run(ff.name, func(t *testing.T) {
			raw := rawTestdata(t, ff.name)
			doc := loadFeed(t, ff.name, ff.feed)
			if doc.Feed != ff.feed {
				t.Errorf("Feed = %v", doc.Feed)
			}
			names, ref := refTags(t, ff.feed, raw)
			if len(doc.Tags) != ff.tags || len(names) != ff.tags {
				t.Errorf("%d tags, reference %d, want %d", len(doc.Tags), len(names), ff.tags)
			}
			var got []string
			for _, tag := range doc.Tags {
				got = append(got, tag.Name)
				if diff := cmp.Diff(ref[tag.Name], tag.Prefixes, cmpPrefix); diff != "" {
					t.Errorf("tag %s (-reference +decoded):\n%s", tag.Name, diff)
				}
				if found, err := doc.Lookup(strings.ToUpper(tag.Name)); err != nil || found.Name != tag.Name {
					t.Errorf("Lookup(%q) = %q, %v", strings.ToUpper(tag.Name), found.Name, err)
				}
			}
			if diff := cmp.Diff(names, got); diff != "" {
				t.Errorf("tag names (-reference +decoded):\n%s", diff)
			}
			v4, v6 := 0, 0
			distinct := map[netip.Prefix]bool{}
			for _, tag := range doc.Tags {
				for _, p := range tag.Prefixes {
					if !distinct[p] {
						distinct[p] = true
						if p.Addr().Is4() {
							v4++
						} else {
							v6++
						}
					}
				}
			}
			if ff.ipv4 >= 0 && (v4 != ff.ipv4 || v6 != ff.ip6) {
				t.Errorf("distinct prefixes %d IPv4, %d IPv6; SOURCES.md says %d, %d", v4, v6, ff.ipv4, ff.ip6)
			}
		})
	}
}

// TestFeedFilesFacts checks what SOURCES.md says of each file beyond the
// counts: version fields, GitHub's and Oracle's list sizes, regions.
func TestFeedFilesFacts(t *testing.T) {
	aws := loadFeed(t, "aws_ip-ranges.json.gz", AWS)
	if aws.SyncToken != "1753388594" || !aws.Created.Equal(time.Date(2025, 7, 24, 20, 23, 14, 0, time.UTC)) {
		t.Errorf("AWS version %q %v", aws.SyncToken, aws.Created)
	}
	services := 0
	for _, tag := range aws.Tags {
		if strings.Count(tag.Name, ".") == 1 {
			services++
			if tag.Region != "" || tag.SystemService != strings.TrimPrefix(tag.Name, "AWS.") {
				t.Errorf("%s: region %q service %q", tag.Name, tag.Region, tag.SystemService)
			}
		}
	}
	if services != 25 {
		t.Errorf("%d AWS services, SOURCES.md says 25", services)
	}
	ec2, err := aws.Lookup("aws.ec2.US-EAST-1")
	if err != nil || ec2.Name != "AWS.EC2.us-east-1" || ec2.Region != "us-east-1" || ec2.SystemService != "EC2" || !ec2.IsRegional() {
		t.Errorf("Lookup(aws.ec2.US-EAST-1) = %+v, %v", ec2.Name, err)
	}
	if cf, err := aws.Lookup("AWS.CLOUDFRONT.GLOBAL"); err != nil || cf.Region != "GLOBAL" {
		t.Errorf("AWS.CLOUDFRONT.GLOBAL: %v %v", cf.Region, err)
	}

	gc := loadFeed(t, "google_cloud.json", GoogleCloud)
	if gc.SyncToken != "1753409788780" || !gc.Created.Equal(time.Date(2025, 7, 24, 19, 16, 28, 780563000, time.UTC)) {
		t.Errorf("GoogleCloud version %q %v", gc.SyncToken, gc.Created)
	}
	if tag, err := gc.Lookup("GoogleCloud.us-central1"); err != nil || tag.Region != "us-central1" {
		t.Errorf("GoogleCloud.us-central1: %+v %v", tag, err)
	}
	g := loadFeed(t, "google_goog.json", Google)
	if g.SyncToken != "1714053903689" || len(g.Tags[0].Prefixes) != 84 {
		t.Errorf("Google: %q, %d prefixes", g.SyncToken, len(g.Tags[0].Prefixes))
	}

	gh := loadFeed(t, "github_meta.json", GitHub)
	want := map[string]int{"hooks": 6, "web": 21, "api": 21, "git": 36, "github_enterprise_importer": 8, "packages": 24, "pages": 10,
		"importer": 5, "actions": 5314, "actions_macos": 311, "codespaces": 185, "dependabot": 3, "copilot": 15}
	got := map[string]int{}
	for _, tag := range gh.Tags {
		got[strings.TrimPrefix(tag.Name, "GitHub.")] = len(tag.Prefixes)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GitHub lists (-SOURCES.md +decoded):\n%s", diff)
	}
	actions, _ := gh.Lookup("github.ACTIONS")
	v4 := 0
	for _, p := range actions.Prefixes {
		if p.Addr().Is4() {
			v4++
		}
	}
	if v4 != 4340 || len(actions.Prefixes)-v4 != 974 {
		t.Errorf("GitHub.actions: %d IPv4, %d IPv6; SOURCES.md says 4340, 974", v4, len(actions.Prefixes)-v4)
	}

	or := loadFeed(t, "oracle_public_ip_ranges.json", Oracle)
	if !or.Created.Equal(time.Date(2025, 7, 21, 7, 13, 25, 457838000, time.UTC)) {
		t.Errorf("Oracle Created %v", or.Created)
	}
	regions := map[string]bool{}
	for _, tag := range or.Tags {
		if tag.Region != "" {
			regions[tag.Region] = true
		}
	}
	counts := map[string]int{}
	for _, name := range []string{"Oracle.OCI", "Oracle.OSN", "Oracle.OBJECT_STORAGE"} {
		tag, err := or.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		counts[name] = len(tag.Prefixes)
	}
	if len(regions) != 45 || !cmp.Equal(counts, map[string]int{"Oracle.OCI": 500, "Oracle.OSN": 396, "Oracle.OBJECT_STORAGE": 48}) {
		t.Errorf("Oracle: %d regions, %v; SOURCES.md says 45, OCI 500 / OSN 396 / OBJECT_STORAGE 48", len(regions), counts)
	}
	if tag, err := or.Lookup("oracle.oci.us-ashburn-1"); err != nil || tag.Region != "us-ashburn-1" || tag.SystemService != "OCI" {
		t.Errorf("Oracle.OCI.us-ashburn-1: %+v %v", tag.Name, err)
	}
}

// TestDetectFeedRealFiles: every stored sample is told apart from the
// others, compressed or not.
func TestDetectFeedRealFiles(t *testing.T) {
	files := append([]struct {
		name string
		feed Feed
	}{{"ServiceTags_Public_20251020.json.gz", Azure}, {"ServiceTags_China_20260622.json", Azure}}, nil...)
	for _, ff := range feedFiles {
		files = append(files, struct {
			name string
			feed Feed
		}{ff.name, ff.feed})
	}
	for _, f := range files {
		stored, err := os.ReadFile(filepath.Join("testdata", f.name))
		if err != nil {
			t.Fatal(err)
		}
		forms := [][]byte{stored}
		if !strings.HasSuffix(f.name, ".gz") {
			forms = append(forms, gzipBytes(stored))
		} else {
			forms = append(forms, rawTestdata(t, f.name))
		}
		for _, data := range forms {
			if got, err := DetectFeed(data); err != nil || got != f.feed {
				t.Errorf("DetectFeed(%s) = %v, %v; want %v", f.name, got, err, f.feed)
			}
		}
	}
}

// cloudflareBoth decodes the two stored Cloudflare lists into one document.
func cloudflareBoth(t *testing.T) *Document {
	t.Helper()
	doc, err := DecodeCloudflareText(bytes.NewReader(rawTestdata(t, "cloudflare_ips-v4.txt")), bytes.NewReader(rawTestdata(t, "cloudflare_ips-v6.txt")))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDecodeCloudflareTextRealFiles(t *testing.T) {
	doc := cloudflareBoth(t)
	want := append(slices.Clone(loadFeed(t, "cloudflare_ips-v4.txt", Cloudflare).Tags[0].Prefixes), loadFeed(t, "cloudflare_ips-v6.txt", Cloudflare).Tags[0].Prefixes...)
	if len(doc.Tags) != 1 || doc.Tags[0].Name != "Cloudflare" || doc.Feed != Cloudflare {
		t.Fatalf("tags %+v", doc.Tags)
	}
	if diff := cmp.Diff(want, doc.Tags[0].Prefixes, cmpPrefix); diff != "" || len(want) != 22 {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Swapped arguments fail on the first line.
	_, err := DecodeCloudflareText(bytes.NewReader(rawTestdata(t, "cloudflare_ips-v6.txt")), bytes.NewReader(rawTestdata(t, "cloudflare_ips-v4.txt")))
	if !errors.Is(err, ErrWrongFamily) || !strings.Contains(err.Error(), "ips-v4 line 1") {
		t.Errorf("swapped lists: %v", err)
	}
	// io.MultiReader would join the last v4 line with the first v6 one.
	_, err = DecodeFeed(bytes.NewReader(append(slices.Clone(rawTestdata(t, "cloudflare_ips-v4.txt")), rawTestdata(t, "cloudflare_ips-v6.txt")...)), Cloudflare)
	if err == nil {
		t.Error("concatenation without a newline decoded")
	}
}

// TestFeedHashAndDiff: Hash follows the content of feed documents, not
// their version fields, and Diff reports a row removed from AWS in the
// three tags it was in.
func TestFeedHashAndDiff(t *testing.T) {
	raw := rawTestdata(t, "aws_ip-ranges.json.gz")
	base := loadFeed(t, "aws_ip-ranges.json.gz", AWS)
	resynced, err := DecodeFeedBytes(bytes.Replace(raw, []byte(`"syncToken": "1753388594"`), []byte(`"syncToken": "1753388595"`), 1), AWS)
	if err != nil {
		t.Fatal(err)
	}
	if resynced.SyncToken == base.SyncToken || resynced.Hash() != base.Hash() {
		t.Error("a new syncToken alone changed the Hash")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	if c, err := DecodeFeedBytes(gzipBytes(compact.Bytes()), AWS); err != nil || c.Hash() != base.Hash() {
		t.Errorf("formatting or compression changed the Hash (%v)", err)
	}
	// 3.4.12.4/32 is listed once, as AMAZON in eu-west-1.
	row := []byte(`{
      "ip_prefix": "3.4.12.4/32",
      "region": "eu-west-1",
      "service": "AMAZON",
      "network_border_group": "eu-west-1"
    },`)
	if bytes.Count(raw, []byte(`"3.4.12.4/32"`)) != 1 || !bytes.Contains(raw, row) {
		t.Fatal("test row not found")
	}
	cut, err := DecodeFeedBytes(bytes.Replace(raw, row, nil, 1), AWS)
	if err != nil {
		t.Fatal(err)
	}
	if cut.Hash() == base.Hash() {
		t.Error("removing a row did not change the Hash")
	}
	d := Diff(base, cut)
	var changed []string
	for _, c := range d.Changed {
		changed = append(changed, c.Name)
		if len(c.Gained) != 0 || !slices.Equal(c.Lost, prefixes("3.4.12.4/32")) {
			t.Errorf("%s: gained %v lost %v", c.Name, c.Gained, c.Lost)
		}
	}
	if diff := cmp.Diff([]string{"AWS", "AWS.AMAZON", "AWS.AMAZON.eu-west-1"}, changed); diff != "" || len(d.Gained)+len(d.Lost) != 0 {
		t.Errorf("changed (-want +got):\n%s; gained %v lost %v", diff, d.Gained, d.Lost)
	}
	// The feed is part of the hash: equal tags from different feeds differ.
	a := &Document{Feed: GitHub, Tags: []Tag{{Name: "X", Prefixes: prefixes("10.0.0.0/8")}}}
	b := &Document{Feed: Cloudflare, Tags: []Tag{{Name: "X", Prefixes: prefixes("10.0.0.0/8")}}}
	c := &Document{Tags: []Tag{{Name: "X", Prefixes: prefixes("10.0.0.0/8")}}}
	if a.Hash() == b.Hash() || a.Hash() == c.Hash() {
		t.Error("Hash ignores the Feed")
	}
}
