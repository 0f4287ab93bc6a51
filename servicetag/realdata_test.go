package servicetag

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go4.org/netipx"
)

var (
	rawCacheMu sync.Mutex
	rawCache   = map[string][]byte{}
)

// rawTestdata returns the decompressed bytes of a file in testdata/
// (cached; do not modify them).
func rawTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	rawCacheMu.Lock()
	defer rawCacheMu.Unlock()
	if data, ok := rawCache[name]; ok {
		return data
	}
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			tb.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			tb.Fatal(err)
		}
	}
	rawCache[name] = data
	return data
}

var (
	docCacheMu sync.Mutex
	docCache   = map[string]*Document{}
)

// loadTestdata decodes a real file once per test binary. (TestLoadFile
// covers reading files; decoding the cached bytes saves a second gunzip.)
func loadTestdata(tb testing.TB, name string) *Document {
	tb.Helper()
	raw := rawTestdata(tb, name)
	docCacheMu.Lock()
	defer docCacheMu.Unlock()
	if d, ok := docCache[name]; ok {
		return d
	}
	d, err := DecodeBytes(raw)
	if err != nil {
		tb.Fatalf("decoding %s: %v", name, err)
	}
	docCache[name] = d
	return d
}

type fileStats struct {
	Cloud                  string
	ChangeNumber           int
	Values, Global, Dotted int
	Entries, Distinct      int
	IPv4, IPv6             int
	SHA256                 string // of the raw JSON
}

// realFiles holds the statistics of testdata/SOURCES.md.
var realFiles = map[string]fileStats{
	"ServiceTags_Public_20251020.json.gz":       {"Public", 374, 3039, 94, 2945, 93362, 52340, 38415, 13925, "b8e1919e52f0353e4f825d242fc8b5b72521464a30e10c48038d9b4f72a277f8"},
	"ServiceTags_Public_20251013.json.gz":       {"Public", 373, 3039, 94, 2945, 93311, 52317, 38400, 13917, "f7bebcb16a44bef1324495f600f804f432c319838559ce0837a4af50145f407f"},
	"ServiceTags_Public_20201012.json.gz":       {"Public", 113, 1661, 54, 1607, 37353, 20792, 16182, 4610, "68e3e42c8a2bbda9684f9aa79d8181c66efd64e2ef188a7263c5324079e329f9"},
	"ServiceTags_AzureGovernment_20260622.json": {"AzureGovernment", 398, 299, 82, 217, 6529, 3765, 2793, 972, "c931b0f8ea51ea8cbc212e6b5a38f111646b4905ec3e4596bd0400b10003faa7"},
	"ServiceTags_China_20260622.json":           {"China", 401, 327, 79, 248, 4328, 2451, 1736, 715, "03ebbdfa397e452a87747d87fb68e85ea61bd23734fb463282ff60c8bc9e8d65"},
	"ServiceTags_AzureGermany_20220307.json":    {"AzureGermany", 193, 79, 31, 48, 372, 201, 193, 8, "1d8d02d2cf097359fef2859b82e97552ca4a796ab350dc036027287f68475967"},
}

