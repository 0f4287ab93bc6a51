package trie

import (
	"fmt"
	"math/bits"
	"net/netip"
	"unsafe"
)

// node is one 24-byte trie node: a stride node, which consumes the next 6
// bits of the key, or a skip node, which compares the next 1 to 64 bits of
// the key with a stored value. The low 16 bits of meta tell them apart.
//
// Stride node (meta&0xffff == 0): bit i of inner says slot i leads to a
// child; bit i of leaf says slot i (when not inner) lies entirely in the
// set. The children are blocks of 1<<j nodes, j = meta>>16, stored
// contiguously from base in slot order; the next j key bits pick the node
// within the block, so slot i leads to
// nodes[base + popcount(inner & (1<<i - 1))<<j + next j bits].
//
// Skip node: w = meta&0x7f (1..64) key bits must equal the top w bits of
// leaf, or the address is not in the set. With the terminal flag set the
// address is then in the set; otherwise the walk continues at nodes[base]
// with the w bits consumed.
type node struct {
	inner uint64
	leaf  uint64
	base  uint32
	meta  uint32
}

const (
	// maxRoot4 and maxRoot6 bound the direct-pointing bits of the root
	// arrays: 1<<12 nodes (96 KiB) for IPv4, 1<<10 (24 KiB) for IPv6.
	maxRoot4 = 12
	maxRoot6 = 10
	// maxBlock bounds the direct-pointing bits of a child block.
	maxBlock = 8

	stride   = 6
	terminal = 1 << 8
	skipBits = 1<<7 - 1 // meta bits of a skip node's width
)

// Table is an immutable set of IPv4 and IPv6 addresses. The zero Table is
// empty. A Table is safe for concurrent use.
type Table struct {
	n4, n6 []node // IPv4 and IPv6 tries; the first 1<<k nodes are the root array
	k4, k6 uint8  // direct-pointing bits of each root array
	c4, c6 uint8  // bits every key of the family must start with before the root array
	w4, w6 uint64 // those bits, top-aligned
	p4, p6 int    // prefixes of each family the table was built from
}

// Contains reports whether a is in t, with the semantics of
// netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6 addresses are looked up
// as IPv4 (with their zone ignored), zoned IPv6 addresses and the zero Addr
// are never contained.
func (t *Table) Contains(a netip.Addr) bool {
	if a.Is4() || a.Is4In6() {
		b := a.As4()
		return t.Contains4(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]))
	}
	if !a.Is6() || a.Zone() != "" {
		return false
	}
	b := a.As16()
	return t.Contains6(be64(b[:8]), be64(b[8:]))
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[7]) | uint64(b[6])<<8 | uint64(b[5])<<16 | uint64(b[4])<<24 |
		uint64(b[3])<<32 | uint64(b[2])<<40 | uint64(b[1])<<48 | uint64(b[0])<<56
}

// Contains4 reports whether the IPv4 address x (in host order) is in t.
func (t *Table) Contains4(x uint32) bool {
	nodes := t.n4
	if len(nodes) == 0 {
		return false
	}
	k := uint64(x) << 32
	if (k^t.w4)>>(64-t.c4) != 0 {
		return false
	}
	k <<= t.c4
	i := uint32(k >> (64 - t.k4))
	k <<= t.k4
	for {
		n := &nodes[i]
		if n.meta&0xffff != 0 {
			w := n.meta & skipBits
			if (k^n.leaf)>>(64-w) != 0 {
				return false
			}
			if n.meta&terminal != 0 {
				return true
			}
			k <<= w
			i = n.base
			continue
		}
		bit := uint64(1) << (k >> (64 - stride))
		if n.inner&bit == 0 {
			return n.leaf&bit != 0
		}
		j := n.meta >> 16
		k <<= stride
		i = n.base + uint32(bits.OnesCount64(n.inner&(bit-1)))<<j + uint32(k>>(64-j))
		k <<= j
	}
}

