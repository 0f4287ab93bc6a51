package allowlist_test

import (
	"errors"
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

func ExampleCompilePrefixes() {
	set, err := allowlist.CompilePrefixes([]netip.Prefix{
		netip.MustParsePrefix("203.0.113.0/25"),
		netip.MustParsePrefix("203.0.113.128/25"), // adjacent: merged with the one above
		netip.MustParsePrefix("203.0.113.7/32"),   // covered
		netip.MustParsePrefix("2001:db8::/48"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(set.Prefixes(), set.Contains(netip.MustParseAddr("203.0.113.200")))

	_, err = allowlist.CompilePrefixes([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/8")})
	fmt.Println(errors.Is(err, allowlist.ErrInvalidPrefix))
	fmt.Println(err)
	// Output:
	// [203.0.113.0/24 2001:db8::/48] true
	// true
	// allowlist: invalid prefix: prefix 0 (10.1.0.0/8): host bits are set; write 10.0.0.0/8 (or 10.1.0.0/32 for the single address)
}

func ExampleSet_Contains_nil() {
	var set *allowlist.Set // a nil Set is empty: it fails closed
	fmt.Println(set.Contains(netip.MustParseAddr("192.0.2.1")))
	// Output:
	// false
}
