package allowlist_test

import (
	"fmt"
	"net/netip"

	"github.com/ipallow/ipallow/allowlist"
	"go4.org/netipx"
)

func ExampleCompile() {
	var b netipx.IPSetBuilder
	b.AddPrefix(netip.MustParsePrefix("203.0.113.0/24"))
	b.AddPrefix(netip.MustParsePrefix("198.51.100.7/32"))
	b.AddPrefix(netip.MustParsePrefix("2001:db8::/48"))
	ips, err := b.IPSet()
	if err != nil {
		panic(err)
	}
	set := allowlist.Compile(ips)
	for _, s := range []string{
		"203.0.113.9",
		"::ffff:203.0.113.9", // IPv4-mapped: matches the IPv4 prefix
		"198.51.100.8",
		"2001:db8::1",
		"2001:db8::1%eth0", // zoned: never matches
	} {
		fmt.Println(s, set.Contains(netip.MustParseAddr(s)))
	}
	fmt.Println(set.Prefixes())
	// Output:
	// 203.0.113.9 true
	// ::ffff:203.0.113.9 true
	// 198.51.100.8 false
	// 2001:db8::1 true
	// 2001:db8::1%eth0 false
	// [198.51.100.7/32 203.0.113.0/24 2001:db8::/48]
}

func ExampleSet_Contains_nil() {
	var set *allowlist.Set // a nil Set is empty: it fails closed
	fmt.Println(set.Contains(netip.MustParseAddr("192.0.2.1")))
	// Output:
	// false
}
