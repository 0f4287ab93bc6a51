// Command authorize checks a list of authorized IP ranges the way Azure
// Kubernetes Service does, builds the allowlist that AKS would enforce, and
// says for each address whether it is allowed and by which rule.
//
// Usage:
//
//	go run ./examples/authorize [flags] [ADDRESS ...]
//
// Flags:
//
//	-ranges LIST        what you would pass to az aks update
//	                    --api-server-authorized-ip-ranges
//	                    (default 73.140.245.0/24,193.168.1.0/24,194.168.1.0/24)
//	-service-tags FILE  an Azure service-tag download (ServiceTags_*.json or
//	                    .json.gz) that expands a tag named in LIST
//	-egress ADDRS       the cluster's egress: comma-separated outbound IPs or
//	                    outbound IP prefixes, which AKS allows implicitly
//	-diff NEW_LIST      show what replacing LIST by NEW_LIST would add and
//	                    remove, and which of the addresses it would cut off
//
// Without addresses, a few that show both outcomes are checked. Every
// problem of an invalid list is printed with its fix, and the exit status is
// 1; an argument that is not an IP address gives exit status 2.
//
// For example, with the service-tag download kept in this repository:
//
//	go run ./examples/authorize -service-tags servicetag/testdata/ServiceTags_Public_20251020.json.gz \
//	    -ranges AzureCloud,20.20.20.20 20.20.20.20 8.8.8.8
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/servicetag"
)

const defaultRanges = "73.140.245.0/24,193.168.1.0/24,194.168.1.0/24"

var defaultAddrs = []string{"73.140.245.7", "193.168.1.20", "8.8.8.8", "10.0.0.1", "::ffff:73.140.245.7"}

// config is what the flags say.
type config struct {
	ranges      string
	serviceTags string // path of a service-tag download, or ""
	egress      string // comma-separated addresses and prefixes, or ""
	diff        string // the list that would replace ranges; "" with hasDiff false: no diff
	hasDiff     bool
	addrs       []string
}

func main() {
	var c config
	flag.StringVar(&c.ranges, "ranges", defaultRanges, "comma-separated authorized IP ranges, as for az aks update --api-server-authorized-ip-ranges")
	flag.StringVar(&c.serviceTags, "service-tags", "", "Azure service-tag download (`FILE`, .json or .json.gz) that expands a tag in -ranges")
	flag.StringVar(&c.egress, "egress", "", "the cluster's outbound IPs and IP prefixes (`ADDRS`, comma-separated), allowed implicitly")
	flag.StringVar(&c.diff, "diff", "", "a `NEW_LIST` to compare with -ranges: what it adds, removes and whom it cuts off")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: authorize [flags] [ADDRESS ...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { c.hasDiff = c.hasDiff || f.Name == "diff" })
	c.addrs = flag.Args()
	if len(c.addrs) == 0 {
		c.addrs = defaultAddrs
	}
	os.Exit(run(os.Stdout, c))
}

// run does the work of the command, writing to w, and returns the exit
// status.
func run(w io.Writer, c config) int {
	// 1. The platform's side: service tags and egress addresses.
	var r allowlist.Resolver
	if c.serviceTags != "" {
		doc, err := servicetag.LoadFile(c.serviceTags)
		if err != nil {
			fmt.Fprintf(w, "error: %v\n", err)
			return 1
		}
		fmt.Fprintf(w, "service tags: %s cloud, changeNumber %d, %d tags, content %s\n",
			doc.Cloud, doc.ChangeNumber, len(doc.Tags), doc.Hash().String()[:12])
		r.Tags = doc
	}
	egress, err := parseEgress(c.egress)
	if err != nil {
		fmt.Fprintf(w, "error: -egress: %v\n", err)
		return 1
	}
	r.Egress = egress

	// 2. Parse the list exactly as AKS does, and resolve it into the set
	//    that AKS would enforce.
	fmt.Fprintf(w, "ranges: %q\n", c.ranges)
	set, ok := resolve(w, r, c.ranges)
	if !ok {
		return 1
	}

	// 3. Decide and explain each address.
	addrs, status := parseAddrs(w, c.addrs)
	for _, a := range addrs {
		if rule, ok := set.Explain(a); ok {
			fmt.Fprintf(w, "%-22s allowed by %s\n", a, rule)
		} else {
			fmt.Fprintf(w, "%-22s refused: no entry, service tag or egress address holds it\n", a)
		}
	}

	// 4. Optionally, what an update to another list would change.
	if c.hasDiff {
		fmt.Fprintf(w, "\nupdate to: %q\n", c.diff)
		next, ok := resolve(w, r, c.diff)
		if !ok {
			fmt.Fprintln(w, "the update would be refused; the current list stays")
			return 1
		}
		change := allowlist.Diff(set, next)
		printPrefixes(w, "gains access", change.Gained)
		printPrefixes(w, "loses access", change.Lost)
		if out := change.LockedOut(addrs...); len(out) > 0 {
			for _, a := range out {
				rule, _ := set.Explain(a)
				fmt.Fprintf(w, "LOCK-OUT: %s would lose access (allowed now by %s)\n", a, rule)
			}
		} else {
			fmt.Fprintln(w, "none of the addresses loses access")
		}
	}
	return status
}

