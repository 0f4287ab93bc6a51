package ipx

import "net/netip"

// Problem is what keeps an address or a prefix from being one that ipallow
// accepts as input: valid, without a zone, not IPv4-mapped and, for a
// prefix, canonical (no bits set past its length).
type Problem int

const (
	OK       Problem = iota // nothing wrong
	Invalid                 // the zero value, or a prefix with a bad length
	Zoned                   // an address with an IPv6 zone
	Mapped                  // IPv4-mapped IPv6 (::ffff:a.b.c.d)
	HostBits                // a prefix with bits set past its length
)

// CheckAddr reports what is wrong with a as an input address.
func CheckAddr(a netip.Addr) Problem {
	switch {
	case !a.IsValid():
		return Invalid
	case a.Zone() != "":
		return Zoned
	case a.Is4In6():
		return Mapped
	}
	return OK
}

// CheckPrefix reports what is wrong with p as an input prefix. A netip.Prefix
// cannot carry a zone, so Zoned never comes back.
func CheckPrefix(p netip.Prefix) Problem {
	switch {
	case !p.IsValid():
		return Invalid
	case p.Addr().Is4In6():
		return Mapped
	case p != p.Masked():
		return HostBits
	}
	return OK
}

// Unmapped returns the IPv4 prefix that the IPv4-mapped prefix p stands for,
// masked; for a mapped p shorter than /96 (which spans more than the mapped
// block) it returns the zero Prefix.
func Unmapped(p netip.Prefix) netip.Prefix {
	if !p.Addr().Is4In6() || p.Bits() < 96 {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked()
}

// Host returns the single-address prefix of a: a/32 or a/128.
func Host(a netip.Addr) netip.Prefix {
	return netip.PrefixFrom(a, a.BitLen())
}

// Family returns "IPv4" or "IPv6", the family of a.
func Family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}
