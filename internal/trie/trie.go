package trie

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
)

// node is one 32-byte trie node. It consumes the next 6 bits of the key,
// its slot: bit s of inner says slot s leads to a child node; bit s of leaf
// says slot s (when not inner) lies entirely in the set. The children are
// stored contiguously from base in slot order, so slot s leads to
// nodes[base + popcount(inner & (1<<s - 1))].
//
// nodes[0] and nodes[1] are the sentinels zero (no slot in the set) and one
// (every slot in the set). Both have no children and base 0, and a walk
// that reaches a slot that is not inner moves to the sentinel named by its
// leaf bit, so it can take further steps without branching and ends at
// index 0 (not in the set) or 1 (in the set).
type node struct {
	inner uint64
	leaf  uint64
	base  uint32
	bits  uint32 // nonzero in a terminal node (see below): its prefix length + 1
	_     uint64 // pad to 32 bytes: a node never straddles a cache line
}

// A terminal node (IPv6 in modeSparse only) ends a walk: it stands for a
// subtrie that holds a single prefix, whose address is inner (high word)
// and leaf (low word) and whose length is bits-1. The address is in the
// set iff it matches that prefix. Terminals are never stepped through.
// The sentinels have bits 1 (a /0 terminal), so that a modeSparse walk has
// a single exit test; the other walks never read bits.

const (
	stride = 6
	// minRoot6 and maxRoot6 bound the direct-pointing bits of the IPv6
	// root array in modeSparse (maxRoot6: 1<<16 uint32 entries, 256 KiB).
	minRoot6, maxRoot6 = 4, 16
	// zero and one are the indexes of the sentinel nodes.
	zero, one = 0, 1
	// nodeBytes, entryBytes and tableBytes are the sizes of a node, an
	// entry and a Table.
	nodeBytes, entryBytes, tableBytes = 32, 16, 216
)

// Table is an immutable set of IPv4 and IPv6 addresses. The zero Table is
// empty. A Table is safe for concurrent use.
type Table struct {
	nodes []node   // sentinels, then the IPv4 trie, then the IPv6 trie
	root4 []uint16 // IPv4 direct-pointing root: node indexes (or sentinels), a power of two of them
	wide4 []uint32 // the same, when some index does not fit 16 bits (root4 is then nil)
	tab   []entry  // IPv6 cuckoo hash of the t6-bit blocks (modeHash)
	root6 []uint32 // IPv6 direct-pointing root of the t6 bits after the c6 shared ones (modeSparse)

	m4, w4       uint32 // an IPv4 address x is in the family's range iff x&m4 == w4 (the shared bits)
	mask6, want6 uint64 // an IPv6 address hi:lo is in range iff hi&mask6 == want6 (the c6 shared bits)
	mlo6, wlo6   uint64 // and lo&mlo6 == wlo6
	m1, m2       uint64 // multipliers of the two hash functions

	s4     uint8 // IPv4 bits below the root: 6 per level (the root takes x>>s4)
	exit4  bool  // stop an IPv4 walk whose root entry is the sentinel zero
	fast4  bool  // the usual IPv4 shape: a 16-bit root and 3 levels (s4 == 18)
	c6, t6 uint8 // IPv6: shared bits skipped, hashed bits (modeHash) or root bits (modeSparse)
	shift  uint8 // 64 - log2(len(tab))
	d6     uint8 // levels every IPv6 walk takes below the hash
	mode   uint8 // how IPv6 is looked up: modeNone, modeHash or modeSparse

	p4 int // IPv4 prefixes the table was built from
	p6 int // IPv6 prefixes the table was built from
	n4 int // IPv4 nodes
	n6 int // IPv6 nodes
}

const (
	modeNone   = iota // no IPv6 prefixes
	modeHash          // IPv6 blocks in a cuckoo hash, then d6 levels
	modeSparse        // IPv6 too scattered to hash: a root array, nodes and terminals
)

