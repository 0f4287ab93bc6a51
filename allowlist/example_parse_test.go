package allowlist_test

import (
	"errors"
	"fmt"

	"github.com/ipallow/ipallow/allowlist"
)

func ExampleParse() {
	l, err := allowlist.Parse("73.140.245.0/24, 20.20.20.20, AzureCloud", allowlist.AKS)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Mode, l.Prefixes, l.ServiceTags)
	fmt.Println(l)
	// Output:
	// Restricted [73.140.245.0/24 20.20.20.20/32] [AzureCloud]
	// 73.140.245.0/24,20.20.20.20/32,AzureCloud
}

// Parse reports every problem of a list at once, each with its fix.
func ExampleParse_errors() {
	_, err := allowlist.Parse("137.117.106.90/29,10.0.0.0/8,,2001:db8::/32", allowlist.AKS)
	fmt.Println(err)
	fmt.Println(errors.Is(err, allowlist.ErrNonCanonical))

	var le *allowlist.ListError
	if errors.As(err, &le) {
		for _, e := range le.Errors {
			fmt.Println(e.Index, e.Entry, e.Kind)
		}
	}
	// Output:
	// entry 0 "137.117.106.90/29": host bits are set; the range starts at 137.117.106.88/29 — write 137.117.106.88/29 (or 137.117.106.90/32 for the single address)
	// entry 1 "10.0.0.0/8": lies inside 10.0.0.0/8, private-use space (RFC 1918), which is not globally reachable; this policy accepts only global ranges — list the public addresses your clients come from
	// entry 2 "": empty entry (a leading, trailing or doubled comma, or a blank between commas); remove it
	// entry 3 "2001:db8::/32": is an IPv6 range and this policy accepts only IPv4 (as AKS does); remove it
	// true
	// 0 137.117.106.90/29 allowlist: host bits set
	// 1 10.0.0.0/8 allowlist: not a global range
	// 2  allowlist: empty entry
	// 3 2001:db8::/32 allowlist: IPv6 entry
}

// The empty value disables the allowlist; 0.0.0.0/32 alone allows only the
// cluster's egress addresses.
func ExampleParse_modes() {
	for _, s := range []string{"", "0.0.0.0/32", "0.0.0.0"} {
		l, err := allowlist.Parse(s, allowlist.AKS)
		fmt.Printf("%q: %v %v\n", s, l.Mode, err != nil)
	}
	// Output:
	// "": Disabled false
	// "0.0.0.0/32": EgressOnly false
	// "0.0.0.0": Restricted true
}

// A policy for general use: IPv6 and private ranges allowed, up to 50
// entries, no service tags.
func ExamplePolicy() {
	p := allowlist.Policy{MaxEntries: 50}
	l, err := allowlist.Parse("10.0.0.0/8, 2001:db8::/32, fd00::1", p)
	fmt.Println(l, err)
	// Output:
	// 10.0.0.0/8,2001:db8::/32,fd00::1/128 <nil>
}

// The zero List allows nothing. It prints as a text that Parse rejects,
// never as "" (which would disable the allowlist).
func ExampleList_String() {
	var l allowlist.List
	fmt.Printf("%q\n", l.String())
	_, err := allowlist.Parse(l.String(), allowlist.AKS)
	fmt.Println(errors.Is(err, allowlist.ErrMalformed))
	// Output:
	// "<empty>"
	// true
}
