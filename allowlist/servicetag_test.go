package allowlist

import (
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/ipallow/ipallow/servicetag"
	"go4.org/netipx"
)

// publicTags is the real Public-cloud download of 2025-10-20, decoded once.
var publicTags = sync.OnceValues(func() (*servicetag.Document, error) {
	return servicetag.LoadFile("testdata/ServiceTags_Public_20251020.json.gz")
})

func loadPublic(t testing.TB) *servicetag.Document {
	t.Helper()
	doc, err := publicTags()
	if err != nil {
		t.Fatalf("decoding the Public service tags: %v", err)
	}
	return doc
}

// TestResolveAzureCloud is the example of the AKS service-tag
// documentation, "--api-server-authorized-ip-ranges AzureCloud,20.20.20.20",
// with the real Public document.
func TestResolveAzureCloud(t *testing.T) {
	doc := loadPublic(t)
	l := mustParse(t, "AzureCloud,20.20.20.20", AKS)
	s, fs := mustResolve(t, Resolver{Tags: doc, Egress: aksEgress}, l)
	if len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}

	// The set is the tag's expansion, the address and the egress.
	tag, err := doc.Lookup("AzureCloud")
	if err != nil {
		t.Fatal(err)
	}
	var b netipx.IPSetBuilder
	for _, p := range tag.Prefixes {
		b.AddPrefix(p)
	}
	b.AddPrefix(mkPrefix("20.20.20.20/32"))
	b.Add(mkAddr("52.170.10.20"))
	b.AddPrefix(mkPrefix("52.170.64.0/30"))
	b.Add(mkAddr("20.62.1.1"))
	want, _ := b.IPSet()
	if !s.IPSet().Equal(want) {
		t.Fatalf("resolved set differs from AzureCloud + 20.20.20.20 + egress")
	}

	checkExplain(t, s, []explainProbe{
		{"20.20.20.20", "entry 0 20.20.20.20/32"},
		{"8.8.8.8", ""},
		// The cluster's outbound IP lies in AzureCloud: the tag explains it.
		{"52.170.10.20", "service tag AzureCloud 52.170.0.0/16"},
	})
	// Every address of the tag is explained by the tag (or by the entry or
	// the egress), with one of the tag's own prefixes.
	own := make(map[netip.Prefix]bool, len(tag.Prefixes))
	for _, p := range tag.Prefixes {
		own[p] = true
	}
	for _, p := range tag.Prefixes {
		for _, a := range []netip.Addr{p.Addr(), netipx.PrefixLastIP(p)} {
			r, ok := s.Explain(a)
			switch {
			case !ok:
				t.Fatalf("Explain(%v) = false for an AzureCloud address", a)
			case r.Source == FromServiceTag && (r.Tag != "AzureCloud" || !own[r.Prefix] || !r.Prefix.Contains(a)):
				t.Fatalf("Explain(%v) = %v: not an AzureCloud prefix that holds it", a, r)
			case r.Source != FromServiceTag && r.Source != FromEntry && r.Source != FromEgress:
				t.Fatalf("Explain(%v) = %v", a, r)
			}
		}
	}
	if r, _ := s.Explain(tag.Prefixes[0].Addr()); r.Source != FromServiceTag {
		t.Errorf("Explain(%v) = %v, want the service tag", tag.Prefixes[0].Addr(), r)
	}

	// A misspelt regional tag is an error with a suggestion.
	_, err = Resolver{Tags: doc}.Resolve(mustParse(t, "AzureCloud.francecentral", AKS))
	if !errors.Is(err, servicetag.ErrUnknownTag) || !errors.Is(err, ErrUnknownTag) || !strings.Contains(err.Error(), "AzureCloud.centralfrance") {
		t.Errorf("unknown tag error = %v, want servicetag.ErrUnknownTag and ErrUnknownTag suggesting AzureCloud.centralfrance", err)
	}
}

// BenchmarkExplain explains addresses of a resolved AzureCloud list: an
// entry, a tag address, an egress address and a denied one.
func BenchmarkExplain(b *testing.B) {
	doc := loadPublic(b)
	s, _ := mustResolve(b, Resolver{Tags: doc, Egress: aksEgress}, mustParse(b, "AzureCloud,"+entries(199, 2), AKS))
	tag, _ := doc.Lookup("AzureCloud")
	probes := []netip.Addr{mkAddr("73.140.0.6"), tag.Prefixes[len(tag.Prefixes)/3].Addr(), mkAddr("52.170.10.20"), mkAddr("8.8.8.8"), mkAddr("::ffff:73.140.0.6")}
	b.Run("resolved", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, a := range probes {
				s.Explain(a)
			}
		}
	})
	c := Compile(s.IPSet())
	c.Explain(probes[0]) // builds c's ranges once
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, a := range probes {
				c.Explain(a)
			}
		}
	})
	b.Run("contains", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, a := range probes {
				s.Contains(a)
			}
		}
	})
}
