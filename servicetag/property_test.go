package servicetag

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go4.org/netipx"
	"pgregory.net/rapid"
)

// genPrefix draws a canonical prefix. With narrow set, addresses come
// from 10.0.0.0/20 and 2001:db8::/116 so that prefixes of different tags
// overlap often.
func genPrefix(narrow bool) *rapid.Generator[netip.Prefix] {
	return rapid.Custom(func(t *rapid.T) netip.Prefix {
		var a netip.Addr
		var bits int
		if rapid.Bool().Draw(t, "v4") {
			v := rapid.Uint32().Draw(t, "a4")
			bits = rapid.IntRange(0, 32).Draw(t, "bits4")
			if narrow {
				v = 10<<24 | v&0xfff
				bits = rapid.IntRange(20, 32).Draw(t, "nbits4")
			}
			a = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		} else {
			var b [16]byte
			hi, lo := rapid.Uint64().Draw(t, "hi"), rapid.Uint64().Draw(t, "lo")
			for i := range 8 {
				b[i], b[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
			}
			bits = rapid.IntRange(0, 128).Draw(t, "bits6")
			if narrow {
				b = netip.MustParseAddr("2001:db8::").As16()
				b[14], b[15] = byte(lo>>8)&0x0f, byte(lo)
				bits = rapid.IntRange(116, 128).Draw(t, "nbits6")
			}
			a = netip.AddrFrom16(b)
		}
		return netip.PrefixFrom(a, bits).Masked()
	})
}

var regions = []string{"", "westeurope", "centralfrance", "eastus2"}

// genTags draws tags with case-insensitively unique names from names.
func genTags(t *rapid.T, names []string, narrow bool) []Tag {
	var tags []Tag
	seen := map[string]bool{}
	for _, name := range rapid.SliceOfN(rapid.SampledFrom(names), 0, 8).Draw(t, "names") {
		if seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		tag := Tag{
			Name:          name,
			ID:            name,
			Region:        rapid.SampledFrom(regions).Draw(t, "region"),
			SystemService: rapid.SampledFrom([]string{"", "AzureStorage"}).Draw(t, "service"),
			Platform:      "Azure",
			ChangeNumber:  rapid.IntRange(1, 400).Draw(t, "cn"),
			Prefixes:      rapid.SliceOfN(genPrefix(narrow), 0, 6).Draw(t, "prefixes"),
		}
		if rapid.Bool().Draw(t, "features") {
			tag.NetworkFeatures = rapid.SliceOfN(rapid.SampledFrom([]string{"API", "NSG", "UDR", "FW", "VSE"}), 0, 4).Draw(t, "fs")
		}
		tags = append(tags, tag)
	}
	return tags
}

var tagNames = []string{"AzureCloud", "azurecloud", "Storage", "Storage.WestEurope", "AzureCloud.centralfrance", "Sql", "A\u00e9\"\\/\n\u2028x", "EOPExternalPublishedIPs"}

// TestDecodeRoundTripProperty encodes random documents with encoding/json
// in the download and API shapes (indented or compact, plain or gzip) and
// checks that Decode returns exactly the document.
func TestDecodeRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := &Document{Cloud: "Public", ChangeNumber: rapid.IntRange(0, 1000).Draw(t, "changeNumber"), Tags: genTags(t, tagNames, false)}
		if want.Tags == nil {
			want.Tags = []Tag{}
		}
		restShape := rapid.Bool().Draw(t, "rest")
		number := func(n int) any {
			if restShape {
				return strconv.Itoa(n)
			}
			return n
		}
		type props struct {
			ChangeNumber    any      `json:"changeNumber"`
			Region          string   `json:"region"`
			RegionID        int      `json:"regionId"`
			Platform        string   `json:"platform"`
			SystemService   string   `json:"systemService"`
			AddressPrefixes []string `json:"addressPrefixes"`
			NetworkFeatures []string `json:"networkFeatures"`
		}
		type value struct {
			Name       string `json:"name"`
			ID         string `json:"id"`
			Properties props  `json:"properties"`
		}
		in := struct {
			ChangeNumber any     `json:"changeNumber"`
			Cloud        string  `json:"cloud"`
			Values       []value `json:"values"`
		}{ChangeNumber: number(want.ChangeNumber), Cloud: want.Cloud, Values: []value{}}
		for _, tag := range want.Tags {
			ps := []string{}
			for _, p := range tag.Prefixes {
				ps = append(ps, p.String())
			}
			in.Values = append(in.Values, value{tag.Name, tag.ID, props{number(tag.ChangeNumber), tag.Region, tag.RegionID,
				tag.Platform, tag.SystemService, ps, tag.NetworkFeatures}})
		}
		var data []byte
		if rapid.Bool().Draw(t, "indent") {
			data, _ = json.MarshalIndent(in, "", "  ")
		} else {
			data, _ = json.Marshal(in)
		}
		if rapid.Bool().Draw(t, "gzip") {
			data = gzipBytes(data)
		}
		got, err := DecodeBytes(data)
		if err != nil {
			t.Fatalf("Decode: %v\n%s", err, data)
		}
		for i := range want.Tags {
			if want.Tags[i].Prefixes == nil {
				want.Tags[i].Prefixes = []netip.Prefix{}
			}
		}
		if diff := cmp.Diff(want, got, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
		for _, tag := range want.Tags {
			if _, err := got.Lookup(strings.ToUpper(tag.Name)); err != nil && lowerKey(strings.ToUpper(tag.Name)) == lowerKey(tag.Name) {
				t.Fatalf("Lookup(%q): %v", strings.ToUpper(tag.Name), err)
			}
		}
	})
}

