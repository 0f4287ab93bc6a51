package servicetag

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// mergedSamples merges the Azure Public download with every feed sample.
func mergedSamples(t *testing.T) (*Document, []*Document) {
	t.Helper()
	docs := []*Document{
		loadTestdata(t, "ServiceTags_Public_20251020.json.gz"),
		loadFeed(t, "aws_ip-ranges.json.gz", AWS),
		loadFeed(t, "google_cloud.json", GoogleCloud),
		loadFeed(t, "google_goog.json", Google),
		loadFeed(t, "github_meta.json", GitHub),
		cloudflareBoth(t),
		loadFeed(t, "oracle_public_ip_ranges.json", Oracle),
	}
	m, err := Merge(docs...)
	if err != nil {
		t.Fatal(err)
	}
	return m, docs
}

func TestMergeSamples(t *testing.T) {
	m, docs := mergedSamples(t)
	n := 0
	var parts []Part
	for _, d := range docs {
		n += len(d.Tags)
		parts = append(parts, Part{Feed: d.Feed, Cloud: d.Cloud, ChangeNumber: d.ChangeNumber, SyncToken: d.SyncToken, Created: d.Created, Tags: len(d.Tags)})
	}
	if len(m.Tags) != n || n != 3039+612+47+1+13+1+133 {
		t.Errorf("%d tags, want %d", len(m.Tags), n)
	}
	if diff := cmp.Diff(parts, m.Parts); diff != "" {
		t.Errorf("Parts (-want +got):\n%s", diff)
	}
	// Tags keep the order of docs.
	i := 0
	for _, d := range docs {
		for _, tag := range d.Tags {
			if m.Tags[i].Name != tag.Name {
				t.Fatalf("tag %d is %s, want %s", i, m.Tags[i].Name, tag.Name)
			}
			i++
		}
	}
	for name, want := range map[string]string{
		"cloudflare": "Cloudflare", "GITHUB.HOOKS": "GitHub.hooks", "aws.cloudfront": "AWS.CLOUDFRONT",
		"googlecloud.US-CENTRAL1": "GoogleCloud.us-central1", "AzureCloud": "AzureCloud", "azurecloud.westeurope": "AzureCloud.westeurope",
		"google": "Google", "Oracle.OSN": "Oracle.OSN",
	} {
		tag, err := m.Lookup(name)
		if err != nil || tag.Name != want || len(tag.Prefixes) == 0 {
			t.Errorf("Lookup(%q) = %q (%d prefixes), %v", name, tag.Name, len(tag.Prefixes), err)
		}
	}
	set, err := m.Expand("GitHub.hooks", "Cloudflare")
	if err != nil || !set.Contains(netip.MustParseAddr("192.30.252.1")) || !set.Contains(netip.MustParseAddr("2400:cb00::1")) {
		t.Errorf("Expand: %v %v", set, err)
	}
	if _, err := m.Lookup("AWS.EC3"); !errors.Is(err, ErrUnknownTag) {
		t.Errorf("Lookup(AWS.EC3): %v", err)
	}

	// A document with itself, or a tag name in two documents, fails.
	_, err = Merge(docs[1], docs[0], docs[1])
	var me *MergeError
	if !errors.As(err, &me) || !errors.Is(err, ErrDuplicateTag) || me.Doc != 2 || me.PreviousDoc != 0 || me.Name != "" {
		t.Errorf("Merge(aws, azure, aws): %v", err)
	}
	week373 := loadTestdata(t, "ServiceTags_Public_20251013.json.gz")
	_, err = Merge(docs[0], docs[4], week373)
	if !errors.As(err, &me) || me.Name != "ActionGroup" || me.Doc != 2 || me.PreviousDoc != 0 ||
		err.Error() != `servicetag: merge: tag "ActionGroup" of docs[2] (azure Public) has the same name ignoring case as tag "ActionGroup" of docs[0] (azure Public); tag names must be unique across the merged documents` {
		t.Errorf("Merge of two weeks: %v", err)
	}
	// A merged document merges on, with its own Parts.
	mm, err := Merge(nil, m)
	if err != nil || len(mm.Tags) != len(m.Tags) || len(mm.Parts) != len(m.Parts) {
		t.Errorf("Merge(nil, merged): %d tags, %d parts, %v", len(mm.Tags), len(mm.Parts), err)
	}
	if mm.Hash() != m.Hash() {
		t.Error("merging a merged document again changed its Hash")
	}
	if _, err := Merge(m, docs[5]); !errors.Is(err, ErrDuplicateTag) || !strings.Contains(err.Error(), "(merged from azure Public, aws, googlecloud, google, ...)") {
		t.Errorf("Merge(merged, cloudflare): %v", err)
	}
}

