package allowlist

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/golden"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindingMessages renders the exact text of every lint finding kind and
// every Resolve error, and compares it with testdata/findings.golden: a
// change of wording shows in review. Regenerate the file with
// go test ./allowlist -run TestFindingMessages -update.
func TestFindingMessages(t *testing.T) {
	var b strings.Builder
	lint := func(label, list string, p Policy, r Resolver) {
		l, err := Parse(list, p)
		if err != nil {
			t.Fatalf("%s: Parse(%q): %v", label, list, err)
		}
		fs := r.Lint(l)
		if len(fs) == 0 {
			t.Errorf("%s: no finding", label)
		}
		for _, f := range fs {
			fmt.Fprintf(&b, "[%s] %s: %s\n", label, f.Kind, f)
		}
	}
	resolveErr := func(label string, l List, r Resolver) {
		_, err := r.Resolve(l)
		if err == nil {
			t.Errorf("%s: Resolve succeeded", label)
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(&b, "[%s] %s\n", label, line)
		}
	}
	entries := func(n int) string {
		es := make([]string, n)
		for i := range es {
			es[i] = fmt.Sprintf("20.%d.%d.0/24", i/256, i%256)
		}
		return strings.Join(es, ",")
	}

	lint("duplicate", "20.1.2.0/24,20.1.2.0/24", Policy{}, Resolver{})
	lint("covered", "20.0.0.0/16,20.0.5.0/24", Policy{}, Resolver{})
	lint("non-global inside one block", "10.1.0.0/16", Policy{}, Resolver{})
	lint("non-global supernet", "10.0.0.0/7", Policy{}, Resolver{})
	lint("non-global several blocks", "0.0.0.0/1", Policy{}, Resolver{})
	lint("broad /0", "::/0", Policy{}, Resolver{})
	lint("broad short", "20.0.0.0/6", Policy{}, Resolver{})
	lint("uncovered node prefix", "20.1.0.0/16", Policy{}, Resolver{NodePrefixes: []netip.Prefix{netip.MustParsePrefix("52.1.2.0/28")}})
	lint("uncovered extra egress", "20.1.0.0/16", Policy{}, Resolver{ExtraEgress: []netip.Prefix{netip.MustParsePrefix("20.1.0.0/15")}})
	lint("no egress", "0.0.0.0/32", AKS, Resolver{})
	lint("idle exception", "20.1.0.0/16", Policy{}, Resolver{Except: []netip.Prefix{netip.MustParsePrefix("52.1.0.0/24")}})
	lint("trimmed", "20.1.0.0/16,\n20.2.0.0/16\u00a0", AKS, Resolver{})
	lint("near limit, mergeable", entries(178)+",20.0.0.0/24,20.0.1.0/24", AKS, Resolver{})
	lint("near limit, not mergeable", strings.ReplaceAll(entries(180), ".0/24", ".0/25"), AKS, Resolver{})

	resolveErr("no tag source", List{ServiceTags: []string{"AzureCloud"}}, Resolver{})
	resolveErr("unknown tag", List{ServiceTags: []string{"azurecloud.westeurope"}}, Resolver{Tags: TagMap{"AzureCloud": nil}})
	resolveErr("bad tag prefix", List{ServiceTags: []string{"Bad"}}, Resolver{Tags: TagMap{"Bad": {netip.MustParsePrefix("20.33.0.1/16")}}})
	resolveErr("egress", List{}, Resolver{
		Egress: Egress{
			OutboundIPs:      []netip.Addr{{}, netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("::ffff:1.2.3.4")},
			OutboundPrefixes: []netip.Prefix{{}, netip.MustParsePrefix("::ffff:10.0.0.0/104"), netip.MustParsePrefix("52.1.2.3/28")},
			APIServer:        netip.MustParseAddr("::ffff:20.62.1.1"),
		},
		NodePrefixes: []netip.Prefix{netip.MustParsePrefix("52.1.2.3/28")},
		ExtraEgress:  []netip.Prefix{{}},
	})
	resolveErr("invalid list", List{Mode: Disabled, Prefixes: []netip.Prefix{{}, netip.MustParsePrefix("10.1.0.0/8"), netip.MustParsePrefix("::ffff:10.0.0.0/104")}}, Resolver{})
	resolveErr("unknown mode", List{Mode: Mode(7)}, Resolver{})

	golden.Check(t, filepath.Join("testdata", "findings.golden"), b.String(), "go test ./allowlist -run Messages -update")
}
