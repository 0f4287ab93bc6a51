package trie

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
	"unsafe"
)

// node is one 24-byte trie node. It consumes the next 6 bits of the key,
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
	_     uint32
}

const (
	stride = 6
	// maxRoot bounds the direct-pointing bits of a root block: 1<<12 nodes
	// (96 KiB).
	maxRoot = 12
	// zero and one are the indexes of the sentinel nodes.
	zero, one = 0, 1
)

// family is the trie of one address family inside Table.nodes.
type family struct {
	mask, want uint64 // every key k of the family has k.hi&mask == want (the shared leading bits)
	maskLo     uint64 // and k.lo&maskLo == wantLo (IPv6 only)
	wantLo     uint64
	c          uint8  // number of shared leading bits, skipped before the root block
	k          uint8  // direct-pointing bits of the root block (at least 1)
	d          uint8  // levels every walk takes (more only for rare long prefixes, IPv6)
	root       uint32 // index of the root block of 1<<k nodes
	prefixes   int    // prefixes of the family the table was built from
	nodes      int    // nodes of the family
}

// Table is an immutable set of IPv4 and IPv6 addresses. The zero Table is
// empty. A Table is safe for concurrent use.
type Table struct {
	nodes  []node // sentinels, then the IPv4 trie, then the IPv6 trie
	f4, f6 family
	h6     hash // when h6.t > 0, the IPv6 trie is entered through h6 instead of f6's root block
}

// hash indexes the subtries below the first t bits of the IPv6 addresses
// of the set: a cuckoo hash table, looked up at two slots, both read
// without branching.
type hash struct {
	tab    []entry
	m1, m2 uint64 // multipliers of the two hash functions
	shift  uint8  // 64 - log2(len(tab))
	t      uint8  // bits hashed (1..58); 0: no hash
	d      uint8  // levels every walk takes below them
}

