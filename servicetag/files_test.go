package servicetag

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestLoadFiles(t *testing.T) {
	td := func(name string) string { return filepath.Join("testdata", name) }

	// Detected feeds, named feeds, and the two Cloudflare lists as one tag.
	doc, err := LoadFiles(td("ServiceTags_Public_20251020.json.gz"), "aws:"+td("aws_ip-ranges.json.gz"),
		td("cloudflare_ips-v6.txt"), td("github_meta.json"), td("cloudflare_ips-v4.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := doc.Lookup("cloudflare")
	if err != nil || len(cf.Prefixes) != 15+7 || !cf.Prefixes[0].Addr().Is4() {
		t.Fatalf("Cloudflare = %d prefixes (%v), %v; want 15 IPv4 then 7 IPv6", len(cf.Prefixes), cf.Prefixes, err)
	}
	for _, name := range []string{"AzureCloud", "AWS.CLOUDFRONT", "GitHub.hooks"} {
		if _, err := doc.Lookup(name); err != nil {
			t.Errorf("Lookup(%s): %v", name, err)
		}
	}

	// One file is its own document.
	one, err := LoadFiles(td("google_goog.json"))
	if err != nil || one.Feed != Google {
		t.Fatalf("one file: %v, %v", one, err)
	}

	for _, tc := range []struct {
		names []string
		want  error
	}{
		{nil, ErrFileSpec},
		{[]string{"amazon:" + td("aws_ip-ranges.json.gz")}, ErrFileSpec},
		{[]string{td("cloudflare_ips-v4.txt"), td("cloudflare_ips-v4.txt")}, ErrFileSpec},
		{[]string{"google:" + td("aws_ip-ranges.json.gz")}, nil}, // wrong feed named: a decode error
		{[]string{td("ServiceTags_Public_20251020.json.gz"), td("ServiceTags_Public_20251013.json.gz")}, ErrDuplicateTag},
		{[]string{td("missing.json")}, nil},
	} {
		_, err := LoadFiles(tc.names...)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("LoadFiles(%q) = %v, want an error matching %v", tc.names, err, tc.want)
		}
	}
}
