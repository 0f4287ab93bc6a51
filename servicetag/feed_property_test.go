package servicetag

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// The properties below draw a random publication, render it in a feed's
// format with encoding/json (or as text), decode it, and compare the
// Document with the one the publication defines, built here by the rules
// of the feed documentation: tags in order of first appearance, each
// prefix once per tag.

func genFamily(family int) *rapid.Generator[netip.Prefix] {
	return genPrefix(true).Filter(func(p netip.Prefix) bool { return p.Addr().Is4() == (family == 4) })
}

// encodeJSON renders v compact or indented, plain or gzip-compressed.
func encodeJSON(t *rapid.T, v any) []byte {
	var data []byte
	var err error
	if rapid.Bool().Draw(t, "indent") {
		data, err = json.MarshalIndent(v, "", "  ")
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rapid.Bool().Draw(t, "gzip") {
		data = gzipBytes(data)
	}
	return data
}

// tagSet builds expected tags: add(name, ...) creates a tag on first use
// and appends a prefix it does not hold yet.
type tagSet struct{ tags []Tag }

func (s *tagSet) tag(name, region, service string) *Tag {
	for i := range s.tags {
		if s.tags[i].Name == name {
			return &s.tags[i]
		}
	}
	s.tags = append(s.tags, Tag{Name: name, Region: region, SystemService: service})
	return &s.tags[len(s.tags)-1]
}

func (s *tagSet) add(name, region, service string, p netip.Prefix) {
	t := s.tag(name, region, service)
	if !slices.Contains(t.Prefixes, p) {
		t.Prefixes = append(t.Prefixes, p)
	}
}

func checkRoundTrip(t *rapid.T, data []byte, f Feed, want *Document) {
	got, err := DecodeFeedBytes(data, f)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, data)
	}
	if diff := cmp.Diff(want, got, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" {
		t.Fatalf("(-want +got):\n%s\n%s", diff, data)
	}
	for _, tag := range want.Tags {
		if found, err := got.Lookup(strings.ToUpper(tag.Name)); err != nil || found.Name != tag.Name {
			t.Fatalf("Lookup(%q) = %q, %v", strings.ToUpper(tag.Name), found.Name, err)
		}
	}
}

var (
	awsServices = []string{"AMAZON", "EC2", "S3", "CLOUDFRONT"}
	awsRegions  = []string{"us-east-1", "eu-west-1", "GLOBAL"}
)

func TestAWSRoundTripProperty(t *testing.T) {
	type row struct {
		IP      string `json:"ip_prefix,omitempty"`
		IPv6    string `json:"ipv6_prefix,omitempty"`
		Region  string `json:"region"`
		Service string `json:"service"`
		NBG     string `json:"network_border_group"`
	}
	rapid.Check(t, func(t *rapid.T) {
		created := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "created"), 0).UTC()
		in := struct {
			SyncToken  string `json:"syncToken"`
			CreateDate string `json:"createDate"`
			Prefixes   []row  `json:"prefixes"`
			IPv6       []row  `json:"ipv6_prefixes"`
		}{SyncToken: rapid.StringMatching(`[0-9]{1,12}`).Draw(t, "sync"), CreateDate: created.Format("2006-01-02-15-04-05"), Prefixes: []row{}, IPv6: []row{}}
		want := &Document{Feed: AWS, SyncToken: in.SyncToken, Created: created}
		s := tagSet{}
		s.tag("AWS", "", "")
		for _, family := range []int{4, 6} {
			n := rapid.IntRange(0, 12).Draw(t, "rows")
			for range n {
				p := genFamily(family).Draw(t, "p")
				r := row{Region: rapid.SampledFrom(awsRegions).Draw(t, "region"), Service: rapid.SampledFrom(awsServices).Draw(t, "service")}
				r.NBG = r.Region
				if family == 4 {
					r.IP = p.String()
					in.Prefixes = append(in.Prefixes, r)
				} else {
					r.IPv6 = p.String()
					in.IPv6 = append(in.IPv6, r)
				}
				s.add("AWS", "", "", p)
				s.add("AWS."+r.Service, "", r.Service, p)
				s.add("AWS."+r.Service+"."+r.Region, r.Region, r.Service, p)
			}
		}
		want.Tags = s.tags
		checkRoundTrip(t, encodeJSON(t, in), AWS, want)
	})
}

func TestGoogleRoundTripProperty(t *testing.T) {
	type row struct {
		IPv4    string `json:"ipv4Prefix,omitempty"`
		IPv6    string `json:"ipv6Prefix,omitempty"`
		Service string `json:"service,omitempty"`
		Scope   string `json:"scope,omitempty"`
	}
	rapid.Check(t, func(t *rapid.T) {
		f := rapid.SampledFrom([]Feed{GoogleCloud, Google}).Draw(t, "feed")
		created := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "created"), rapid.Int64Range(0, 999999).Draw(t, "us")*1000).UTC()
		in := struct {
			SyncToken    string `json:"syncToken"`
			CreationTime string `json:"creationTime"`
			Prefixes     []row  `json:"prefixes"`
		}{SyncToken: "1714053903689", CreationTime: created.Format("2006-01-02T15:04:05.999999"), Prefixes: []row{}}
		s := tagSet{}
		s.tag(umbrellaTags[f], "", "")
		for range rapid.IntRange(0, 15).Draw(t, "rows") {
			p := genPrefix(true).Draw(t, "p")
			var r row
			if p.Addr().Is4() {
				r.IPv4 = p.String()
			} else {
				r.IPv6 = p.String()
			}
			s.add(umbrellaTags[f], "", "", p)
			if f == GoogleCloud {
				r.Service, r.Scope = "Google Cloud", rapid.SampledFrom([]string{"us-central1", "europe-west1", "global"}).Draw(t, "scope")
				s.add("GoogleCloud."+r.Scope, r.Scope, "", p)
			}
			in.Prefixes = append(in.Prefixes, r)
		}
		checkRoundTrip(t, encodeJSON(t, in), f, &Document{Feed: f, SyncToken: in.SyncToken, Created: created, Tags: s.tags})
	})
}