// entry is a slot of the IPv6 hash table: the node of the subtrie below the
// t6-bit block key, or a sentinel if the block lies entirely in the set.
type entry struct {
	key  uint64 // the block's first t6 bits, right-aligned; ^0 in an empty slot
	node uint32
	_    uint32
}

// Contains reports whether a is in t, with the semantics of
// netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6 addresses are looked up
// as IPv4 (with their zone ignored), zoned IPv6 addresses and the zero Addr
// are never contained. (Set.Contains holds the walks.)
func (t *Table) Contains(a netip.Addr) bool {
	s := Set{trie: t}
	return s.Contains(a)
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[7]) | uint64(b[6])<<8 | uint64(b[5])<<16 | uint64(b[4])<<24 |
		uint64(b[3])<<32 | uint64(b[2])<<40 | uint64(b[1])<<48 | uint64(b[0])<<56
}

// step moves from node n by the slot of the key whose complement is nk
// (the slot is the top 6 bits of the key): to its child if the slot is
// inner, else to the sentinel of its leaf bit. It compiles to straight-line
// code, without branches that depend on the data.
func step(n *node, nk uint64) uint32 {
	t := nk >> (64 - stride)    // 63 - slot
	x := n.inner << t           // the slot's inner bit on top, the bits below it after
	m := uint32(int64(x) >> 63) // all ones if the slot is inner
	c := n.base + uint32(bits.OnesCount64(x<<1))
	// A slot is never both inner and leaf, so the leaf bit is 0 when m is
	// all ones.
	return c&m | uint32(n.leaf<<t>>63)
}

// Contains4 reports whether the IPv4 address x (in host order) is in t.
func (t *Table) Contains4(x uint32) bool {
	var i uint32
	if r := t.root4; len(r) != 0 {
		i = uint32(r[uint(x>>(t.s4&31))&uint(len(r)-1)])
	} else if r := t.wide4; len(r) != 0 {
		i = r[uint(x>>(t.s4&31))&uint(len(r)-1)]
	} else {
		return false
	}
	if x&t.m4 != t.w4 {
		i = zero
	}
	if t.exit4 && i == zero {
		return false
	}
	nodes := t.nodes
	if t.s4 == 3*stride { // the usual shape: a root of up to 14 bits and 3 levels
		nk := ^(uint64(x) << (64 - 3*stride))
		i = step(at(nodes, i), nk)
		i = step(at(nodes, i), nk<<stride)
		i = step(at(nodes, i), nk<<(2*stride))
		return i != zero
	}
	nk := ^(uint64(x) << ((64 - t.s4) & 63))
	for range t.s4 / stride {
		i = step(at(nodes, i), nk)
		nk <<= stride
	}
	return i != zero
}

// deeper6 continues an IPv6 walk at node i with the bits from bit o.
func (t *Table) deeper6(i uint32, hi, lo uint64, o uint) bool {
	for i > one {
		i = step(at(t.nodes, i), ^window(hi, lo, o))
		o += stride
	}
	return i != zero
}

// window returns the 64 bits of hi:lo from bit o (0..128), without
// branching (Go shifts by 64 or more give 0).
func window(hi, lo uint64, o uint) uint64 {
	return hi<<o | lo>>(64-o) | lo<<(o-64)
}

// match reports whether hi:lo lies in the prefix of the terminal node n
// (a sentinel: a /0).
func match(n *node, hi, lo uint64) bool {
	b := uint(n.bits) - 1
	mhi := ^uint64(0) << (64 - min(b, 64))
	mlo := ^uint64(0) << (128 - max(b, 64))
	return (hi^n.inner)&mhi|(lo^n.leaf)&mlo == 0
}

