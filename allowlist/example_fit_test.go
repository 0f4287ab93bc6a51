package allowlist_test

import (
	"fmt"
	"net/netip"

	"github.com/ipallow/ipallow/allowlist"
	"go4.org/netipx"
)

// Seven ranges into a limit of four entries. The two addresses merge into
// a /30 (2 more addresses) and the three ranges of 203.0.113.0/24 into it
// (96 more); the IPv6 /48s stay apart, as their /46 would add 2^81.
func ExampleFit() {
	var b netipx.IPSetBuilder
	for _, p := range []string{
		"198.51.100.9/32", "198.51.100.10/32",
		"203.0.113.0/26", "203.0.113.64/27", "203.0.113.128/26",
		"2001:db8::/48", "2001:db8:2::/48",
	} {
		b.AddPrefix(netip.MustParsePrefix(p))
	}
	s, err := b.IPSet()
	if err != nil {
		panic(err)
	}
	fitted, err := allowlist.Fit(s, 4)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(s.Prefixes()), "prefixes fit in", fitted)
	fmt.Println("adds", allowlist.FitAdded(s, fitted))
	// Output:
	// 7 prefixes fit in [198.51.100.8/30 203.0.113.0/24 2001:db8::/48 2001:db8:2::/48]
	// adds [198.51.100.8/32 198.51.100.11/32 203.0.113.96/27 203.0.113.192/26]
}