// Contains6 reports whether the IPv6 address with the 64-bit halves hi and
// lo (in host order) is in t.
func (t *Table) Contains6(hi, lo uint64) bool {
	nodes := t.n6
	if len(nodes) == 0 {
		return false
	}
	if (hi^t.w6)>>(64-t.c6) != 0 {
		return false
	}
	c := uint(t.c6)
	hi, lo = hi<<c|lo>>(64-c), lo<<c
	kb := uint(t.k6)
	i := uint32(hi >> (64 - kb))
	hi, lo = hi<<kb|lo>>(64-kb), lo<<kb
	for {
		n := &nodes[i]
		if n.meta&0xffff != 0 {
			w := uint(n.meta & skipBits)
			if (hi^n.leaf)>>(64-w) != 0 {
				return false
			}
			if n.meta&terminal != 0 {
				return true
			}
			hi, lo = hi<<w|lo>>(64-w), lo<<w
			i = n.base
			continue
		}
		bit := uint64(1) << (hi >> (64 - stride))
		if n.inner&bit == 0 {
			return n.leaf&bit != 0
		}
		j := uint(n.meta >> 16)
		hi, lo = hi<<stride|lo>>(64-stride), lo<<stride
		i = n.base + uint32(bits.OnesCount64(n.inner&(bit-1)))<<j + uint32(hi>>(64-j))
		hi, lo = hi<<j|lo>>(64-j), lo<<j
	}
}

// Stats describes the size of a Table.
type Stats struct {
	Prefixes4, Prefixes6 int // prefixes the table was built from, per family
	Nodes4, Nodes6       int // trie nodes, per family
	Bytes                int // memory held by the nodes
}

// Stats returns the sizes of t.
func (t *Table) Stats() Stats {
	sz := int(unsafe.Sizeof(node{}))
	return Stats{
		Prefixes4: t.p4, Prefixes6: t.p6,
		Nodes4: len(t.n4), Nodes6: len(t.n6),
		Bytes: (cap(t.n4) + cap(t.n6)) * sz,
	}
}

// key is a 128-bit address; IPv4 addresses occupy the top 32 bits of hi.
type key struct{ hi, lo uint64 }

func (k key) shl(n int) key {
	if n >= 64 {
		return key{k.lo << (n - 64), 0}
	}
	if n == 0 {
		return k
	}
	return key{k.hi<<n | k.lo>>(64-n), k.lo << n}
}

// top returns the n (0..64) bits of k from bit offset off, right-aligned.
func (k key) top(off, n int) uint64 {
	if n == 0 {
		return 0
	}
	return k.shl(off).hi >> (64 - n)
}

func commonBits(a, b key) int {
	if a.hi != b.hi {
		return bits.LeadingZeros64(a.hi ^ b.hi)
	}
	return 64 + bits.LeadingZeros64(a.lo^b.lo)
}

type pfx struct {
	k    key
	bits int
}

// Build returns a Table holding exactly the addresses of prefixes. The
// prefixes must be valid, masked, sorted by address and pairwise disjoint,
// IPv4 before IPv6, as returned by netipx.IPSet.Prefixes; Build panics
// otherwise.
func Build(prefixes []netip.Prefix) Table {
	var p4, p6 []pfx
	for i, p := range prefixes {
		if !p.IsValid() || p != p.Masked() {
			panic(fmt.Sprintf("trie.Build: prefix %d (%v) is not valid and masked", i, p))
		}
		a := p.Addr()
		if a.Is4() {
			b := a.As4()
			x := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
			p4 = append(p4, pfx{key{x << 32, 0}, p.Bits()})
		} else {
			if a.Zone() != "" {
				panic(fmt.Sprintf("trie.Build: prefix %d (%v) has a zone", i, p))
			}
			b := a.As16()
			p6 = append(p6, pfx{key{be64(b[:8]), be64(b[8:])}, p.Bits()})
		}
	}
	checkDisjoint(p4, 32)
	checkDisjoint(p6, 128)
	var t Table
	t.p4, t.p6 = len(p4), len(p6)
	t.c4, t.w4, p4 = rootSkip(p4, 32)
	t.c6, t.w6, p6 = rootSkip(p6, 64)
	t.k4 = rootBits(len(p4), maxRoot4)
	t.k6 = rootBits(len(p6), maxRoot6)
	t.n4 = build(p4, int(t.k4))
	t.n6 = build(p6, int(t.k6))
	return t
}

// rootSkip returns the bits c (at most limit) that all of ps start with,
// top-aligned in w, and ps with those bits consumed.
func rootSkip(ps []pfx, limit int) (uint8, uint64, []pfx) {
	if len(ps) == 0 {
		return 0, 0, ps
	}
	c := commonBits(ps[0].k, ps[len(ps)-1].k)
	for _, p := range ps {
		c = min(c, p.bits)
	}
	c = min(c, limit)
	if c == 0 {
		return 0, 0, ps
	}
	w := ps[0].k.hi &^ (^uint64(0) >> c)
	qs := make([]pfx, len(ps))
	for i, p := range ps {
		qs[i] = pfx{p.k.shl(c), p.bits - c}
	}
	return uint8(c), w, qs
}