// shl shifts the 128-bit value hi:lo left by n (0..128) bits.
func shl(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		return hi<<n | lo>>(64-n), lo << n
	default:
		return lo << (n - 64), 0
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
	return Stats{
		Prefixes4: t.p4, Prefixes6: t.p6,
		Nodes4: t.n4, Nodes6: t.n6,
		Bytes: cap(t.nodes)*nodeBytes + cap(t.root4)*2 + cap(t.wide4)*4 + cap(t.root6)*4 + cap(t.tab)*entryBytes,
	}
}

// key is a 128-bit address; IPv4 addresses occupy the top 32 bits of hi.
type key struct{ hi, lo uint64 }

func (k key) shl(n int) key {
	hi, lo := shl(k.hi, k.lo, uint(n))
	return key{hi, lo}
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
	checkDisjoint(p4)
	checkDisjoint(p6)
	return build(p4, p6)
}

// buildRanges returns the Table of the sorted, disjoint ranges v4 and v6.
func buildRanges(v4 []uint64, v6 []range6) Table {
	p4 := make([]pfx, 0, countPrefixes4(v4))
	for _, e := range v4 {
		eachPrefix4(e, func(a uint32, n int) { p4 = append(p4, pfx{key{uint64(a) << 32, 0}, n}) })
	}
	p6 := make([]pfx, 0, countPrefixes6(v6))
	for _, r := range v6 {
		eachPrefix6(r, func(hi, lo uint64, n int) { p6 = append(p6, pfx{key{hi, lo}, n}) })
	}
	return build(p4, p6)
}

// build returns the Table of the sorted, disjoint prefixes p4 and p6.
func build(p4, p6 []pfx) Table {
	if len(p4)+len(p6) == 0 {
		return Table{}
	}
	b := &builder{nodes: make([]node, 2, 2+4*(len(p4)+len(p6)))}
	b.nodes[zero] = node{bits: 1}
	b.nodes[one] = node{leaf: ^uint64(0), bits: 1}
	t := Table{p4: len(p4), p6: len(p6)}
	// IPv4: the fewest levels (at least 2) with which the root stays within
	// its memory budget.
	d := 2
	for ; ; d++ {
		if _, _, ok := shape4(p4, d); ok {
			break
		}
	}
	if len(p4) > 0 {
		b.root4(&t, p4, d)
	}
	t.n4 = len(b.nodes) - 2
	// IPv6: the fewest levels below a hash of blocks, else a sparse trie.
	switch {
	case len(p6) == 0:
		t.mode = modeNone
	default:
		t.mode = modeSparse
		for d := 1; d <= maxLevels6 && hashing; d++ {
			if hashable(p6, d) {
				t.mode = modeHash
				b.hash6(&t, p6, d)
				break
			}
		}
		if t.mode == modeSparse {
			b.sparse6(&t, p6)
		}
	}
	t.n6 = len(b.nodes) - 2 - t.n4
	t.nodes = trim(b.nodes) // no (much) spare capacity kept alive
	// Stop IPv4 walks at an empty root entry only when the nodes outgrow
	// the L1 cache (see DESIGN.md for the measurements).
	t.exit4 = len(p4) > 0 && len(t.nodes)*nodeBytes > exitBytes
	t.fast4 = len(t.root4) != 0 && t.s4 == 3*stride
	t.check()
	return t
}

// hashing enables modeHash; tests turn it off to run every set through
// modeSparse.
var hashing = true

// check panics unless every node index that a walk can reach is below
// len(t.nodes), which makes at safe.
func (t *Table) check() {
	n := uint64(len(t.nodes))
	for _, i := range t.root4 {
		if uint64(i) >= n {
			panic("trie: root entry out of range")
		}
	}
	for _, i := range t.wide4 {
		if uint64(i) >= n {
			panic("trie: root entry out of range")
		}
	}
	for _, e := range t.tab {
		if uint64(e.node) >= n {
			panic("trie: hash entry out of range")
		}
	}
	for _, i := range t.root6 {
		if uint64(i) >= n {
			panic("trie: root entry out of range")
		}
	}
	for j, x := range t.nodes {
		if j <= one {
			if x.bits != 1 || x.inner != 0 || x.base != 0 {
				panic("trie: bad sentinel")
			}
			continue
		}
		if x.bits != 0 {
			if t.mode != modeSparse || x.bits > 129 {
				panic("trie: misplaced terminal node")
			}
			continue
		}
		if uint64(x.base)+uint64(bits.OnesCount64(x.inner)) > n {
			panic("trie: node children out of range")
		}
	}
}

