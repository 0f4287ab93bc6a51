package trie

import (
	"cmp"
	"math/bits"
	"net/netip"
	"slices"
)

// An IPv4 range [from, to] is packed into one word, from<<32 | (to-from):
// sorting the words sorts the ranges by their first address, and
// x-from <= to-from (unsigned, wrapping) tests that x is in the range.
func pack4(from, to uint32) uint64 { return uint64(from)<<32 | uint64(to-from) }

func from4(e uint64) uint32 { return uint32(e >> 32) }
func to4(e uint64) uint32   { return uint32(e>>32) + uint32(e) }

// range6 is an IPv6 range: its first address hi:lo and its span, the last
// address minus the first (so that one unsigned comparison tests
// membership, as for IPv4).
type range6 struct {
	hi, lo         uint64
	spanHi, spanLo uint64
}

// to returns the last address of r.
func (r range6) to() (hi, lo uint64) {
	lo, c := bits.Add64(r.lo, r.spanLo, 0)
	hi, _ = bits.Add64(r.hi, r.spanHi, c)
	return hi, lo
}

// cmp6 orders IPv6 ranges by their first address.
func cmp6(a, b range6) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// merge4 sorts the IPv4 ranges rs and merges those that overlap or touch,
// in place.
func merge4(rs []uint64) []uint64 {
	if !slices.IsSorted(rs) {
		slices.Sort(rs)
	}
	out := rs[:0]
	for i := 0; i < len(rs); {
		from, to := uint64(from4(rs[i])), uint64(to4(rs[i]))
		j := i + 1
		for ; j < len(rs) && uint64(from4(rs[j])) <= to+1; j++ {
			to = max(to, uint64(to4(rs[j])))
		}
		out = append(out, pack4(uint32(from), uint32(to)))
		i = j
	}
	return out
}

// merge6 is merge4 for IPv6.
func merge6(rs []range6) []range6 {
	if !slices.IsSortedFunc(rs, cmp6) {
		slices.SortFunc(rs, cmp6)
	}
	out := rs[:0]
	for i := 0; i < len(rs); {
		r := rs[i]
		th, tl := r.to()
		j := i + 1
		for ; j < len(rs); j++ {
			// rs[j] starts at most one address past th:tl?
			nl, c := bits.Add64(tl, 1, 0)
			nh, c := bits.Add64(th, 0, c)
			if c == 0 && less128(nh, nl, rs[j].hi, rs[j].lo) {
				break
			}
			if h, l := rs[j].to(); less128(th, tl, h, l) {
				th, tl = h, l
			}
		}
		sl, c := bits.Sub64(tl, r.lo, 0)
		sh, _ := bits.Sub64(th, r.hi, c)
		out = append(out, range6{r.hi, r.lo, sh, sl})
		i = j
	}
	return out
}

func less128(ah, al, bh, bl uint64) bool { return ah < bh || ah == bh && al < bl }

// eachPrefix4 calls yield with the minimal prefixes of the IPv4 range e,
// in order, as an address and a length.
func eachPrefix4(e uint64, yield func(a uint32, bits int)) {
	a, last := uint64(from4(e)), uint64(to4(e))
	for a <= last {
		s := min(bits.TrailingZeros32(uint32(a)), bits.Len64(last-a+1)-1)
		yield(uint32(a), 32-s)
		a += 1 << s
	}
}

// eachPrefix6 calls yield with the minimal prefixes of the IPv6 range r,
// in order.
func eachPrefix6(r range6, yield func(hi, lo uint64, bits int)) {
	hi, lo := r.hi, r.lo
	sh, sl := r.spanHi, r.spanLo // the addresses left, minus one
	for {
		// The largest block at hi:lo: aligned there (tz) and within the
		// span (log2(span+1)).
		tz := 128
		if lo != 0 {
			tz = bits.TrailingZeros64(lo)
		} else if hi != 0 {
			tz = 64 + bits.TrailingZeros64(hi)
		}
		nl, c := bits.Add64(sl, 1, 0)
		nh, c := bits.Add64(sh, 0, c)
		fit := 128 // span+1 = 2^128
		if c == 0 {
			if nh != 0 {
				fit = 64 + bits.Len64(nh) - 1
			} else {
				fit = bits.Len64(nl) - 1
			}
		}
		s := min(tz, fit)
		yield(hi, lo, 128-s)
		// The block holds 2^s addresses: subtract them from the span
		// (stop when they were all that was left) and step past them.
		var bh, bl uint64
		if s == 128 {
			return
		} else if s >= 64 {
			bh = 1 << (s - 64)
		} else {
			bl = 1 << s
		}
		// span+1 == block: done.
		if nh == bh && nl == bl {
			return
		}
		var b uint64
		sl, b = bits.Sub64(sl, bl, 0)
		sh, _ = bits.Sub64(sh, bh, b)
		lo, c = bits.Add64(lo, bl, 0)
		hi, _ = bits.Add64(hi, bh, c)
	}
}

func countPrefixes4(rs []uint64) int {
	n := 0
	for _, e := range rs {
		eachPrefix4(e, func(uint32, int) { n++ })
	}
	return n
}

func countPrefixes6(rs []range6) int {
	n := 0
	for _, r := range rs {
		eachPrefix6(r, func(uint64, uint64, int) { n++ })
	}
	return n
}

// addr6 returns the IPv6 address hi:lo.
func addr6(hi, lo uint64) netip.Addr {
	var b [16]byte
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(b)
}

// addr4 returns the IPv4 address x.
func addr4(x uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}
