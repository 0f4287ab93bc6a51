package allowlist_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/servicetag"
)

// A cluster's list plus the addresses AKS allows implicitly, and which rule
// lets each client in.
func ExampleResolver_Resolve() {
	l, err := allowlist.Parse("73.140.245.0/24,137.117.106.88/29,73.140.245.7", allowlist.AKS)
	if err != nil {
		log.Fatal(err)
	}
	r := allowlist.Resolver{
		Egress: allowlist.Egress{
			OutboundIPs: []netip.Addr{netip.MustParseAddr("52.170.10.20")},
			APIServer:   netip.MustParseAddr("20.62.1.1"),
		},
	}
	set, err := r.Resolve(l)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range r.Lint(l) {
		fmt.Println("lint:", f)
	}
	for _, s := range []string{"73.140.245.7", "137.117.106.90", "52.170.10.20", "::ffff:20.62.1.1", "8.8.8.8"} {
		if rule, ok := set.Explain(netip.MustParseAddr(s)); ok {
			fmt.Printf("%s allowed by %v\n", s, rule)
		} else {
			fmt.Printf("%s denied\n", s)
		}
	}
	// Output:
	// lint: entry 2 "73.140.245.7/32": covered by entry 0 "73.140.245.0/24", which allows all of it; remove it (or narrow the other entry)
	// 73.140.245.7 allowed by entry 0 73.140.245.0/24
	// 137.117.106.90 allowed by entry 1 137.117.106.88/29
	// 52.170.10.20 allowed by egress 52.170.10.20/32
	// ::ffff:20.62.1.1 allowed by egress 20.62.1.1/32
	// 8.8.8.8 denied
}

// The service-tag example of the AKS documentation, with Microsoft's
// Public download of 2025-10-20.
func ExampleResolver_Resolve_serviceTag() {
	doc, err := servicetag.LoadFile("testdata/ServiceTags_Public_20251020.json.gz")
	if err != nil {
		log.Fatal(err)
	}
	l, err := allowlist.Parse("AzureCloud,20.20.20.20", allowlist.AKS)
	if err != nil {
		log.Fatal(err)
	}
	set, err := allowlist.Resolver{Tags: doc}.Resolve(l)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []string{"20.20.20.20", "52.170.10.20", "8.8.8.8"} {
		if rule, ok := set.Explain(netip.MustParseAddr(s)); ok {
			fmt.Printf("%s allowed by %v\n", s, rule)
		} else {
			fmt.Printf("%s denied\n", s)
		}
	}

	_, err = allowlist.Resolver{Tags: doc}.Resolve(allowlist.List{ServiceTags: []string{"AzureCloud.francecentral"}})
	fmt.Println(err)
	// Output:
	// 20.20.20.20 allowed by entry 0 20.20.20.20/32
	// 52.170.10.20 allowed by service tag AzureCloud 52.170.0.0/16
	// 8.8.8.8 denied
	// allowlist: service tag "AzureCloud.francecentral": servicetag: unknown tag "AzureCloud.francecentral"; did you mean "AzureCloud.centralfrance", "AzureCloud.uaecentral" or "AzureBackup.FranceCentral"?
}

// Before replacing a list (AKS updates replace it whole), check whom the
// update cuts off.
func ExampleChange_LockedOut() {
	r := allowlist.Resolver{Egress: allowlist.Egress{OutboundIPs: []netip.Addr{netip.MustParseAddr("52.170.10.20")}}}
	resolve := func(s string) *allowlist.Set {
		l, err := allowlist.Parse(s, allowlist.AKS)
		if err != nil {
			log.Fatal(err)
		}
		set, err := r.Resolve(l)
		if err != nil {
			log.Fatal(err)
		}
		return set
	}
	current := resolve("73.140.245.0/24,137.117.106.88/29")
	proposed := resolve("137.117.106.88/29,20.20.20.20")

	c := allowlist.Diff(current, proposed)
	fmt.Println("gained:", c.Gained)
	fmt.Println("lost:", c.Lost)
	me, node := netip.MustParseAddr("73.140.245.17"), netip.MustParseAddr("52.170.10.20")
	fmt.Println("locked out:", c.LockedOut(me, node))
	// Output:
	// gained: [20.20.20.20/32]
	// lost: [73.140.245.0/24]
	// locked out: [73.140.245.17]
}