const (
	// exitBytes is the size of the nodes above which an IPv4 walk stops
	// at an empty root entry (about the L1 data cache).
	exitBytes = 32 << 10
	// maxLevels6 bounds the levels below the IPv6 hash.
	maxLevels6 = 5
	// rootExtra6 is how many more bits than log2(IPv6 prefixes) the
	// root array of modeSparse indexes: 8 to 16 entries per prefix.
	rootExtra6 = 3
	// minRootBudget is the size up to which an IPv4 root is always allowed
	// (bytes), rootBytesPerPrefix the budget beyond that per IPv4 prefix.
	minRootBudget      = 64 << 10
	rootBytesPerPrefix = 10
)

// skip returns the number of leading bits all of ps share (none longer
// than the shortest prefix).
func skip(ps []pfx) int {
	if len(ps) == 0 {
		return 0
	}
	c := commonBits(ps[0].k, ps[len(ps)-1].k)
	for _, p := range ps {
		c = min(c, p.bits)
	}
	return c
}

// shape4 returns the shared bits c and root bits k of the IPv4 trie of ps
// with d levels (c+k+6d = 32), and whether its root fits the budget.
func shape4(ps []pfx, d int) (c, k int, ok bool) {
	c = min(skip(ps), 32)
	k = 32 - c - stride*d
	if k < 1 {
		c, k = max(0, 32-stride*d-1), 1
		if c+k+stride*d < 32 {
			return c, k, false
		}
	}
	return c, k, 4<<k <= max(minRootBudget, rootBytesPerPrefix*len(ps))
}

// root4 builds the IPv4 root and trie of ps with d levels.
func (b *builder) root4(t *Table, ps []pfx, d int) {
	c, k, _ := shape4(ps, d)
	t.s4 = uint8(stride * d)
	if c > 0 {
		t.m4 = ^uint32(0) << (32 - c)
	}
	t.w4 = uint32(ps[0].k.hi>>32) & t.m4
	// The root is built as uint16 entries, and widened only if a node
	// index outgrows them: no 1<<k uint32 temporary.
	r := root{r16: make([]uint16, 1<<k)}
	for i := 0; i < len(ps); {
		q := pfx{ps[i].k.shl(c), ps[i].bits - c}
		x := int(q.k.top(0, k))
		if q.bits <= k {
			for y := range 1 << (k - q.bits) {
				r.set(x+y, one)
			}
			i++
			continue
		}
		var qs []pfx
		for ; i < len(ps); i++ {
			q := pfx{ps[i].k.shl(c), ps[i].bits - c}
			if int(q.k.top(0, k)) != x {
				break
			}
			qs = append(qs, q)
		}
		ni := len(b.nodes)
		b.nodes = append(b.nodes, node{})
		b.fill(ni, qs, k)
		r.set(x, uint32(ni))
	}
	t.root4, t.wide4 = r.r16, r.r32
}

// root is an IPv4 root array under construction: uint16 entries until
// one does not fit, then uint32.
type root struct {
	r16 []uint16
	r32 []uint32
}

func (r *root) set(i int, v uint32) {
	if r.r32 == nil && v > 0xffff {
		r.r32 = make([]uint32, len(r.r16))
		for j, x := range r.r16 {
			r.r32[j] = uint32(x)
		}
		r.r16 = nil
	}
	if r.r32 != nil {
		r.r32[i] = v
	} else {
		r.r16[i] = uint16(v)
	}
}

