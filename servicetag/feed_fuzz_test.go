package servicetag

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// awsExcerpt cuts the AWS sample to its first n rows of each list, keeping
// it valid JSON in the published layout, so that it is a small fuzz seed.
func awsExcerpt(tb testing.TB, raw []byte, n int) []byte {
	tb.Helper()
	v6 := bytes.Index(raw, []byte(`"ipv6_prefixes": [`))
	head, tail := raw[:v6], raw[v6:]
	cut := func(b []byte) []byte {
		i := 0
		for range n {
			j := bytes.Index(b[i:], []byte("\n    }"))
			if j < 0 {
				tb.Fatal("AWS excerpt: layout changed")
			}
			i += j + len("\n    }")
		}
		return b[:i]
	}
	var out bytes.Buffer
	out.Write(cut(head))
	out.WriteString("\n  ],\n  ")
	out.Write(cut(tail))
	out.WriteString("\n  ]\n}")
	if !json.Valid(out.Bytes()) {
		tb.Fatalf("AWS excerpt is not valid JSON:\n%s", out.Bytes())
	}
	return out.Bytes()
}

func fuzzFeeds() []Feed { return []Feed{AWS, GoogleCloud, Google, GitHub, Cloudflare, Oracle} }

// FuzzDecodeFeed checks every feed decoder (the feed is the second
// argument, taken modulo the six non-Azure feeds): it never panics,
// returns no Document with an error, accepts JSON only when it is valid,
// and an accepted Document has valid, canonical, unmapped prefixes, each
// once per tag, inside the umbrella tag, with case-insensitively unique
// names that Lookup finds.
//
// The seeds include the stored samples (up to 155 KB). Minimizing a new
// input that large takes the fuzzer many seconds, during which it runs
// nothing; run it with a bounded minimization:
//
//	go test -run '^$' -fuzz '^FuzzDecodeFeed$' -fuzztime 20s -fuzzminimizetime 10x ./servicetag
func FuzzDecodeFeed(f *testing.F) {
	for _, ff := range feedFiles {
		raw := rawTestdata(f, ff.name)
		if ff.feed == AWS {
			raw = awsExcerpt(f, raw, 30)
		}
		f.Add(raw, uint8(ff.feed-1))
	}
	for i, s := range []string{awsSmall, googleCloudSmall, googleSmall, githubSmall, cloudflareJSONSmall, oracleSmall} {
		f.Add([]byte(s), uint8(i))
	}
	f.Add([]byte(cloudflareTextSmall), uint8(Cloudflare-1))
	f.Add([]byte("10.0.0.0/8\r\n::ffff:10.0.0.0/104\n"), uint8(Cloudflare-1))
	f.Add([]byte(`{"hooks": ["10.0.0.0/8", "x"], "HOOKS": [], "a": [1]}`), uint8(GitHub-1))
	f.Add(gzipBytes([]byte(awsSmall)), uint8(AWS-1))
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		feed := fuzzFeeds()[int(n)%6]
		DetectFeed(data)
		d, err := (DecodeOptions{MaxSize: 1 << 20}).DecodeFeedBytes(data, feed)
		if err != nil {
			if d != nil {
				t.Fatal("document returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "servicetag: ") || len(err.Error()) > 1000 {
				t.Fatalf("error %q", err)
			}
			return
		}
		if d.Feed != feed {
			t.Fatalf("Feed = %v", d.Feed)
		}
		plain := data
		if isGzip(data) {
			if plain, err = (DecodeOptions{MaxSize: 1 << 20}).input(data); err != nil {
				t.Fatal(err)
			}
		}
		if (feed != Cloudflare || isJSONObject(plain)) && !json.Valid(plain) {
			t.Fatalf("accepted invalid JSON %q", plain)
		}
		umbrella := map[string]bool{}
		if name := umbrellaTags[feed]; name != "" {
			if len(d.Tags) == 0 || d.Tags[0].Name != name {
				t.Fatalf("no umbrella tag %s", name)
			}
			for _, p := range d.Tags[0].Prefixes {
				umbrella[p.String()] = true
			}
		}
		seen := map[string]bool{}
		for _, tag := range d.Tags {
			key := strings.ToLower(tag.Name)
			if tag.Name == "" || seen[key] {
				t.Fatalf("empty or repeated name %q", tag.Name)
			}
			seen[key] = true
			inTag := map[string]bool{}
			for _, p := range tag.Prefixes {
				if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() || inTag[p.String()] {
					t.Fatalf("tag %q: prefix %v invalid, not canonical, mapped or repeated", tag.Name, p)
				}
				inTag[p.String()] = true
				if umbrellaTags[feed] != "" && !umbrella[p.String()] {
					t.Fatalf("tag %q: %v is not in the umbrella tag", tag.Name, p)
				}
			}
			if got, err := d.Lookup(strings.ToUpper(tag.Name)); strings.ToLower(strings.ToUpper(tag.Name)) == key && (err != nil || got.Name != tag.Name) {
				t.Fatalf("Lookup(%q) = %q, %v", strings.ToUpper(tag.Name), got.Name, err)
			}
		}
		d.Hash()
		if _, err := Merge(d, d); err == nil {
			t.Fatal("Merge(d, d) succeeded")
		}
	})
}

// TestFuzzSeedsStored checks that the handcrafted seeds under
// testdata/fuzz/FuzzDecodeFeed are in the corpus file format, so that
// `go test` runs them.
func TestFuzzSeedsStored(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecodeFeed", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no stored seeds: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil || !bytes.HasPrefix(b, []byte("go test fuzz v1\n[]byte(")) {
			t.Errorf("%s is not a fuzz corpus file: %v", name, err)
		}
	}
}
