// Command authorize checks a list of authorized IP ranges the way Azure
// Kubernetes Service does, and says for each address whether the list lets
// it in and which entry does.
//
// Usage:
//
//	go run ./examples/authorize [-ranges LIST] [ADDRESS ...]
//
// LIST is what you would pass to az aks update --api-server-authorized-ip-ranges
// (default: 73.140.245.0/24,193.168.1.0/24,194.168.1.0/24). Without
// addresses, a few that show both outcomes are checked. Every problem of an
// invalid list is printed with its fix, and the exit status is 1; an
// argument that is not an IP address gives exit status 2.
//
// AKS also allows the cluster's own egress addresses, and expands a service
// tag to Microsoft's published ranges. This first version knows neither, so
// it decides on the listed ranges alone.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/ipallow/ipallow/allowlist"
	"go4.org/netipx"
)

const defaultRanges = "73.140.245.0/24,193.168.1.0/24,194.168.1.0/24"

var defaultAddrs = []string{"73.140.245.7", "193.168.1.20", "8.8.8.8", "10.0.0.1", "::ffff:73.140.245.7"}

func main() {
	ranges := flag.String("ranges", defaultRanges, "comma-separated authorized IP ranges, as for az aks update --api-server-authorized-ip-ranges")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: authorize [-ranges LIST] [ADDRESS ...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	addrs := flag.Args()
	if len(addrs) == 0 {
		addrs = defaultAddrs
	}
	os.Exit(run(os.Stdout, *ranges, addrs))
}

// run validates ranges with the AKS policy, writes every problem or the
// decision for each address to w, and returns the exit status.
func run(w io.Writer, ranges string, addrs []string) int {
	fmt.Fprintf(w, "ranges: %q\n", ranges)

	// 1. Parse and validate the list exactly as AKS does.
	list, err := allowlist.Parse(ranges, allowlist.AKS)
	if err != nil {
		var le *allowlist.ListError
		if !errors.As(err, &le) {
			fmt.Fprintf(w, "error: %v\n", err)
			return 1
		}
		fmt.Fprintf(w, "AKS would refuse this list; fix these %d problem(s):\n", len(le.Errors))
		for _, e := range le.Errors {
			fmt.Fprintf(w, "  %v\n", e)
		}
		return 1
	}
	switch list.Mode {
	case allowlist.Disabled:
		fmt.Fprintln(w, "the list is empty: the allowlist is disabled and every address is allowed")
	case allowlist.EgressOnly:
		fmt.Fprintln(w, "0.0.0.0/32: only the cluster's egress addresses are allowed (unknown here, so every address is refused)")
	default:
		fmt.Fprintf(w, "valid: %d range(s), canonical form %q\n", len(list.Prefixes), list.String())
		for _, tag := range list.ServiceTags {
			fmt.Fprintf(w, "note: service tag %s is not expanded in this example; its addresses are refused here\n", tag)
		}
	}

	// 2. Compile the listed prefixes into a Set.
	var b netipx.IPSetBuilder
	for _, p := range list.Prefixes {
		b.AddPrefix(p)
	}
	ipset, err := b.IPSet()
	if err != nil {
		fmt.Fprintf(w, "error: %v\n", err)
		return 1
	}
	set := allowlist.Compile(ipset)

	// 3. Decide each address.
	status := 0
	for _, arg := range addrs {
		addr, err := netip.ParseAddr(arg)
		if err != nil {
			fmt.Fprintf(w, "%-22s not an IP address: %v\n", arg, err)
			status = 2
			continue
		}
		switch {
		case list.Mode == allowlist.Disabled:
			fmt.Fprintf(w, "%-22s allowed (the allowlist is disabled)\n", arg)
		case set.Contains(addr):
			// An IPv4-mapped client such as ::ffff:73.140.245.7 is the
			// IPv4 host 73.140.245.7: unmap it before comparing prefixes,
			// as Contains does.
			i, p := entryFor(list, addr.Unmap())
			fmt.Fprintf(w, "%-22s allowed by %s (Prefixes[%d])\n", arg, p, i)
		default:
			fmt.Fprintf(w, "%-22s refused\n", arg)
		}
	}
	return status
}

// entryFor returns the first of list.Prefixes that holds a, and its index
// in list.Prefixes.
func entryFor(list allowlist.List, a netip.Addr) (int, netip.Prefix) {
	for i, p := range list.Prefixes {
		if p.Contains(a) {
			return i, p
		}
	}
	return -1, netip.Prefix{}
}