// rootBits chooses the direct-pointing width of a root array for n prefixes.
func rootBits(n, limit int) uint8 {
	k := bits.Len(uint(n))
	return uint8(min(k, limit))
}

func last(p pfx) key {
	if p.bits == 0 {
		return key{^uint64(0), ^uint64(0)}
	}
	if p.bits <= 64 {
		return key{p.k.hi | ^uint64(0)>>p.bits, ^uint64(0)}
	}
	return key{p.k.hi, p.k.lo | ^uint64(0)>>(p.bits-64)}
}

func less(a, b key) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

func checkDisjoint(ps []pfx, _ int) {
	for i := 1; i < len(ps); i++ {
		if !less(last(ps[i-1]), ps[i].k) {
			panic("trie.Build: prefixes are not sorted and disjoint")
		}
	}
}

type builder struct{ nodes []node }

func build(ps []pfx, k int) []node {
	if len(ps) == 0 {
		return nil
	}
	b := &builder{nodes: make([]node, 1<<k, 1<<k+len(ps))}
	b.fillBlock(0, ps, 0, k)
	return b.nodes[:len(b.nodes):len(b.nodes)]
}

// fillBlock fills the block of 1<<j nodes at start, which the next j bits
// of the key index, for the prefixes ps (all longer than depth).
func (b *builder) fillBlock(start int, ps []pfx, depth, j int) {
	// Prefixes no longer than depth+j fill whole nodes; the others are
	// grouped by node.
	for i := 0; i < len(ps); {
		p := ps[i]
		r := int(p.k.top(depth, j))
		if p.bits <= depth+j {
			for x := range 1 << (depth + j - p.bits) {
				b.nodes[start+r+x] = node{leaf: ^uint64(0)}
			}
			i++
			continue
		}
		e := i + 1
		for e < len(ps) && int(ps[e].k.top(depth, j)) == r && ps[e].bits > depth+j {
			e++
		}
		b.fill(start+r, ps[i:e], depth+j)
		i = e
	}
}

// fill builds node ni for the prefixes ps, which all share the node's
// path (the first depth bits) and are longer than depth.
func (b *builder) fill(ni int, ps []pfx, depth int) {
	if len(ps) == 1 {
		if w := ps[0].bits - depth; w > stride && w <= 64 {
			b.nodes[ni] = node{leaf: ps[0].k.shl(depth).hi, meta: uint32(w) | terminal}
			return
		}
	}
	if len(ps) > 1 {
		if w := commonBits(ps[0].k, ps[len(ps)-1].k) - depth; w >= 2*stride {
			w = min(w, 64)
			child := len(b.nodes)
			b.nodes = append(b.nodes, node{})
			b.nodes[ni] = node{leaf: ps[0].k.shl(depth).hi &^ (^uint64(0) >> w), base: uint32(child), meta: uint32(w)}
			b.fill(child, ps, depth+w)
			return
		}
	}
	var inner, leaf uint64
	type group struct{ lo, hi int }
	var groups []group
	deep, maxBits := 0, 0
	for i := 0; i < len(ps); {
		p := ps[i]
		s := p.k.top(depth, stride)
		if p.bits <= depth+stride {
			n := uint(1) << (depth + stride - p.bits)
			leaf |= (uint64(1)<<n - 1) << s
			i++
			continue
		}
		j := i + 1
		for j < len(ps) && ps[j].k.top(depth, stride) == s {
			j++
		}
		inner |= 1 << s
		groups = append(groups, group{i, j})
		for _, q := range ps[i:j] {
			maxBits = max(maxBits, q.bits)
		}
		deep += j - i
		i = j
	}
	// Children are blocks of 1<<j nodes indexed by the j key bits after
	// this node's stride: wider blocks save a load per level where the
	// subtree is dense enough to fill them.
	j := 0
	for j < maxBlock && depth+stride+j+1 < maxBits && len(groups)<<(j+1) <= deep {
		j++
	}
	base := len(b.nodes)
	b.nodes = append(b.nodes, make([]node, len(groups)<<j)...)
	b.nodes[ni] = node{inner: inner, leaf: leaf, base: uint32(base), meta: uint32(j) << 16}
	for g, gr := range groups {
		b.fillBlock(base+g<<j, ps[gr.lo:gr.hi], depth+stride, j)
	}
}