// resolve parses ranges with the AKS policy and resolves it with r, writing
// the problems or a summary and the lint findings to w.
func resolve(w io.Writer, r allowlist.Resolver, ranges string) (*allowlist.Set, bool) {
	list, err := allowlist.Parse(ranges, allowlist.AKS)
	if err != nil {
		var le *allowlist.ListError
		if errors.As(err, &le) {
			fmt.Fprintf(w, "AKS would refuse this list; fix these %d problem(s):\n", len(le.Errors))
			for _, e := range le.Errors {
				fmt.Fprintf(w, "  %v\n", e)
			}
		} else {
			fmt.Fprintf(w, "error: %v\n", err)
		}
		return nil, false
	}
	switch list.Mode {
	case allowlist.Disabled:
		fmt.Fprintln(w, "the list is empty: the allowlist is disabled and every address is allowed")
	case allowlist.EgressOnly:
		fmt.Fprintln(w, "0.0.0.0/32: only the cluster's egress addresses are allowed")
	default:
		fmt.Fprintf(w, "valid: %d range(s), %d service tag(s); canonical form %q\n",
			len(list.Prefixes), len(list.ServiceTags), list.String())
	}
	set, err := r.Resolve(list)
	if err != nil {
		if errors.Is(err, allowlist.ErrNoTagSource) {
			fmt.Fprintf(w, "error: %v\n  (pass a service-tag download with -service-tags FILE)\n", err)
		} else {
			fmt.Fprintf(w, "error: %v\n", err)
		}
		return nil, false
	}
	for _, f := range r.Lint(list) {
		fmt.Fprintf(w, "warning: %v\n", f)
	}
	fmt.Fprintf(w, "enforced: %d address prefix(es) after merging\n", set.NumPrefixes())
	return set, true
}

// parseEgress reads comma-separated outbound IPs and IP prefixes.
func parseEgress(s string) (allowlist.Egress, error) {
	var e allowlist.Egress
	if strings.TrimSpace(s) == "" {
		return e, nil
	}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return e, err
			}
			e.OutboundPrefixes = append(e.OutboundPrefixes, p)
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return e, err
		}
		e.OutboundIPs = append(e.OutboundIPs, a)
	}
	return e, nil // Resolve rejects zoned, mapped and non-canonical entries
}

// parseAddrs parses the address arguments, reporting the bad ones to w;
// the status is 2 if any was bad.
func parseAddrs(w io.Writer, args []string) ([]netip.Addr, int) {
	var addrs []netip.Addr
	status := 0
	for _, arg := range args {
		a, err := netip.ParseAddr(arg)
		if err != nil {
			fmt.Fprintf(w, "%-22s not an IP address: %v\n", arg, err)
			status = 2
			continue
		}
		addrs = append(addrs, a)
	}
	return addrs, status
}

// printPrefixes prints at most ten prefixes of ps under a heading.
func printPrefixes(w io.Writer, what string, ps []netip.Prefix) {
	if len(ps) == 0 {
		fmt.Fprintf(w, "%s: nothing\n", what)
		return
	}
	fmt.Fprintf(w, "%s: %d prefix(es)\n", what, len(ps))
	for i, p := range ps {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(ps)-i)
			break
		}
		fmt.Fprintf(w, "  %s\n", p)
	}
}
