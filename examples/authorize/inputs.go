package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/internal/ipx"
)

// inputs is what the command line refers to, read and checked: everything
// but the lists themselves, which evaluate parses.
type inputs struct {
	addrs    []netip.Addr // the addresses to check
	demo     bool         // addrs are the demonstration addresses
	resolver allowlist.Resolver
	sources  []tagSource // the -service-tags files, in order

	newText string // the new list as given
	newFrom string // the flag it came from: "-ranges", "-diff", "-current" or "" for the demonstration

	current *currentInput // the current list, or nil
}

// load reads and checks what the flags refer to. Its errors are usage
// errors (exit status 2).
func (c config) load(stdin io.Reader) (*inputs, error) {
	in := &inputs{}

	// The lists: which is new, which is current.
	switch {
	case c.hasDiff:
		in.newText, in.newFrom = c.diff, "-diff"
		if c.hasRanges {
			in.current = &currentInput{text: c.ranges, source: "-ranges", shape: "text"}
		}
	case c.hasRanges:
		in.newText, in.newFrom = c.ranges, "-ranges"
	case !c.hasCurrent:
		in.newText = defaultRanges // the demonstration
	}
	if c.hasCurrent {
		cur, err := readCurrent(c.current, stdin)
		if err != nil {
			return nil, err
		}
		in.current = cur
		if !c.hasRanges && !c.hasDiff {
			in.newText, in.newFrom = cur.text, "-current"
		}
	}

	// The addresses.
	args := c.addrs
	if len(args) == 0 && !c.hasRanges && !c.hasDiff && !c.hasCurrent {
		args, in.demo = defaultAddrs, true
	}
	for _, s := range args {
		a, err := parseAddr("address", s)
		if err != nil {
			return nil, err
		}
		in.addrs = append(in.addrs, a)
	}

	// What AKS allows by itself, and what it does not.
	r := &in.resolver
	for _, s := range c.egress {
		p, isPrefix, err := parseEgress("-egress", s)
		if err != nil {
			return nil, err
		}
		if isPrefix {
			r.Egress.OutboundPrefixes = append(r.Egress.OutboundPrefixes, p)
		} else {
			r.Egress.OutboundIPs = append(r.Egress.OutboundIPs, p.Addr())
		}
	}
	if c.apiServerIP != "" {
		p, isPrefix, err := parseEgress("-api-server-ip", c.apiServerIP)
		if err == nil && isPrefix {
			err = fmt.Errorf("-api-server-ip %q: give the API server's address, without a prefix length", c.apiServerIP)
		}
		if err != nil {
			return nil, err
		}
		r.Egress.APIServer = p.Addr()
	}
	for _, s := range c.nodePrefixes {
		p, _, err := parseEgress("-node-public-prefixes", s)
		if err != nil {
			return nil, err
		}
		r.NodePrefixes = append(r.NodePrefixes, p)
	}
	for _, s := range c.extraEgress {
		p, _, err := parseEgress("-extra-egress", s)
		if err != nil {
			return nil, err
		}
		r.ExtraEgress = append(r.ExtraEgress, p)
	}

	// The service tags.
	if len(c.serviceTags) > 0 {
		src, sources, err := loadTags(c.serviceTags)
		if err != nil {
			return nil, err
		}
		r.Tags, in.sources = src, sources
	}
	return in, nil
}

// parseEgress parses an address (as a single-address prefix) or a prefix
// given to the flag named what, and checks it the way the Resolver will,
// so that a problem is reported with the flag's name.
func parseEgress(what, s string) (p netip.Prefix, isPrefix bool, err error) {
	if strings.Contains(s, "/") {
		p, err = netip.ParsePrefix(s)
		if err != nil {
			return p, true, fmt.Errorf("%s %q is not an IP prefix: %s", what, s, netipReason(err))
		}
		isPrefix = true
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, false, fmt.Errorf("%s %q is not an IP address or prefix: %s", what, s, netipReason(err))
		}
		switch ipx.CheckAddr(a) {
		case ipx.Zoned:
			return p, false, fmt.Errorf("%s %q has a zone; give %s", what, s, a.WithZone(""))
		case ipx.Mapped:
			return p, false, fmt.Errorf("%s %q is IPv4-mapped; give the IPv4 address %s", what, s, a.Unmap())
		}
		p = ipx.Host(a)
	}
	switch ipx.CheckPrefix(p) {
	case ipx.Mapped:
		if u := ipx.Unmapped(p); u.IsValid() {
			return p, isPrefix, fmt.Errorf("%s %q is IPv4-mapped; give the IPv4 prefix %s", what, s, u)
		}
		return p, isPrefix, fmt.Errorf("%s %q is IPv4-mapped; give the IPv4 prefix it stands for", what, s)
	case ipx.HostBits:
		return p, isPrefix, fmt.Errorf("%s %q has host bits set; give %s (the range it lies in) or %s (the single address)",
			what, s, p.Masked(), p.Addr())
	}
	return p, isPrefix, nil
}

// maxInputSize bounds what -current and stdin may hold: far more than any
// az aks show output or any list of 2,000 entries.
const maxInputSize = 4 << 20

// readAll reads the file name ("-" for stdin) up to maxInputSize bytes.
func readAll(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", displayName(name), err)
	}
	if len(data) > maxInputSize {
		return nil, fmt.Errorf("%s is larger than %d MiB, more than any az aks show output", displayName(name), maxInputSize>>20)
	}
	return data, nil
}

// displayName names a file in messages.
func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}