// entry is a slot of a hash table: the node of the subtrie below the t-bit
// block key, or a sentinel if the block lies entirely in the set.
type entry struct {
	key  uint64 // the block's first t bits, right-aligned; ^0 in an empty slot
	node uint32
	_    uint32
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

// step moves from node n by the slot of the key whose complement is nk
// (the slot is the top 6 bits of the key): to its child if the slot is
// inner, else to the sentinel of its leaf bit. It compiles to straight-line
// code, without branches that depend on the data.
func step(n *node, nk uint64) uint32 {
	t := nk >> (64 - stride) & 63 // 63 - slot
	x := n.inner << t             // the slot's inner bit on top, the bits below it after
	m := uint32(int64(x) >> 63)   // all ones if the slot is inner
	c := n.base + uint32(bits.OnesCount64(x<<1))
	// A slot is never both inner and leaf, so the leaf bit is 0 when m is
	// all ones.
	return c&m | uint32(n.leaf<<t>>63)
}

// Contains4 reports whether the IPv4 address x (in host order) is in t.
func (t *Table) Contains4(x uint32) bool {
	nodes := t.nodes
	if len(nodes) == 0 {
		return false
	}
	f := &t.f4
	k := uint64(x) << 32
	i := f.root + uint32(k<<f.c>>(64-f.k))
	if k&f.mask != f.want {
		i = zero
	}
	nk := ^(k << (f.c + f.k))
	if f.d == 4 { // the usual depth: 8 root bits and 4 levels, unrolled
		i = step(&nodes[i], nk)
		if i == zero {
			return false
		}
		i = step(&nodes[i], nk<<stride)
		i = step(&nodes[i], nk<<(2*stride))
		i = step(&nodes[i], nk<<(3*stride))
		return i != zero
	}
	for range f.d {
		i = step(&nodes[i], nk)
		nk <<= stride
	}
	return i != zero
}

// Contains6 reports whether the IPv6 address with the 64-bit halves hi and
// lo (in host order) is in t.
func (t *Table) Contains6(hi, lo uint64) bool {
	nodes := t.nodes
	if len(nodes) == 0 {
		return false
	}
	f := &t.f6
	miss := (hi&f.mask^f.want)|(lo&f.maskLo^f.wantLo) != 0
	hi, lo = shl(hi, lo, uint(f.c))
	var i uint32
	var d uint8
	if h := &t.h6; h.t != 0 {
		x := hi >> (64 - h.t)
		e1 := &h.tab[x*h.m1>>h.shift]
		e2 := &h.tab[x*h.m2>>h.shift]
		n1, n2 := e1.node, e2.node
		if e1.key == x {
			i = n1
		}
		if e2.key == x {
			i = n2
		}
		hi, lo = hi<<h.t|lo>>(64-h.t), lo<<h.t
		d = h.d
	} else {
		i = f.root + uint32(hi>>(64-f.k))
		hi, lo = shl(hi, lo, uint(f.k))
		d = f.d
	}
	if miss || i == zero {
		return false
	}
	hi, lo = ^hi, ^lo
	for ; d > 0 || i > one; d-- {
		i = step(&nodes[i], hi)
		hi, lo = hi<<stride|lo>>(64-stride), lo<<stride
	}
	return i != zero
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
		Prefixes4: t.f4.prefixes, Prefixes6: t.f6.prefixes,
		Nodes4: t.f4.nodes, Nodes6: t.f6.nodes,
		Bytes: cap(t.nodes)*int(unsafe.Sizeof(node{})) + cap(t.h6.tab)*int(unsafe.Sizeof(entry{})),
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
	if len(p4)+len(p6) == 0 {
		return Table{}
	}
	b := &builder{nodes: make([]node, 2, 2+4*(len(p4)+len(p6)))}
	b.nodes[one] = node{leaf: ^uint64(0)}
	var t Table
	t.f4 = b.family(p4, 32, 32)
	if f := b.familyShape(p6, 128, 64); len(p6) > 0 {
		qs := make([]pfx, len(p6))
		for i, p := range p6 {
			qs[i] = pfx{p.k.shl(int(f.c)), p.bits - int(f.c)}
		}
		if h, ok := b.hash(qs, int(f.d)); ok {
			f.nodes = len(b.nodes) - t.f4.nodes - 2
			t.h6, t.f6 = h, f
		} else {
			t.f6 = b.family(p6, 128, 64)
		}
	} else {
		t.f6 = b.family(p6, 128, 64)
	}
	t.nodes = slices.Clone(b.nodes) // no spare capacity kept alive
	return t
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

type builder struct{ nodes []node }

// familyShape returns the shape of the trie of one family's prefixes ps:
// the shared leading bits (at most maxSkip) are compared once and skipped,
// then a root block of k bits and d levels of nodes cover the prefixes up
// to fast bits long; longer ones take extra steps.
func (b *builder) familyShape(ps []pfx, maxSkip, fast int) family {
	f := family{prefixes: len(ps), want: 1} // want 1 with mask 0: never matches
	if len(ps) == 0 {
		return f
	}
	c := commonBits(ps[0].k, ps[len(ps)-1].k)
	for _, p := range ps {
		c = min(c, p.bits)
	}
	c = min(c, maxSkip)
	f.c = uint8(c)
	if c > 0 {
		f.mask = ^uint64(0) << (64 - min(c, 64))
	}
	if c > 64 {
		f.maskLo = ^uint64(0) << (128 - c)
	}
	f.want = ps[0].k.hi & f.mask
	f.wantLo = ps[0].k.lo & f.maskLo
	// d as small as a root of at most kmax bits allows.
	kmax := min(maxRoot, max(8, bits.Len(uint(len(ps)))+1))
	rest := longest(ps, fast) - c
	d := 1
	if rest > kmax+stride {
		d = (rest - kmax + stride - 1) / stride
	}
	f.k, f.d = uint8(max(1, rest-stride*d)), uint8(d)
	return f
}

// family builds the trie of one family's prefixes ps (see familyShape).
func (b *builder) family(ps []pfx, maxSkip, fast int) family {
	f := b.familyShape(ps, maxSkip, fast)
	if len(ps) == 0 {
		return f
	}
	start := len(b.nodes)
	qs := make([]pfx, len(ps))
	for i, p := range ps {
		qs[i] = pfx{p.k.shl(int(f.c)), p.bits - int(f.c)}
	}
	f.root = uint32(len(b.nodes))
	b.nodes = append(b.nodes, make([]node, 1<<f.k)...)
	b.fillBlock(int(f.root), qs, 0, int(f.k))
	f.nodes = len(b.nodes) - start
	return f
}

// fillBlock fills the block of 1<<j nodes at start, which the next j bits
// of the key index, for the prefixes ps (all longer than depth).
func (b *builder) fillBlock(start int, ps []pfx, depth, j int) {
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
		for e < len(ps) && int(ps[e].k.top(depth, j)) == r {
			e++
		}
		b.fill(start+r, ps[i:e], depth+j)
		i = e
	}
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

// hash builds the IPv6 trie of ps below a cuckoo hash table of its first
// t bits, if that takes fewer than levels levels and the table stays small:
// at most about one slot per prefix, where prefixes shorter than t take a
// slot for each t-bit block they cover.
func (b *builder) hash(ps []pfx, levels int) (hash, bool) {
	if len(ps) == 0 {
		return hash{}, false
	}
	long := longest(ps, 64) // ps have their shared bits removed
	budget := len(ps) + 64
	t, d := 0, 0
	for d = 1; d < levels; d++ {
		t = long - stride*d
		if t < 1 {
			break
		}
		if t <= 58 && blocks(ps, t, budget) <= budget {
			break
		}
	}
	if d >= levels || t < 1 || t > 58 {
		return hash{}, false
	}
	type kv struct {
		key  uint64
		node uint32
	}
	var kvs []kv
	for i := 0; i < len(ps); {
		p := ps[i]
		x := p.k.hi >> (64 - t)
		if p.bits <= t {
			for y := range uint64(1) << (t - p.bits) {
				kvs = append(kvs, kv{x + y, one})
			}
			i++
			continue
		}
		e := i + 1
		for e < len(ps) && ps[e].k.hi>>(64-t) == x {
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
			h := hash{
				tab: make([]entry, 1<<lg),
				m1:  rng.Uint64() | 1, m2: rng.Uint64() | 1,
				shift: uint8(64 - lg), t: uint8(t), d: uint8(d),
			}
			for i := range h.tab {
				h.tab[i].key = ^uint64(0)
			}
			for _, x := range kvs {
				e := entry{key: x.key, node: x.node}
				slot := e.key * h.m1 >> h.shift
				for range 64 {
					e, h.tab[slot] = h.tab[slot], e
					if e.key == ^uint64(0) {
						break
					}
					// Move the evicted entry to its other slot.
					if s1 := e.key * h.m1 >> h.shift; s1 != slot {
						slot = s1
					} else {
						slot = e.key * h.m2 >> h.shift
					}
				}
				if e.key != ^uint64(0) {
					continue tries
				}
			}
			return h, true
		}
	}
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
