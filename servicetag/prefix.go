package servicetag

import (
	"bytes"
	"net/netip"
)

// parsePrefix parses b exactly as [netip.ParsePrefix] parses string(b).
//
// The common forms (dotted-quad IPv4 and plain hexadecimal IPv6, as used
// by every real service-tag file) are parsed straight from the bytes
// without allocating. Anything else, including every input the fast path
// rejects, goes to netip.ParsePrefix, so acceptance and results are
// netip's; FuzzParsePrefix checks that the two agree.
func parsePrefix(b []byte) (netip.Prefix, error) {
	if p, ok := parsePrefixFast(b); ok {
		return p, nil
	}
	return netip.ParsePrefix(string(b))
}

func parsePrefixFast(b []byte) (netip.Prefix, bool) {
	slash := bytes.LastIndexByte(b, '/')
	if slash < 0 {
		return netip.Prefix{}, false
	}
	bits, ok := parseBits(b[slash+1:])
	if !ok {
		return netip.Prefix{}, false
	}
	var a netip.Addr
	if bytes.IndexByte(b[:slash], ':') >= 0 {
		a, ok = parseIPv6(b[:slash])
		if !ok || bits > 128 {
			return netip.Prefix{}, false
		}
	} else {
		a, ok = parseIPv4(b[:slash])
		if !ok || bits > 32 {
			return netip.Prefix{}, false
		}
	}
	return netip.PrefixFrom(a, bits), true
}

// parseBits accepts 1 to 3 decimal digits without a leading zero (except "0").
func parseBits(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 3 || (len(b) > 1 && b[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func parseIPv4(b []byte) (netip.Addr, bool) {
	var out [4]byte
	field, digits, val := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || field > 3 {
				return netip.Addr{}, false
			}
			out[field] = byte(val)
			field++
			digits, val = 0, 0
			continue
		}
		c := b[i]
		if c < '0' || c > '9' || (digits > 0 && val == 0) {
			return netip.Addr{}, false // not a digit, or a leading zero
		}
		val = val*10 + int(c-'0')
		digits++
		if val > 255 {
			return netip.Addr{}, false
		}
	}
	if field != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(out), true
}

// parseIPv6 handles hexadecimal groups with at most one "::". Embedded
// IPv4 and zones are left to netip.
func parseIPv6(b []byte) (netip.Addr, bool) {
	var groups [8]uint16
	n := 0
	ellipsis := -1
	i := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		i = 2
		if i == len(b) {
			return netip.IPv6Unspecified(), true
		}
	}
	for i < len(b) {
		if n == 8 {
			return netip.Addr{}, false
		}
		val, digits := 0, 0
	hex:
		for i < len(b) && digits < 5 {
			c := b[i]
			var d byte
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				break hex
			}
			val = val<<4 | int(d)
			digits++
			i++
		}
		if digits == 0 || digits > 4 {
			return netip.Addr{}, false
		}
		groups[n] = uint16(val)
		n++
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return netip.Addr{}, false
		}
		i++
		if i < len(b) && b[i] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = n
			i++
			if i == len(b) {
				break
			}
		} else if i == len(b) {
			return netip.Addr{}, false // trailing single colon
		}
	}
	if ellipsis < 0 {
		if n != 8 {
			return netip.Addr{}, false
		}
	} else {
		if n >= 8 {
			return netip.Addr{}, false
		}
		shift := 8 - n
		copy(groups[ellipsis+shift:], groups[ellipsis:n])
		for j := ellipsis; j < ellipsis+shift; j++ {
			groups[j] = 0
		}
	}
	var out [16]byte
	for j, g := range groups {
		out[2*j] = byte(g >> 8)
		out[2*j+1] = byte(g)
	}
	return netip.AddrFrom16(out), true
}