// TestMergeRules covers the rules of Merge on small documents.
func TestMergeRules(t *testing.T) {
	a := &Document{Feed: GitHub, Tags: []Tag{{Name: "GitHub.hooks", Prefixes: prefixes("10.0.0.0/8")}}}
	b := &Document{Cloud: "China", Tags: []Tag{{Name: "Storage"}, {Name: "github.HOOKS"}}}
	_, err := Merge(a, nil, b)
	var me *MergeError
	if !errors.As(err, &me) || *me != (MergeError{Name: "github.HOOKS", Previous: "GitHub.hooks", Doc: 2, PreviousDoc: 0, Source: "azure China", PreviousSource: "github"}) {
		t.Errorf("Merge(a, nil, b) = %#v", err)
	}
	self := &Document{}
	if _, err := Merge(self, self); !errors.As(err, &me) || err.Error() != "servicetag: merge: docs[1] (azure) is the same Document as docs[0]; pass each document once" {
		t.Errorf("Merge(empty, empty): %v", err)
	}
	twice := &Document{Tags: []Tag{{Name: "A"}, {Name: "a"}}}
	if _, err := Merge(twice); !errors.As(err, &me) || me.Doc != 0 || me.PreviousDoc != 0 {
		t.Errorf("Merge of a document with a repeated name: %v", err)
	}
	m, err := Merge()
	if err != nil || len(m.Tags) != 0 || m.Parts == nil {
		t.Errorf("Merge() = %+v, %v", m, err)
	}
	m, err = Merge(nil, a, nil)
	if err != nil || len(m.Tags) != 1 || len(m.Parts) != 1 || m.Parts[0].Feed != GitHub || m.Feed != Azure {
		t.Errorf("Merge(nil, a, nil) = %+v, %v", m, err)
	}
}

// TestMergeProperty: Merge of documents with distinct names (ignoring
// case) holds every tag in order and finds each; a shared name fails
// with a MergeError naming both places.
func TestMergeProperty(t *testing.T) {
	names := []string{"A", "a", "B", "AWS.EC2", "aws.ec2", "GitHub.hooks", "C"}
	rapid.Check(t, func(t *rapid.T) {
		var docs []*Document
		for i := range rapid.IntRange(0, 4).Draw(t, "docs") {
			if rapid.Bool().Draw(t, "nil") {
				docs = append(docs, nil)
				continue
			}
			d := &Document{Feed: Feed(i % int(numFeeds)), Tags: genTags(t, names, true)}
			docs = append(docs, d)
		}
		type place struct{ doc, tag int }
		first := map[string]place{}
		var clash *MergeError
		var want []Tag
		for i, d := range docs {
			if d == nil {
				continue
			}
			for j, tag := range d.Tags {
				key := strings.ToLower(tag.Name)
				if p, ok := first[key]; ok && clash == nil {
					clash = &MergeError{Name: tag.Name, Previous: docs[p.doc].Tags[p.tag].Name, Doc: i, PreviousDoc: p.doc}
				}
				if _, ok := first[key]; !ok {
					first[key] = place{i, j}
				}
				want = append(want, tag)
			}
		}
		got, err := Merge(docs...)
		if clash != nil {
			var me *MergeError
			if !errors.As(err, &me) || me.Name != clash.Name || me.Previous != clash.Previous || me.Doc != clash.Doc || me.PreviousDoc != clash.PreviousDoc {
				t.Fatalf("Merge error %v, want %+v", err, clash)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got.Tags, cmpPrefix, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
		for _, tag := range want {
			if found, err := got.Lookup(strings.ToUpper(tag.Name)); err != nil || found.Name != tag.Name {
				t.Fatalf("Lookup(%q) = %q, %v", strings.ToUpper(tag.Name), found.Name, err)
			}
		}
	})
}