func TestGitHubRoundTripProperty(t *testing.T) {
	keys := []string{"hooks", "web", "api", "actions", "actions_macos", "dependabot", "Hooks", "k\u00e9y"}
	rapid.Check(t, func(t *rapid.T) {
		// A json.Marshal of a map sorts the keys; write the object by hand
		// to keep the drawn order.
		var b strings.Builder
		b.WriteString(`{"verifiable_password_authentication": false, "ssh_keys": ["ssh-ed25519 AAAA", "ecdsa AAAA"], "domains": {"actions": ["*.github.com"]}`)
		s := tagSet{}
		seen := map[string]bool{}
		for _, key := range rapid.SliceOfN(rapid.SampledFrom(keys), 1, 6).Draw(t, "keys") {
			if seen[strings.ToLower(key)] {
				continue
			}
			seen[strings.ToLower(key)] = true
			ps := rapid.SliceOfN(genPrefix(true), 0, 8).Draw(t, "prefixes")
			list := []string{}
			s.tag("GitHub."+key, "", "")
			for _, p := range ps {
				list = append(list, p.String())
				s.add("GitHub."+key, "", "", p)
			}
			k, _ := json.Marshal(key)
			v, _ := json.Marshal(list)
			b.WriteString(", " + string(k) + ": " + string(v))
		}
		b.WriteString("}")
		data := []byte(b.String())
		if rapid.Bool().Draw(t, "gzip") {
			data = gzipBytes(data)
		}
		checkRoundTrip(t, data, GitHub, &Document{Feed: GitHub, Tags: s.tags})
	})
}

func TestCloudflareRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v4 := rapid.SliceOfN(genFamily(4), 0, 8).Draw(t, "v4")
		v6 := rapid.SliceOfN(genFamily(6), 0, 8).Draw(t, "v6")
		s := tagSet{}
		s.tag("Cloudflare", "", "")
		var lines [2][]string
		for i, ps := range [][]netip.Prefix{v4, v6} {
			for _, p := range ps {
				s.add("Cloudflare", "", "", p)
				lines[i] = append(lines[i], p.String())
			}
		}
		want := &Document{Feed: Cloudflare, Tags: s.tags}
		switch rapid.IntRange(0, 2).Draw(t, "form") {
		case 0: // the API's JSON
			in := map[string]any{"result": map[string]any{"ipv4_cidrs": append([]string{}, lines[0]...), "ipv6_cidrs": append([]string{}, lines[1]...), "etag": "e1"},
				"success": true, "errors": []any{}, "messages": []any{}}
			want.ETag = "e1"
			checkRoundTrip(t, encodeJSON(t, in), Cloudflare, want)
		case 1: // one text list holding both families
			all := append(slices.Clone(lines[0]), lines[1]...)
			if len(all) == 0 {
				return // an empty text list is an error
			}
			sep := rapid.SampledFrom([]string{"\n", "\r\n"}).Draw(t, "sep")
			text := strings.Join(all, sep)
			if rapid.Bool().Draw(t, "final newline") {
				text += sep
			}
			checkRoundTrip(t, []byte(text), Cloudflare, want)
		case 2: // the two text lists
			if len(lines[0]) == 0 || len(lines[1]) == 0 {
				return
			}
			got, err := DecodeCloudflareText(strings.NewReader(strings.Join(lines[0], "\n")), strings.NewReader(strings.Join(lines[1], "\n")))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		}
	})
}

func TestOracleRoundTripProperty(t *testing.T) {
	type cidr struct {
		Cidr string   `json:"cidr"`
		Tags []string `json:"tags"`
	}
	type region struct {
		Region string `json:"region"`
		Cidrs  []cidr `json:"cidrs"`
	}
	rapid.Check(t, func(t *rapid.T) {
		created := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "created"), 0).UTC()
		in := struct {
			Updated string   `json:"last_updated_timestamp"`
			Regions []region `json:"regions"`
		}{Updated: created.Format("2006-01-02T15:04:05.999999"), Regions: []region{}}
		s := tagSet{}
		s.tag("Oracle", "", "")
		for _, name := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"us-ashburn-1", "eu-frankfurt-1", "ap-tokyo-1"}), 0, 3, rapid.ID).Draw(t, "regions") {
			r := region{Region: name, Cidrs: []cidr{}}
			for range rapid.IntRange(0, 6).Draw(t, "cidrs") {
				c := cidr{Cidr: genPrefix(true).Draw(t, "p").String(), Tags: rapid.SliceOfN(rapid.SampledFrom([]string{"OCI", "OSN", "OBJECT_STORAGE"}), 0, 2).Draw(t, "tags")}
				r.Cidrs = append(r.Cidrs, c)
				s.add("Oracle", "", "", netip.MustParsePrefix(c.Cidr))
			}
			// A region's tags are made once the region has been read.
			for _, c := range r.Cidrs {
				for _, tag := range c.Tags {
					p := netip.MustParsePrefix(c.Cidr)
					s.add("Oracle."+tag, "", tag, p)
					s.add("Oracle."+tag+"."+name, name, tag, p)
				}
			}
			in.Regions = append(in.Regions, r)
		}
		checkRoundTrip(t, encodeJSON(t, in), Oracle, &Document{Feed: Oracle, Created: created, Tags: s.tags})
	})
}
