package allowlist

import (
	"net/netip"
	"sync"

	"go4.org/netipx"
)

// nonGlobalBlock is one block of address space that CPython 3.13's
// ipaddress module does not consider global, with the exceptions inside it
// that it does consider global.
type nonGlobalBlock struct {
	prefix     netip.Prefix
	name       string // what the block is for, for error messages
	exceptions []netip.Prefix
}

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

func block(p, name string, exceptions ...string) nonGlobalBlock {
	return nonGlobalBlock{netip.MustParsePrefix(p), name, mustPrefixes(exceptions...)}
}

// nonGlobalBlocks is the table of Policy.RequireGlobal: CPython 3.13's
// _private_networks and _private_networks_exceptions for IPv4 and IPv6,
// plus IPv4's shared address space 100.64.0.0/10 (which CPython calls
// neither global nor private). The az CLI decides "global" with this table,
// so our verdicts match its.
//
// Python calls some space global that an allowlist might not want
// (multicast 224.0.0.0/4 and ff00::/8, 3fff::/20, 64:ff9b::/96, ::/96 and
// others); they are not listed here on purpose, to agree with AKS. The lint
// warns about them instead.
var nonGlobalBlocks = []nonGlobalBlock{
	// IPv4.
	block("0.0.0.0/8", `"this network" (RFC 791)`),
	block("10.0.0.0/8", "private-use space (RFC 1918)"),
	block("100.64.0.0/10", "shared address space for carrier-grade NAT (RFC 6598)"),
	block("127.0.0.0/8", "loopback space (RFC 1122)"),
	block("169.254.0.0/16", "link-local space (RFC 3927)"),
	block("172.16.0.0/12", "private-use space (RFC 1918)"),
	block("192.0.0.0/24", "IETF protocol assignments (RFC 6890)", "192.0.0.9/32", "192.0.0.10/32"),
	block("192.0.0.170/31", "NAT64/DNS64 discovery (RFC 8880)"),
	block("192.0.2.0/24", "documentation space TEST-NET-1 (RFC 5737)"),
	block("192.168.0.0/16", "private-use space (RFC 1918)"),
	block("198.18.0.0/15", "benchmarking space (RFC 2544)"),
	block("198.51.100.0/24", "documentation space TEST-NET-2 (RFC 5737)"),
	block("203.0.113.0/24", "documentation space TEST-NET-3 (RFC 5737)"),
	block("240.0.0.0/4", "reserved space (RFC 1112)"),
	block("255.255.255.255/32", "the limited broadcast address (RFC 919)"),

	// IPv6.
	block("::1/128", "the loopback address (RFC 4291)"),
	block("::/128", "the unspecified address (RFC 4291)"),
	block("::ffff:0:0/96", "IPv4-mapped space (RFC 4291)"),
	block("64:ff9b:1::/48", "local-use IPv4/IPv6 translation space (RFC 8215)"),
	block("100::/64", "discard-only space (RFC 6666)"),
	block("2001::/23", "IETF protocol assignments (RFC 2928)",
		"2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48", "2001:20::/28", "2001:30::/28"),
	block("2001:db8::/32", "documentation space (RFC 3849)"),
	block("2002::/16", "6to4 space (RFC 3056)"),
	block("fc00::/7", "unique-local space (RFC 4193)"),
	block("fe80::/10", "link-local space (RFC 4291)"),
}

// nonGlobal reports whether p is not global in the sense of CPython 3.13's
// ip_network(p).is_global, which the az CLI uses: p's first and last
// addresses both lie inside one block of nonGlobalBlocks, and neither lies
// inside any exception. It returns the narrowest such block.
//
// This is a test of the whole network, not of each address: 10.0.0.0/7
// and 0.0.0.0/0 are global because they reach beyond any one block, and
// 192.0.0.8/30 is not global although it holds the exceptions 192.0.0.9 and
// 192.0.0.10, because neither is its first or last address.
func nonGlobal(p netip.Prefix) (nonGlobalBlock, bool) {
	p = p.Masked()
	first := p.Addr()
	if !nonGlobalSet().Contains(first) {
		// Fast path for public space: first lies in no block, or in an
		// exception; either way p is global.
		return nonGlobalBlock{}, false
	}
	last := netipx.PrefixLastIP(p)
	var found nonGlobalBlock
	for _, b := range nonGlobalBlocks {
		if !b.prefix.Contains(first) || !b.prefix.Contains(last) {
			continue
		}
		for _, x := range b.exceptions {
			if x.Contains(first) || x.Contains(last) {
				return nonGlobalBlock{}, false
			}
		}
		if !found.prefix.IsValid() || b.prefix.Bits() > found.prefix.Bits() {
			found = b // report the narrowest block, such as 192.0.0.170/31 rather than 192.0.0.0/24
		}
	}
	return found, found.prefix.IsValid()
}

// nonGlobalSet returns every address that lies in a non-global block and
// not in one of its exceptions, for both families. The set is built once
// and must not be modified.
//
// It is meant for the lint: nonGlobal above follows the az CLI and passes
// over-broad entries such as 10.0.0.0/7 or 0.0.0.0/0, and
// nonGlobalSet().OverlapsPrefix(p) (or overlapsNonGlobal) finds them.
var nonGlobalSet = sync.OnceValue(func() *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, blk := range nonGlobalBlocks {
		b.AddPrefix(blk.prefix)
	}
	for _, blk := range nonGlobalBlocks {
		for _, x := range blk.exceptions {
			b.RemovePrefix(x)
		}
	}
	s, err := b.IPSet()
	if err != nil {
		panic("allowlist: building the non-global set: " + err.Error())
	}
	return s
})

// overlapsNonGlobal reports whether p shares at least one address with
// non-global space (see nonGlobalSet). Every prefix that nonGlobal
// rejects overlaps non-global space, and so do global supernets such as
// 10.0.0.0/7 and 0.0.0.0/0.
func overlapsNonGlobal(p netip.Prefix) bool {
	return nonGlobalSet().OverlapsPrefix(p.Masked())
}
