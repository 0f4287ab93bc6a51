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

// Parse reports every problem of a list at once, each with a fix that the
// policy accepts. 203.0.113.77/24 breaks two rules: its host bits are set,
// and the range it starts is documentation space, so no fix is offered.
func ExampleParse_errors() {
	_, err := allowlist.Parse("137.117.106.90/29,10.0.0.0/8,,203.0.113.77/24", allowlist.AKS)
	fmt.Println(err)
	fmt.Println(errors.Is(err, allowlist.ErrNonCanonical))

	var le *allowlist.ListError
	if errors.As(err, &le) {
		for _, e := range le.Errors {
			fmt.Println(e.Index, e.Entry, e.Kind)
		}
	}
	// Output:
	// entry 0 "137.117.106.90/29": host bits are set; the range starts at 137.117.106.88/29; write 137.117.106.88/29 (or 137.117.106.90/32 for the single address)
	// entry 1 "10.0.0.0/8": lies inside 10.0.0.0/8, private-use space (RFC 1918), which is not globally reachable; this policy accepts only global ranges: list the public addresses your clients come from
	// entry 2 "": empty entry (a leading, trailing or doubled comma, or a blank between commas); remove it
	// entry 3 "203.0.113.77/24": host bits are set; the range starts at 203.0.113.0/24, but this policy refuses it because it lies inside 203.0.113.0/24, documentation space TEST-NET-3 (RFC 5737), which is not globally reachable, and refuses the single address 203.0.113.77/32 too; remove the entry or write the range you meant
	// entry 3 "203.0.113.77/24": lies inside 203.0.113.0/24, documentation space TEST-NET-3 (RFC 5737), which is not globally reachable; this policy accepts only global ranges: list the public addresses your clients come from
	// true
	// 0 137.117.106.90/29 allowlist: host bits set
	// 1 10.0.0.0/8 allowlist: not a global range
	// 2  allowlist: empty entry
	// 3 203.0.113.77/24 allowlist: host bits set
	// 3 203.0.113.77/24 allowlist: not a global range
}

// Pasting mistakes get messages of their own, with the fix.
func ExampleParse_pasted() {
	for _, s := range []string{
		`["73.140.245.0/24"]`,
		"73.140.245.0/24;193.168.1.0/24",
		"$CURRENT_IP/24",
		"azurecloud",
	} {
		_, err := allowlist.Parse(s, allowlist.AKS)
		fmt.Println(err)
	}
	// Output:
	// entry 0 "[\"73.140.245.0/24\"]": is part of a JSON array (as az aks show prints the ranges), but entries are separated by commas alone; remove the brackets and quotes and write 73.140.245.0/24
	// entry 0 "73.140.245.0/24;193.168.1.0/24": holds 2 entries separated by semicolons; separate entries with commas: write 73.140.245.0/24,193.168.1.0/24
	// entry 0 "$CURRENT_IP/24": holds $CURRENT_IP, a shell variable that was not expanded (in single quotes, or in a file or tool that expands no variables); write the address or range it stands for
	// entry 0 "azurecloud": looks like the service tag AzureCloud spelt another way; tag names start with a capital letter and are best written as published: write AzureCloud
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

// ParseLines reads a range file: entries on lines, comments, CRLF.
func ExampleParseLines() {
	file := "# office and CI\r\n" +
		"73.140.245.0/24   # office\r\n" +
		"20.20.20.20, 52.100.1.3\r\n" +
		"\r\n" +
		"AzureCloud\r\n"
	l, err := allowlist.ParseLines(file, allowlist.AKS)
	fmt.Println(l, err)
	// Output:
	// 73.140.245.0/24,20.20.20.20/32,52.100.1.3/32,AzureCloud <nil>
}

// Errors in a range file give the line and column; a file without entries
// is an error, not a disabled allowlist.
func ExampleParseLines_errors() {
	_, err := allowlist.ParseLines("73.140.245.0/24\n  10.0.0.1 # old VPN\n", allowlist.AKS)
	fmt.Println(err)
	_, err = allowlist.ParseLines("# all removed\n", allowlist.AKS)
	fmt.Println(errors.Is(err, allowlist.ErrNoEntries))
	// Output:
	// line 2, column 3: "10.0.0.1": lies inside 10.0.0.0/8, private-use space (RFC 1918), which is not globally reachable; this policy accepts only global ranges: list the public addresses your clients come from
	// true
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

// Providers accepts the tag names of other providers' feeds beside
// Azure's, several of them, and any range.
func ExampleProviders() {
	l, err := allowlist.Parse("Cloudflare,GitHub.hooks,AWS.EC2.us-east-1,203.0.113.0/24", allowlist.Providers)
	fmt.Println(l.Prefixes, l.ServiceTags, err)
	_, err = allowlist.Parse("AWS.EC2.us-east-1", allowlist.AKS)
	fmt.Println(errors.Is(err, allowlist.ErrMalformed))
	// Output:
	// [203.0.113.0/24] [Cloudflare GitHub.hooks AWS.EC2.us-east-1] <nil>
	// true
}

// Under AKS, the characters around entries are trimmed as the az CLI
// trims them, so a list from a heredoc parses; under the general policy
// only spaces and tabs are.
func ExamplePolicy_trimUnicodeSpace() {
	s := "73.140.245.0/24,\n193.168.1.0/24\n"
	l, err := allowlist.Parse(s, allowlist.AKS)
	fmt.Println(l, err)
	_, err = allowlist.Parse(s, allowlist.Policy{})
	fmt.Println(err)
	// Output:
	// 73.140.245.0/24,193.168.1.0/24 <nil>
	// entry 1 "\n193.168.1.0/24\n": has the control character '\n' at offset 0; remove them and write 193.168.1.0/24
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