// shape6 returns the shared bits c and the hashed bits t of the IPv6 trie
// of ps with d levels below the hash.
func shape6(ps []pfx, d int) (c, t int) {
	c = skip(ps)
	t = max(1, longest(ps, 64)-c-stride*d)
	return c, t
}

// shifted returns ps with their first c bits removed.
func shifted(ps []pfx, c int) []pfx {
	qs := make([]pfx, len(ps))
	for i, p := range ps {
		qs[i] = pfx{p.k.shl(c), p.bits - c}
	}
	return qs
}

// hashable reports whether the IPv6 prefixes ps can be hashed with d
// levels below the hash: at most about one slot per prefix, where
// prefixes shorter than the hashed bits take a slot for each block they
// cover.
func hashable(ps []pfx, d int) bool {
	c, t := shape6(ps, d)
	if t > 58 {
		return false
	}
	budget := len(ps) + 64
	return blocks(shifted(ps, c), t, budget) <= budget
}

// hash6 builds the IPv6 hash and the tries below it for ps with d levels.
func (b *builder) hash6(tb *Table, ps []pfx, d int) {
	c, t := shape6(ps, d)
	tb.c6, tb.t6, tb.d6 = uint8(c), uint8(t), uint8(d)
	if c > 0 {
		tb.mask6 = ^uint64(0) << (64 - min(c, 64))
	}
	if c > 64 {
		tb.mlo6 = ^uint64(0) << (128 - c)
	}
	tb.want6, tb.wlo6 = ps[0].k.hi&tb.mask6, ps[0].k.lo&tb.mlo6
	ps = shifted(ps, c)
	type kv struct {
		key  uint64
		node uint32
	}
	var kvs []kv
	for i := 0; i < len(ps); {
		p := ps[i]
		x := p.k.top(0, t)
		if p.bits <= t {
			for y := range uint64(1) << (t - p.bits) {
				kvs = append(kvs, kv{x + y, one})
			}
			i++
			continue
		}
		e := i + 1
		for e < len(ps) && ps[e].k.top(0, t) == x {
			e++
		}
		ni := len(b.nodes)
		b.nodes = append(b.nodes, node{})
		b.fill(ni, ps[i:e], t)
		kvs = append(kvs, kv{x, uint32(ni)})
		i = e
	}
	rng := rand.New(rand.NewPCG(uint64(len(kvs)), 0x6a09e667))
	for lg := max(3, bits.Len(uint(2*len(kvs)-1))); ; lg++ {
	tries:
		for range 32 {
			tab := make([]entry, 1<<lg)
			m1, m2 := rng.Uint64()|1, rng.Uint64()|1
			shift := uint8(64 - lg)
			for i := range tab {
				tab[i].key = ^uint64(0)
			}
			for _, x := range kvs {
				e := entry{key: x.key, node: x.node}
				slot := e.key * m1 >> shift
				for range 64 {
					e, tab[slot] = tab[slot], e
					if e.key == ^uint64(0) {
						break
					}
					// Move the evicted entry to its other slot.
					if s1 := e.key * m1 >> shift; s1 != slot {
						slot = s1
					} else {
						slot = e.key * m2 >> shift
					}
				}
				if e.key != ^uint64(0) {
					continue tries
				}
			}
			tb.tab, tb.m1, tb.m2, tb.shift = tab, m1, m2, shift
			return
		}
	}
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

func checkDisjoint(ps []pfx) {
	for i := 1; i < len(ps); i++ {
		if !less(last(ps[i-1]), ps[i].k) {
			panic("trie.Build: prefixes are not sorted and disjoint")
		}
	}
}

type builder struct {
	nodes []node
	term  bool // a subtrie of a single prefix becomes a terminal node (modeSparse)
}

// sparse6 builds the IPv6 root array and the trie below it for ps
// (modeSparse): the shared leading bits c6 are compared once, the next t6
// bits index root6, and below it a subtrie that holds a single prefix is
// a terminal node.
func (b *builder) sparse6(tb *Table, ps []pfx) {
	c := skip(ps)
	k := min(maxRoot6, max(minRoot6, bits.Len(uint(len(ps)))+rootExtra6), 128-c)
	tb.c6, tb.t6 = uint8(c), uint8(k)
	if c > 0 {
		tb.mask6 = ^uint64(0) << (64 - min(c, 64))
	}
	if c > 64 {
		tb.mlo6 = ^uint64(0) << (128 - c)
	}
	tb.want6, tb.wlo6 = ps[0].k.hi&tb.mask6, ps[0].k.lo&tb.mlo6
	b.term = true
	defer func() { b.term = false }()
	r := make([]uint32, 1<<k)
	depth := c + k
	for i := 0; i < len(ps); {
		p := ps[i]
		x := int(p.k.top(c, k))
		if p.bits <= depth {
			for y := range 1 << (depth - p.bits) {
				r[x+y] = one
			}
			i++
			continue
		}
		e := i + 1
		for e < len(ps) && int(ps[e].k.top(c, k)) == x {
			e++
		}
		ni := len(b.nodes)
		b.nodes = append(b.nodes, node{})
		if e == i+1 {
			b.nodes[ni] = terminal(p)
		} else {
			b.fill(ni, ps[i:e], depth)
		}
		r[x] = uint32(ni)
		i = e
	}
	tb.root6 = r
}

// terminal returns the terminal node of the prefix p.
func terminal(p pfx) node {
	return node{inner: p.k.hi, leaf: p.k.lo, bits: uint32(p.bits) + 1}
}

// fill builds node ni for the prefixes ps, which all share the node's
// path (the first depth bits) and are longer than depth.
func (b *builder) fill(ni int, ps []pfx, depth int) {
	var inner, leaf uint64
	type group struct{ lo, hi int }
	var groups []group
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
		i = j
	}
	base := len(b.nodes)
	b.nodes = append(b.nodes, make([]node, len(groups))...)
	b.nodes[ni] = node{inner: inner, leaf: leaf, base: uint32(base)}
	for g, gr := range groups {
		if b.term && gr.hi == gr.lo+1 {
			b.nodes[base+g] = terminal(ps[gr.lo])
			continue
		}
		b.fill(base+g, ps[gr.lo:gr.hi], depth+stride)
	}
}