func TestRealFilesStatistics(t *testing.T) {
	for name, want := range realFiles {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sum := sha256.Sum256(rawTestdata(t, name))
			doc := loadTestdata(t, name)
			got := fileStats{Cloud: doc.Cloud, ChangeNumber: doc.ChangeNumber, Values: len(doc.Tags), SHA256: hex.EncodeToString(sum[:])}
			distinct := map[netip.Prefix]bool{}
			for _, tag := range doc.Tags {
				if strings.Contains(tag.Name, ".") {
					got.Dotted++
				} else {
					got.Global++
				}
				got.Entries += len(tag.Prefixes)
				for _, p := range tag.Prefixes {
					if !distinct[p] {
						distinct[p] = true
						if p.Addr().Is4() {
							got.IPv4++
						} else {
							got.IPv6++
						}
					}
				}
			}
			got.Distinct = len(distinct)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statistics differ from SOURCES.md (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRealFilesSchemaFacts checks measured facts of the notes that the
// decoder must preserve: id == name, null networkFeatures stay nil, and
// every prefix is canonical.
func TestRealFilesSchemaFacts(t *testing.T) {
	doc := loadTestdata(t, "ServiceTags_Public_20251020.json.gz")
	nullFeatures, emptyService, emptyRegion := 0, 0, 0
	for _, tag := range doc.Tags {
		if tag.ID != tag.Name {
			t.Errorf("%s: id %q differs from name", tag.Name, tag.ID)
		}
		if tag.NetworkFeatures == nil {
			nullFeatures++
		}
		if tag.SystemService == "" {
			emptyService++
		}
		if tag.Region == "" {
			emptyRegion++
		}
		if tag.Platform != "Azure" {
			t.Errorf("%s: platform %q", tag.Name, tag.Platform)
		}
		if (tag.Region == "") != (tag.RegionID == 0) {
			t.Errorf("%s: region %q with regionId %d", tag.Name, tag.Region, tag.RegionID)
		}
		for _, p := range tag.Prefixes {
			if p != p.Masked() {
				t.Errorf("%s: non-canonical %v", tag.Name, p)
			}
		}
	}
	got := [3]int{nullFeatures, emptyService, emptyRegion}
	if want := [3]int{1532, 74, 100}; got != want {
		t.Errorf("null networkFeatures, empty systemService, empty region = %v, want %v", got, want)
	}
}

// TestRegionalInsideGlobal checks, on every real file, that each regional
// tag lies inside its global tag. A regional tag is an entry whose Region
// is set and whose name is Base.Suffix where Base is itself a tag.
func TestRegionalInsideGlobal(t *testing.T) {
	for name := range realFiles {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := loadTestdata(t, name)
			sets := map[string]*netipx.IPSet{}
			checked := 0
			for _, tag := range doc.Tags {
				if !tag.IsRegional() {
					continue
				}
				base, err := doc.Lookup(tag.Base())
				if err != nil {
					continue // no global tag for this base
				}
				global := sets[base.Name]
				if global == nil {
					if global, err = base.IPSet(); err != nil {
						t.Fatal(err)
					}
					sets[base.Name] = global
				}
				regional, err := tag.IPSet()
				if err != nil {
					t.Fatal(err)
				}
				if !containsSet(global, regional) {
					t.Errorf("%s is not inside %s", tag.Name, base.Name)
				}
				checked++
			}
			if checked < 40 {
				t.Errorf("only %d regional tags checked", checked)
			}
			t.Logf("%d regional tags inside %d global tags", checked, len(sets))
		})
	}
}

// TestAzureCloudIsNotEverything guards against the tempting shortcut of
// treating AzureCloud as a superset (SPEC §4), and shows that the subset
// check above can fail.
func TestAzureCloudIsNotEverything(t *testing.T) {
	doc := loadTestdata(t, "ServiceTags_Public_20251020.json.gz")
	cloud, err := doc.Expand("AzureCloud")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"EOPExternalPublishedIPs", "AzureFrontDoor.Backend", "Storage"} {
		s, err := doc.Expand(name)
		if err != nil {
			t.Fatal(err)
		}
		if containsSet(cloud, s) {
			t.Errorf("AzureCloud contains all of %s; the notes say it does not", name)
		}
	}
	tag, _ := doc.Lookup("AzureCloud")
	if len(tag.Prefixes) != 13080 {
		t.Errorf("AzureCloud has %d prefixes, want 13080", len(tag.Prefixes))
	}
}

