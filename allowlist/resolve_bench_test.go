package allowlist

import (
	"fmt"
	"net/netip"
	"testing"

	"go4.org/netipx"
)

// The reload path: Resolve against building the same set with netipx alone.

// resolveBenchList is AzureCloud (13,080 prefixes) plus 199 entries, with
// the cluster's egress.
func resolveBenchList(b *testing.B) (Resolver, List, []netip.Prefix) {
	doc := loadPublic(b)
	l := mustParse(b, "AzureCloud,"+entries(199, 2), AKS)
	r := Resolver{Tags: doc, Egress: aksEgress}
	_, tag, err := doc.LookupTag("AzureCloud")
	if err != nil {
		b.Fatal(err)
	}
	ps := append(append([]netip.Prefix(nil), l.Prefixes...), tag...)
	ps = append(ps, netip.PrefixFrom(aksEgress.OutboundIPs[0], 32), aksEgress.OutboundPrefixes[0], netip.PrefixFrom(aksEgress.APIServer, 32))
	return r, l, ps
}

// BenchmarkResolveAzureCloud resolves AzureCloud plus 199 entries: the
// cost of a reload.
func BenchmarkResolveAzureCloud(b *testing.B) {
	r, l, _ := resolveBenchList(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolveAzureCloudNetipx builds the same set with
// netipx.IPSetBuilder alone, the yardstick of the reload path.
func BenchmarkResolveAzureCloudNetipx(b *testing.B) {
	_, _, ps := resolveBenchList(b)
	b.ReportAllocs()
	for b.Loop() {
		var bld netipx.IPSetBuilder
		for _, p := range ps {
			bld.AddPrefix(p)
		}
		if _, err := bld.IPSet(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolve200 resolves a 200-entry AKS list.
func BenchmarkResolve200(b *testing.B) {
	l := mustParse(b, entries(200, 2), AKS)
	r := Resolver{Egress: aksEgress}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(l); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExplainConcurrentFirstUse: the rule table of a resolved Set is built
// by the first Explain; goroutines that explain at once all get the answer
// of a table built once.
func TestExplainConcurrentFirstUse(t *testing.T) {
	r := Resolver{Tags: TagMap{"Tag": {netip.MustParsePrefix("20.33.0.0/16")}}, Egress: aksEgress}
	s, err := r.Resolve(mustParse(t, "20.33.1.0/24,Tag", AKS))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"20.33.1.7": "entry 0 20.33.1.0/24", "20.33.2.7": "service tag Tag 20.33.0.0/16", "52.170.10.20": "egress 52.170.10.20/32"}
	done := make(chan error, 8)
	for range 8 {
		go func() {
			for a, w := range want {
				if rule, ok := s.Explain(netip.MustParseAddr(a)); !ok || rule.String() != w {
					done <- fmt.Errorf("Explain(%s) = %v, %v; want %s", a, rule, ok, w)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