// longest returns the length of the longest prefix of ps no longer than
// fast bits, or of the longest prefix if all are longer.
func longest(ps []pfx, fast int) int {
	long, all := 0, 0
	for _, p := range ps {
		all = max(all, p.bits)
		if p.bits <= fast {
			long = max(long, p.bits)
		}
	}
	if long == 0 {
		return all
	}
	return long
}

// blocks returns how many hash slots ps needs with t-bit blocks, or more
// than limit.
func blocks(ps []pfx, t, limit int) int {
	n := 0
	last := ^uint64(0)
	for _, p := range ps {
		if p.bits <= t {
			if t-p.bits > 30 {
				return limit + 1
			}
			n += 1 << (t - p.bits)
		} else if x := p.k.hi >> (64 - t); x != last {
			n++
			last = x
		}
		if n > limit {
			return n
		}
	}
	return n
}

// slowWords is words, kept out of line so that the fallback (taken only
// if !repOK) does not weigh on the lookups.
//
//go:noinline
func slowWords(a netip.Addr) (hi, lo uint64) { return words(a) }

// trim returns s without spare capacity, copying it if it has much.
func trim[E any](s []E) []E {
	if cap(s)-len(s) > len(s)/8 {
		return slices.Clip(slices.Clone(s))
	}
	return s
}

// words returns the 128-bit form of a through As16.
func words(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	return be64(b[:8]), be64(b[8:])
}
