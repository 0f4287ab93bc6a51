package allowlist_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/ipallow/ipallow/allowlist"
)

// An office range minus its guest Wi-Fi: exceptions stay refused inside
// allowed entries, as the except list of a Kubernetes NetworkPolicy
// ipBlock does, and Explain names the exception that refuses.
func ExampleResolver_Resolve_except() {
	l, err := allowlist.Parse("73.140.245.0/24, 20.20.0.0/16", allowlist.AKS)
	if err != nil {
		log.Fatal(err)
	}
	r := allowlist.Resolver{Except: []netip.Prefix{
		netip.MustParsePrefix("73.140.245.192/26"), // the guest Wi-Fi
		netip.MustParsePrefix("52.1.2.0/24"),       // a typo: nothing allows it
	}}
	set, err := r.Resolve(l)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range r.Lint(l) {
		fmt.Println("lint:", f)
	}
	for _, s := range []string{"73.140.245.7", "73.140.245.200", "8.8.8.8"} {
		rule, ok := set.Explain(netip.MustParseAddr(s))
		switch {
		case ok:
			fmt.Printf("%s allowed by %v\n", s, rule)
		case rule.Source == allowlist.FromException:
			fmt.Printf("%s refused by %v\n", s, rule)
		default:
			fmt.Printf("%s refused: not listed\n", s)
		}
	}
	fmt.Println(set.Prefixes())
	// Output:
	// lint: "52.1.2.0/24": exception 1 52.1.2.0/24 lies outside everything the list, its service tags and the egress allow, so it refuses nothing; remove it, or correct it to the range you mean to refuse
	// 73.140.245.7 allowed by entry 0 73.140.245.0/24
	// 73.140.245.200 refused by exception 0 73.140.245.192/26
	// 8.8.8.8 refused: not listed
	// [20.20.0.0/16 73.140.245.0/25 73.140.245.128/26]
}