// TestDiffConsecutiveWeeks checks Diff on the two consecutive 2025 Public
// files against the per-tag changeNumbers: exactly the tags whose number
// changed are reported, and the gained and lost ranges turn the old
// address set into the new one.
func TestDiffConsecutiveWeeks(t *testing.T) {
	old := loadTestdata(t, "ServiceTags_Public_20251013.json.gz")
	new := loadTestdata(t, "ServiceTags_Public_20251020.json.gz")
	d := Diff(old, new)
	if len(d.Gained) != 0 || len(d.Lost) != 0 {
		t.Errorf("added %v, removed %v; want none", d.Gained, d.Lost)
	}
	var want []string
	for _, nt := range new.Tags {
		ot, err := old.Lookup(nt.Name)
		if err != nil {
			t.Fatal(err)
		}
		if ot.ChangeNumber != nt.ChangeNumber {
			want = append(want, nt.Name)
		}
	}
	slices.Sort(want)
	var got []string
	for _, c := range d.Changed {
		got = append(got, c.Name)
		if c.NewChangeNumber != c.OldChangeNumber+1 {
			t.Errorf("%s: changeNumber %d -> %d", c.Name, c.OldChangeNumber, c.NewChangeNumber)
		}
		if len(c.Gained) == 0 && len(c.Lost) == 0 {
			t.Errorf("%s: changeNumber rose but no addresses changed", c.Name)
		}
		ot, _ := old.Lookup(c.Name)
		nt, _ := new.Lookup(c.Name)
		os, _ := ot.IPSet()
		ns, _ := nt.IPSet()
		var b netipx.IPSetBuilder
		b.AddSet(os)
		for _, p := range c.Lost {
			b.RemovePrefix(p)
		}
		for _, p := range c.Gained {
			b.AddPrefix(p)
		}
		if s, _ := b.IPSet(); !s.Equal(ns) {
			t.Errorf("%s: old - Lost + Gained != new", c.Name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changed tags differ from the tags whose changeNumber changed (-want +got):\n%s", diff)
	}
	if len(got) != 32 {
		t.Errorf("%d changed tags, SOURCES.md says 32", len(got))
	}
	if d := Diff(new, new); !d.IsEmpty() {
		t.Errorf("Diff(new, new) = %+v, want empty", d)
	}
}

// TestHashIdentity checks that Hash follows content, not changeNumber.
func TestHashIdentity(t *testing.T) {
	raw := rawTestdata(t, "ServiceTags_Public_20251020.json.gz")
	week373 := loadTestdata(t, "ServiceTags_Public_20251013.json.gz")
	week374 := loadTestdata(t, "ServiceTags_Public_20251020.json.gz")

	// The 20251020 content renumbered as 373: same top-level number as
	// the 20251013 file, different content.
	renumbered, err := DecodeBytes(bytes.Replace(raw, []byte(`"changeNumber": 374`), []byte(`"changeNumber": 373`), 1))
	if err != nil {
		t.Fatal(err)
	}
	if renumbered.ChangeNumber != week373.ChangeNumber {
		t.Fatalf("renumbered changeNumber = %d", renumbered.ChangeNumber)
	}
	if renumbered.Hash() == week373.Hash() {
		t.Error("different content with the same changeNumber has the same Hash")
	}
	// A republication (only the top-level number changed) has the same content.
	if renumbered.Hash() != week374.Hash() {
		t.Error("republication with a new top-level changeNumber changed the Hash")
	}
	// Compression and formatting do not matter.
	plain, err := DecodeBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	compacted, err := DecodeBytes(compact.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if plain.Hash() != week374.Hash() || compacted.Hash() != week374.Hash() {
		t.Error("Hash depends on compression or formatting")
	}
	// Any change to a tag changes it.
	changed := bytes.Replace(raw, []byte(`"4.145.74.52/30"`), []byte(`"4.145.74.56/30"`), 1)
	if bytes.Equal(changed, raw) {
		t.Fatal("test prefix not found")
	}
	other, err := DecodeBytes(changed)
	if err != nil {
		t.Fatal(err)
	}
	if other.Hash() == week374.Hash() {
		t.Error("changing one prefix did not change the Hash")
	}
}

func TestRealLookupSuggestions(t *testing.T) {
	doc := loadTestdata(t, "ServiceTags_Public_20251020.json.gz")
	tests := []struct {
		name      string
		found     string   // the tag found, or "" for an error
		firstSugg []string // the leading suggestions expected
	}{
		{name: "AzureCloud", found: "AzureCloud"},
		{name: "azurecloud.WESTEUROPE", found: "AzureCloud.westeurope"},
		{name: "Storage.westeurope", found: "Storage.WestEurope"},
		{name: "AzureCloud.francecentral", firstSugg: []string{"AzureCloud.centralfrance"}},
		{name: "Storage.centralfrance", firstSugg: []string{"Storage.FranceCentral"}},
		{name: "Storage.france-central", firstSugg: []string{"Storage.FranceCentral"}},
		{name: "AzureCloud.GermanyWestCentral", firstSugg: []string{"AzureCloud.germanywc"}},
		{name: "AzureClod", firstSugg: []string{"AzureCloud"}},
		{name: "AzureCloud.mars", firstSugg: []string{"AzureCloud"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag, err := doc.Lookup(tt.name)
			if tt.found != "" {
				if err != nil || tag.Name != tt.found {
					t.Fatalf("Lookup = %q, %v; want %q", tag.Name, err, tt.found)
				}
				return
			}
			var ue *UnknownTagError
			if !errors.Is(err, ErrUnknownTag) || !errors.As(err, &ue) {
				t.Fatalf("Lookup error = %v, want an *UnknownTagError", err)
			}
			if ue.Name != tt.name || len(ue.Suggestions) > 3 {
				t.Errorf("error = %#v", ue)
			}
			if len(ue.Suggestions) < len(tt.firstSugg) || !slices.Equal(ue.Suggestions[:len(tt.firstSugg)], tt.firstSugg) {
				t.Errorf("suggestions = %q, want them to start with %q", ue.Suggestions, tt.firstSugg)
			}
			t.Log(err)
		})
	}
}

// restBody extracts .responses["200"].body from an x-ms-examples file.
func restBody(t *testing.T, name string) []byte {
	t.Helper()
	var ex struct {
		Responses map[string]struct {
			Body json.RawMessage `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(rawTestdata(t, filepath.Join("rest-api-examples", name)), &ex); err != nil {
		t.Fatal(err)
	}
	return ex.Responses["200"].Body
}

func TestRESTExamples(t *testing.T) {
	apim := Tag{Name: "ApiManagement", ID: "ApiManagement", SystemService: "AzureApiManagement", ChangeNumber: 7,
		Prefixes: prefixes("13.64.39.16/32", "40.74.146.80/31", "40.74.147.32/28")}
	apimAC := Tag{Name: "ApiManagement.AustraliaCentral", ID: "ApiManagement.AustraliaCentral", Region: "australiacentral",
		SystemService: "AzureApiManagement", ChangeNumber: 2, Prefixes: prefixes("20.36.106.68/31", "20.36.107.176/28")}

	t.Run("ServiceTagsList", func(t *testing.T) {
		doc, err := DecodeBytes(restBody(t, "ServiceTagsList.json"))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Name != "public" || doc.Type != "Microsoft.Network/serviceTags" || doc.ChangeNumber != 63 || doc.Cloud != "Public" ||
			!strings.HasPrefix(doc.NextLink, "https://management.azure.com/") || !strings.HasSuffix(doc.ID, "/serviceTags/public") {
			t.Errorf("header = %q %q %q %d %q %q", doc.Name, doc.ID, doc.Type, doc.ChangeNumber, doc.Cloud, doc.NextLink)
		}
		entries, distinct := 0, map[netip.Prefix]bool{}
		for _, tag := range doc.Tags {
			entries += len(tag.Prefixes)
			for _, p := range tag.Prefixes {
				if !p.Addr().Is4() {
					t.Errorf("%v is not IPv4", p)
				}
				distinct[p] = true
			}
		}
		if len(doc.Tags) != 5 || entries != 13 || len(distinct) != 12 {
			t.Errorf("values, entries, distinct = %d, %d, %d; SOURCES.md says 5, 13, 12", len(doc.Tags), entries, len(distinct))
		}
		if diff := cmp.Diff([]Tag{apim, apimAC}, doc.Tags[:2], cmpPrefix); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
	})
	t.Run("ServiceTagInformationListResult", func(t *testing.T) {
		doc, err := DecodeBytes(restBody(t, "ServiceTagInformationListResult.json"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Tag{apim, apimAC}, doc.Tags, cmpPrefix); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
	})
	t.Run("ServiceTagInformationListResultWithTagname", func(t *testing.T) {
		doc, err := DecodeBytes(restBody(t, "ServiceTagInformationListResultWithTagname.json"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Tag{apim}, doc.Tags, cmpPrefix); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
	})
}

var cmpPrefix = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// containsSet reports whether b is a subset of a.
func containsSet(a, b *netipx.IPSet) bool {
	for _, r := range b.Ranges() {
		if !a.ContainsRange(r) {
			return false
		}
	}
	return true
}