// TestDiffProperty checks Diff against netipx set algebra: for every tag
// in both documents, old − Lost + Gained = new, Gained is disjoint from
// old, Lost from new, and both are minimal; unchanged tags have equal
// sets and change numbers.
func TestDiffProperty(t *testing.T) {
	names := []string{"A", "B", "C", "D", "E"}
	rapid.Check(t, func(t *rapid.T) {
		old := &Document{Tags: genTags(t, names, true)}
		new := &Document{Tags: genTags(t, names, true)}
		d := Diff(old, new)
		changed := map[string]TagChange{}
		for _, c := range d.Changed {
			changed[c.Name] = c
		}
		var added, removed []string
		for _, nt := range new.Tags {
			ot, err := old.Lookup(nt.Name)
			if err != nil {
				added = append(added, nt.Name)
				continue
			}
			os, _ := ot.IPSet()
			ns, _ := nt.IPSet()
			c, ok := changed[nt.Name]
			if !ok {
				if !os.Equal(ns) || ot.ChangeNumber != nt.ChangeNumber {
					t.Fatalf("%s changed but is not reported", nt.Name)
				}
				continue
			}
			gained, lost := setOf(c.Gained), setOf(c.Lost)
			var b netipx.IPSetBuilder
			b.AddSet(os)
			b.RemoveSet(lost)
			b.AddSet(gained)
			if s, _ := b.IPSet(); !s.Equal(ns) {
				t.Fatalf("%s: old - Lost + Gained != new", nt.Name)
			}
			if gained.Overlaps(os) || lost.Overlaps(ns) {
				t.Fatalf("%s: Gained overlaps old or Lost overlaps new", nt.Name)
			}
			if !slices.Equal(gained.Prefixes(), c.Gained) || !slices.Equal(lost.Prefixes(), c.Lost) {
				t.Fatalf("%s: Gained or Lost is not minimal", nt.Name)
			}
			if c.OldChangeNumber != ot.ChangeNumber || c.NewChangeNumber != nt.ChangeNumber {
				t.Fatalf("%s: change numbers %d, %d", nt.Name, c.OldChangeNumber, c.NewChangeNumber)
			}
		}
		for _, ot := range old.Tags {
			if _, err := new.Lookup(ot.Name); err != nil {
				removed = append(removed, ot.Name)
			}
		}
		slices.Sort(added)
		slices.Sort(removed)
		if !slices.Equal(added, d.Gained) || !slices.Equal(removed, d.Lost) {
			t.Fatalf("added %v removed %v; Diff says %v %v", added, removed, d.Gained, d.Lost)
		}
	})
}

// TestExpandProperty checks Expand against a plain scan of the prefixes.
func TestExpandProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := &Document{Tags: genTags(t, []string{"A", "B", "C", "D"}, true)}
		if len(d.Tags) == 0 {
			return
		}
		var names []string
		for _, tag := range d.Tags {
			if rapid.Bool().Draw(t, "pick") {
				names = append(names, tag.Name)
			}
		}
		set, err := d.Expand(names...)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rapid.SliceOfN(genPrefix(true), 1, 20).Draw(t, "probes") {
			a := p.Addr()
			want := false
			for _, name := range names {
				tag, _ := d.Lookup(name)
				for _, q := range tag.Prefixes {
					want = want || q.Contains(a)
				}
			}
			if set.Contains(a) != want {
				t.Fatalf("Expand(%q).Contains(%v) = %v, want %v", names, a, !want, want)
			}
		}
	})
}

func setOf(ps []netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range ps {
		b.AddPrefix(p)
	}
	s, _ := b.IPSet()
	return s
}

// lowerKey is the form under which a Document indexes tag names
// (strings.ToLower). The tests compare these forms rather than using
// strings.EqualFold, which matches some names the index does not (and the
// other way round) for a few non-ASCII runes.
func lowerKey(s string) string { return strings.ToLower(s) }
