package servicetag

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"testing"
)

// The benchmarks decode the 2025-10-20 Public download (4.1 MB of JSON,
// 3039 tags, 93362 prefixes). Gzip decompression is excluded from both:
// the file is decompressed once, before the timer starts, and both
// decoders start from the same []byte.

// BenchmarkDecode measures DecodeBytes: JSON validation, prefix parsing,
// canonical checks and the case-insensitive index.
func BenchmarkDecode(b *testing.B) {
	data := rawTestdata(b, "ServiceTags_Public_20251020.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeBytes(data); err != nil {
			b.Fatal(err)
		}
	}
}

// baselineDoc is what a plain encoding/json decoder would use.
type baselineDoc struct {
	ChangeNumber int    `json:"changeNumber"`
	Cloud        string `json:"cloud"`
	Values       []struct {
		Name       string `json:"name"`
		ID         string `json:"id"`
		Properties struct {
			ChangeNumber    int      `json:"changeNumber"`
			Region          string   `json:"region"`
			RegionID        int      `json:"regionId"`
			Platform        string   `json:"platform"`
			SystemService   string   `json:"systemService"`
			AddressPrefixes []string `json:"addressPrefixes"`
			NetworkFeatures []string `json:"networkFeatures"`
		} `json:"properties"`
	} `json:"values"`
}

// BenchmarkDecodeBaseline is the comparison the issue asks for:
// encoding/json.Unmarshal into structs with string prefixes, then
// netip.ParsePrefix for each prefix (keeping the results, as a decoder
// must). It does no canonical check and builds no index.
func BenchmarkDecodeBaseline(b *testing.B) {
	data := rawTestdata(b, "ServiceTags_Public_20251020.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var d baselineDoc
		if err := json.Unmarshal(data, &d); err != nil {
			b.Fatal(err)
		}
		out := make([][]netip.Prefix, len(d.Values))
		for i, v := range d.Values {
			ps := make([]netip.Prefix, len(v.Properties.AddressPrefixes))
			for j, s := range v.Properties.AddressPrefixes {
				p, err := netip.ParsePrefix(s)
				if err != nil {
					b.Fatal(err)
				}
				ps[j] = p
			}
			out[i] = ps
		}
	}
}

// BenchmarkDecodeReader adds reading from an io.Reader (one copy of the
// input) to BenchmarkDecode.
func BenchmarkDecodeReader(b *testing.B) {
	data := rawTestdata(b, "ServiceTags_Public_20251020.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(bytesReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHash measures Document.Hash on the same file.
func BenchmarkHash(b *testing.B) {
	doc := loadTestdata(b, "ServiceTags_Public_20251020.json.gz")
	b.ReportAllocs()
	for b.Loop() {
		doc.Hash()
	}
}

// BenchmarkExpandAzureCloud measures expanding the largest tag.
func BenchmarkExpandAzureCloud(b *testing.B) {
	doc := loadTestdata(b, "ServiceTags_Public_20251020.json.gz")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := doc.Expand("azurecloud"); err != nil {
			b.Fatal(err)
		}
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
