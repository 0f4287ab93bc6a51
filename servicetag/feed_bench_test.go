package servicetag

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// The feed benchmarks decode the stored AWS ip-ranges.json (2.06 MB of
// JSON, 13344 rows, 612 tags). The file is decompressed once, before the
// timer starts, and both decoders start from the same []byte.

// BenchmarkDecodeFeedAWS measures DecodeFeedBytes: JSON validation,
// prefix parsing and checks, grouping into tags without duplicates, and
// the case-insensitive index.
func BenchmarkDecodeFeedAWS(b *testing.B) {
	data := rawTestdata(b, "aws_ip-ranges.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFeedBytes(data, AWS); err != nil {
			b.Fatal(err)
		}
	}
}

// awsBaselineDoc is what a plain encoding/json decoder would use.
type awsBaselineDoc struct {
	SyncToken  string `json:"syncToken"`
	CreateDate string `json:"createDate"`
	Prefixes   []struct {
		IPPrefix           string `json:"ip_prefix"`
		Region             string `json:"region"`
		Service            string `json:"service"`
		NetworkBorderGroup string `json:"network_border_group"`
	} `json:"prefixes"`
	IPv6Prefixes []struct {
		IPv6Prefix         string `json:"ipv6_prefix"`
		Region             string `json:"region"`
		Service            string `json:"service"`
		NetworkBorderGroup string `json:"network_border_group"`
	} `json:"ipv6_prefixes"`
}

// awsBaseline decodes with encoding/json into structs, parses every
// prefix with netip.ParsePrefix and builds the same tags (AWS,
// AWS.<service>, AWS.<service>.<region>, each prefix once per tag, in
// order of first appearance) and a lower-case index. It does no
// canonical, family or duplicate-key checks.
func awsBaseline(data []byte) ([]Tag, map[string]int, error) {
	var d awsBaselineDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, nil, err
	}
	tags := []Tag{{Name: "AWS"}}
	index := map[string]int{"aws": 0}
	type member struct {
		tag int
		p   netip.Prefix
	}
	seen := map[member]bool{}
	add := func(name, region, service string, p netip.Prefix) {
		i, ok := index[strings.ToLower(name)]
		if !ok {
			i = len(tags)
			index[strings.ToLower(name)] = i
			tags = append(tags, Tag{Name: name, Region: region, SystemService: service})
		}
		if !seen[member{i, p}] {
			seen[member{i, p}] = true
			tags[i].Prefixes = append(tags[i].Prefixes, p)
		}
	}
	row := func(s, region, service string) error {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return err
		}
		add("AWS", "", "", p)
		add("AWS."+service, "", service, p)
		add("AWS."+service+"."+region, region, service, p)
		return nil
	}
	for _, r := range d.Prefixes {
		if err := row(r.IPPrefix, r.Region, r.Service); err != nil {
			return nil, nil, err
		}
	}
	for _, r := range d.IPv6Prefixes {
		if err := row(r.IPv6Prefix, r.Region, r.Service); err != nil {
			return nil, nil, err
		}
	}
	return tags, index, nil
}

// BenchmarkDecodeFeedAWSBaseline is the comparison for
// BenchmarkDecodeFeedAWS: encoding/json and netip, building the same tags.
func BenchmarkDecodeFeedAWSBaseline(b *testing.B) {
	data := rawTestdata(b, "aws_ip-ranges.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := awsBaseline(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAWSBaselineMatches keeps the baseline honest: it builds the tags
// the decoder builds.
func TestAWSBaselineMatches(t *testing.T) {
	tags, _, err := awsBaseline(rawTestdata(t, "aws_ip-ranges.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	doc := loadFeed(t, "aws_ip-ranges.json.gz", AWS)
	if len(tags) != len(doc.Tags) {
		t.Fatalf("baseline %d tags, decoder %d", len(tags), len(doc.Tags))
	}
	for i := range tags {
		if tags[i].Name != doc.Tags[i].Name || len(tags[i].Prefixes) != len(doc.Tags[i].Prefixes) {
			t.Fatalf("tag %d: baseline %s (%d), decoder %s (%d)", i, tags[i].Name, len(tags[i].Prefixes), doc.Tags[i].Name, len(doc.Tags[i].Prefixes))
		}
	}
}
