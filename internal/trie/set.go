package trie

import (
	"math/bits"
	"net/netip"

	"go4.org/netipx"
)

// Set is an immutable set of IPv4 and IPv6 addresses, kept as its sorted,
// disjoint ranges (which are also what AppendPrefixes and Ranges return),
// with what a lookup needs on top, chosen by how the ranges spread (see
// DESIGN.md):
//
//   - FormFlat: a lookup searches the sorted ranges of its family without
//     branching, in a window given by a small index of the address's
//     leading bits (FormFlatIndex), or in all of them.
//   - FormTrie: for a set of more than trieMin ranges that cluster so that
//     a search would take more than maxFlatSteps steps. A lookup walks a
//     Table built from the ranges; the ranges are kept for AppendPrefixes
//     and Ranges.
//
// Everything but the Table is in one slice of words, so a small Set is two
// allocations: the Set and its words.
//
// The zero Set is empty. A Set is safe for concurrent use.
type Set struct {
	// w holds the n4 IPv4 ranges (pack4), then the n6 IPv6 ranges (4 words
	// each: the first address, high word first, and the span), each
	// family sorted, disjoint and not adjacent; then the families'
	// indexes (FormFlatIndex), 4 entries of 16 bits a word.
	w    []uint64
	trie *Table // FormTrie: the lookup trie, else nil

	n4, n6   uint32 // ranges of each family
	p4, p6   uint32 // minimal prefixes of each family
	ix4, ix6 uint32 // the word in w where each family's index starts, 0 if it has none

	// The search plan of each family (see index): the first step (0 if
	// none), the number of halving steps after it, and the shifts that
	// give the bucket of an address.
	first4, first6 uint16
	steps4, steps6 uint8
	sa4, sb4       uint8
	sa6, sb6       uint8
}

// Form names how a Set answers lookups.
type Form uint8

const (
	FormEmpty     Form = iota // no address
	FormFlat                  // a search of the sorted ranges
	FormFlatIndex             // the same, in windows given by an index of leading bits
	FormTrie                  // a trie (Table)
)

// String returns the form's name.
func (f Form) String() string {
	switch f {
	case FormEmpty:
		return "empty"
	case FormFlat:
		return "flat"
	case FormFlatIndex:
		return "flat+index"
	case FormTrie:
		return "trie"
	}
	return "Form(?)"
}

// Form returns how s answers lookups.
func (s *Set) Form() Form {
	switch {
	case s.trie != nil:
		return FormTrie
	case s.ix4|s.ix6 != 0:
		return FormFlatIndex
	case s.n4+s.n6 > 0:
		return FormFlat
	}
	return FormEmpty
}

// A Set of more than trieMin ranges gets a trie if the search of one of
// its families would take more than maxFlatSteps steps (the ranges
// cluster where the index cannot tell them apart, as service tags do);
// every other Set is searched (see DESIGN.md). They are variables for the
// tests.
var (
	trieMin      = 256
	maxFlatSteps = 6
)

// Small sets are built in buffers on the stack: these many IPv4 ranges and
// IPv6 ranges.
const buf4, buf6 = 64, 16

// buffer returns buf emptied if n elements fit in it, else a new slice
// with room for n.
func buffer[E any](buf []E, n int) []E {
	if n > len(buf) {
		return make([]E, 0, n)
	}
	return buf[:0]
}

// FromPrefixes returns the Set of the addresses of ps, which must be
// valid, masked and not IPv4-mapped (the caller checks). They may be in
// any order, repeat, nest and overlap.
func FromPrefixes(ps []netip.Prefix) Set {
	n4 := 0
	for _, p := range ps {
		if p.Addr().Is4() {
			n4++
		}
	}
	var b4 [buf4]uint64
	var b6 [buf6]range6
	v4, v6 := buffer(b4[:], n4), buffer(b6[:], len(ps)-n4)
	for _, p := range ps {
		a := p.Addr()
		var hi, lo uint64
		if repOK {
			hi, lo = addrWords(&a)
		} else {
			hi, lo = slowWords(a)
		}
		n := uint(p.Bits())
		if a.Is4() {
			v4 = append(v4, lo<<32|uint64(^uint32(0)>>n))
			continue
		}
		r := range6{hi: hi, lo: lo, spanLo: ^uint64(0)}
		if n <= 64 {
			r.spanHi = ^uint64(0) >> n
		} else {
			r.spanLo >>= n - 64
		}
		v6 = append(v6, r)
	}
	return newSet(merge4(v4), merge6(v6))
}

// FromRanges returns the Set of the addresses of rs (valid ranges, IPv4
// ones as IPv4), in any order.
func FromRanges(rs []netipx.IPRange) Set {
	n4 := 0
	for _, r := range rs {
		if r.From().Is4() {
			n4++
		}
	}
	var b4 [buf4]uint64
	var b6 [buf6]range6
	v4, v6 := buffer(b4[:], n4), buffer(b6[:], len(rs)-n4)
	for _, r := range rs {
		fh, fl := words(r.From())
		th, tl := words(r.To())
		if r.From().Is4() {
			v4 = append(v4, pack4(uint32(fl), uint32(tl)))
			continue
		}
		sl, c := bits.Sub64(tl, fl, 0)
		sh, _ := bits.Sub64(th, fh, c)
		v6 = append(v6, range6{fh, fl, sh, sl})
	}
	return newSet(merge4(v4), merge6(v6))
}

// newSet returns the Set of the merged ranges v4 and v6, which it copies.
func newSet(v4 []uint64, v6 []range6) Set {
	s := Set{n4: uint32(len(v4)), n6: uint32(len(v6)), p4: uint32(countPrefixes4(v4)), p6: uint32(countPrefixes6(v6))}
	n := len(v4) + 4*len(v6)
	if n == 0 {
		return s
	}
	var p4, p6 plan
	var kb [buf6]uint64
	keys := buffer(kb[:], len(v6))
	flat := len(v4) <= 0xffff && len(v6) <= 0xffff // index entries are 16 bits
	if flat && len(v4) > 0 {
		p4 = index(v4, ^uint64(0xffffffff), uint64(to4(v4[len(v4)-1]))<<32, 32)
	}
	if flat && len(v6) > 0 {
		for _, r := range v6 {
			keys = append(keys, key6(r))
		}
		last, _ := v6[len(v6)-1].to()
		p6 = index(keys, ^uint64(0), last, 63)
	}
	if !flat || len(v4)+len(v6) > trieMin && max(p4.cost(), p6.cost()) > maxFlatSteps {
		t := buildRanges(v4, v6)
		s.trie = &t
		s.w = make([]uint64, n)
		s.fill(v4, v6)
		return s
	}
	s.first4, s.steps4, s.first6, s.steps6 = p4.first, p4.steps, p6.first, p6.steps
	if p4.k > 0 {
		s.ix4, s.sa4, s.sb4 = uint32(n), uint8(p4.c), uint8(64-p4.k)
		n += (1<<p4.k + 3) / 4
	}
	if p6.k > 0 {
		s.ix6, s.sa6, s.sb6 = uint32(n), uint8(p6.c), uint8(64-p6.k)
		n += (1<<p6.k + 3) / 4
	}
	s.w = make([]uint64, n)
	s.fill(v4, v6)
	if p4.k > 0 {
		fillIndex(s.w, uint(s.ix4), v4, ^uint64(0xffffffff), p4)
	}
	if p6.k > 0 {
		fillIndex(s.w, uint(s.ix6), keys, ^uint64(0), p6)
	}
	s.check()
	return s
}

// fill copies the ranges into s.w.
func (s *Set) fill(v4 []uint64, v6 []range6) {
	w := s.w[copy(s.w, v4):]
	for i, r := range v6 {
		w[4*i], w[4*i+1], w[4*i+2], w[4*i+3] = r.hi, r.lo, r.spanHi, r.spanLo
	}
}

// range6At returns the i'th IPv6 range of s.
func (s *Set) range6At(i int) range6 {
	j := int(s.n4) + 4*i
	return range6{s.w[j], s.w[j+1], s.w[j+2], s.w[j+3]}
}

// key6 returns the key of an IPv6 range for its index: the first 64 bits
// of its first address, with the lowest bit set if the rest of the
// address is not zero. Since c+k < 64, that bit is never part of a
// bucket and bucket boundaries have it clear, so key <= the key of a
// bucket's first address exactly when the range starts at or before that
// address.
func key6(r range6) uint64 {
	if r.lo != 0 {
		return r.hi | 1
	}
	return r.hi
}

// An index narrows the search of a family's sorted ranges to a window.
// It has 1<<k buckets, one for each value of the k bits after the c bits
// that all the family's addresses share; bucket b holds the position of
// the last range that starts at or before the bucket's first address (0
// if none), moved down so that a window of w ranges from there stays
// inside the ranges. w is the most ranges that the addresses of any one
// bucket can fall in, so the range that holds an address, if any, is in
// its bucket's window. A lookup takes the bucket of the address's key
// (key << c >> (64-k)) and searches the window: a first step at first =
// w - 2^steps (none if 0), then steps halving steps. With k = 0 there is
// no index and the window is all the ranges.

const (
	// maxIndexBits bounds the index of a family: at most 1<<maxIndexBits
	// entries (8 KiB) of 16 bits, so a searched family has at most 0xffff
	// ranges.
	maxIndexBits = 12
	// indexExtra is how many more bits than log2(ranges) an index may
	// take: up to 16 entries (32 bytes) per range, where that saves a
	// search step (see DESIGN.md).
	indexExtra = 3
	// maxSteps is the most halving steps Contains has written out:
	// more than a Set searches (maxFlatSteps), whose windows are at most
	// 2^11 ranges.
	maxSteps = 10
)

// plan is the search plan of a family: its index bits k (0: none) after c
// shared bits, its window w, and the window's first step and halving
// steps.
type plan struct {
	k, c, w int
	first   uint16
	steps   uint8
}

// index returns the search plan of a family's ranges. The key of range i
// is keys[i]&mask (the first 64 bits of its first address, see key6),
// last is the key of the family's last address and maxKey the most bits
// c+k may take. index picks the k (from log2(n)-2 to log2(n)+indexExtra
// for n up to 16, else log2(n)+1, at most maxIndexBits) that makes the
// fewest search steps, counting the load of the index as one, and the
// smallest k among those.
func index(keys []uint64, mask, last uint64, maxKey int) plan {
	n := len(keys)
	p := plan{w: n}
	p.first, p.steps = search(n)
	if n <= 2 { // a search of one step: no index can do better
		return p
	}
	c := min(bits.LeadingZeros64((keys[0]&mask)^last), maxKey-1)
	extra := 1
	if n <= 16 {
		extra = indexExtra
	}
	hi := min(maxIndexBits, maxKey-c, bits.Len(uint(n))+extra)
	lo := min(max(1, bits.Len(uint(n))-2), hi)
	if hi < 1 {
		return p
	}
	// The windows shrink as k grows: find the fewest steps, at hi, then
	// the smallest k that makes as few.
	w := bucketWindow(keys, mask, c, hi)
	best := 1 + cost(w)
	if best >= cost(n) {
		return p
	}
	p.k, p.w = hi, w
	for l, h := lo, hi-1; l <= h; {
		k := (l + h) / 2
		if w := bucketWindow(keys, mask, c, k); 1+cost(w) == best {
			p.k, p.w = k, w
			h = k - 1
		} else {
			l = k + 1
		}
	}
	p.c = c
	p.first, p.steps = search(p.w)
	return p
}

// fillIndex writes the index of plan p for the ranges of keys (masked
// with mask) into w from word off. Bucket b's entry is the last range
// whose key is at most the bucket's first key: range j takes the buckets
// from its own (or the one after it, if it starts past that bucket's
// first key) to the next range's.
func fillIndex(w []uint64, off uint, keys []uint64, mask uint64, p plan) {
	top := len(keys) - p.w
	b := 0
	for j := 1; j < len(keys); j++ {
		// The first bucket whose first key is at or after keys[j].
		f := (keys[j] & mask) << p.c
		e := int(f >> (64 - p.k))
		if f<<p.k != 0 {
			e++
		}
		for v := uint16(min(j-1, top)); b < e; b++ {
			setIndex(w, off, uint(b), v)
		}
	}
	for ; b < 1<<p.k; b++ {
		setIndex(w, off, uint(b), uint16(top))
	}
}

// bucketWindow returns the most ranges that the addresses of one bucket can
// fall in, with k index bits after c shared ones: for each bucket, the
// ranges that start in it, and the one before them if there is one and
// none starts at the bucket's first address. Sorted keys are in the same
// bucket iff they share k bits after the c. The loop has no branches that
// depend on the keys.
func bucketWindow(keys []uint64, mask uint64, c, k int) int {
	w, size, extra := 0, 0, 0
	prev := (keys[0] & mask) << c
	for i, key := range keys {
		f := (key & mask) << c
		// m is all ones if f is in the previous range's bucket.
		m := int((uint64(bits.LeadingZeros64(prev^f))-uint64(k))>>63) - 1
		if i == 0 {
			m = 0
		}
		// past is 1 if f is past its bucket's first key (and there is a
		// range before it).
		past := int((uint64(bits.TrailingZeros64(f)) + uint64(k) - 64) >> 63)
		if i == 0 {
			past = 0
		}
		size = size&m + 1
		extra = extra&m | past&^m
		w = max(w, size+extra)
		prev = f
	}
	return w
}

// search returns the search plan of a window of w ranges: steps halving
// steps over the largest power of two at most w, after a first step at
// first = w - 2^steps if that is not 0.
func search(w int) (first uint16, steps uint8) {
	steps = uint8(bits.Len(uint(w)) - 1)
	return uint16(w - 1<<steps), steps
}

// cost returns the number of steps of a search with plan p, the load of
// the index counted as one; 0 for a family without ranges.
func (p plan) cost() int {
	if p.w == 0 {
		return 0
	}
	if p.k > 0 {
		return 1 + cost(p.w)
	}
	return cost(p.w)
}

// cost returns the number of steps of the search of a window of w ranges.
func cost(w int) int {
	first, steps := search(w)
	if first != 0 {
		return int(steps) + 1
	}
	return int(steps)
}

// check panics unless every word a lookup can read is inside s.w, which
// makes at4 and indexAt safe: the ranges, the indexes, and every index
// entry plus the window (first + 2^steps) of its family.
func (s *Set) check() {
	n := int(s.n4) + 4*int(s.n6)
	if n > len(s.w) {
		panic("trie: ranges out of range")
	}
	checkPlan(s.w, int(s.n4), s.ix4, s.sb4, s.first4, s.steps4)
	checkPlan(s.w, int(s.n6), s.ix6, s.sb6, s.first6, s.steps6)
}

func checkPlan(w []uint64, n int, ix uint32, sb uint8, first uint16, steps uint8) {
	if n == 0 {
		return
	}
	win := int(first) + 1<<steps // first is win - 2^steps, or 0
	if steps > maxSteps || win > n {
		panic("trie: search window out of range")
	}
	if ix == 0 {
		return
	}
	k := 64 - int(sb)
	if k < 1 || k > maxIndexBits || int(ix)+(1<<k+3)/4 > len(w) {
		panic("trie: index out of range")
	}
	for b := range uint(1) << k {
		if int(indexAt(w, uint(ix), b))+win > n {
			panic("trie: index entry out of range")
		}
	}
}

// Contains reports whether a is in s, with the semantics of
// netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6 addresses are looked
// up as IPv4 (with their zone ignored), zoned IPv6 addresses and the zero
// Addr are never contained.
//
// It holds every walk, written out rather than called: a call costs about
// 10 % of a lookup. The trie comes first: placed after the searches, it
// ran 5 % slower.
func (s *Set) Contains(a netip.Addr) bool {
	var hi, lo uint64
	if repOK { // written out: a function holding this would not inline
		hi, lo = addrWords(&a)
	} else {
		hi, lo = slowWords(a)
	}
	// An address whose words are IPv4-mapped is IPv4 or IPv4-mapped IPv6,
	// so valid (the zero Addr reads as ::); only others need the checks.
	is4 := hi == 0 && lo>>32 == 0xffff
	if !is4 && (!a.IsValid() || a.Zone() != "") {
		return false
	}
	if t := s.trie; t != nil {
		if is4 && t.fast4 {
			// Contains4 for its usual shape, written out here to save a call.
			x := uint32(lo)
			r := t.root4
			i := uint32(r[uint(x>>(3*stride))&uint(len(r)-1)])
			if x&t.m4 != t.w4 {
				i = zero
			}
			if t.exit4 && i == zero {
				return false
			}
			nodes := t.nodes
			nk := ^(uint64(x) << (64 - 3*stride))
			i = step(at(nodes, i), nk)
			i = step(at(nodes, i), nk<<stride)
			i = step(at(nodes, i), nk<<(2*stride))
			return i != zero
		}
		if is4 {
			return t.Contains4(uint32(lo))
		}
		if t.mode == modeHash {
			// modeHash: the t6-bit block after the c6 shared bits is looked
			// up in the cuckoo hash (both slots read, no branch), then the
			// walk takes d6 levels. Written out here: a call costs ~10 %.
			var x, nk uint64
			o := uint(t.c6) + uint(t.t6)
			if o < 64 { // all in hi: hashed bits [c6, o), walk bits [o, 64) then lo
				x = hi << (t.c6 & 63) >> ((64 - t.t6) & 63)
				nk = hi<<(o&63) | lo>>((64-o)&63)
			} else {
				x = window(hi, lo, uint(t.c6)) >> (64 - t.t6)
				nk = window(hi, lo, o)
			}
			tab := t.tab
			e1 := &tab[x*t.m1>>t.shift&uint64(len(tab)-1)]
			e2 := &tab[x*t.m2>>t.shift&uint64(len(tab)-1)]
			var i uint32
			if e1.key == x {
				i = e1.node
			}
			if e2.key == x {
				i = e2.node
			}
			if (hi&t.mask6^t.want6)|(lo&t.mlo6^t.wlo6) != 0 {
				i = zero
			}
			if i == zero {
				return false
			}
			nodes := t.nodes
			nk = ^nk
			if t.d6 == 3 {
				i = step(at(nodes, i), nk)
				i = step(at(nodes, i), nk<<stride)
				i = step(at(nodes, i), nk<<(2*stride))
			} else {
				for range t.d6 {
					i = step(at(nodes, i), nk)
					nk <<= stride
				}
			}
			if i > one { // only prefixes longer than c6+t6+6*d6 bits lead here
				return t.deeper6(i, hi, lo, o+stride*uint(t.d6))
			}
			return i != zero
		}
		if t.mode == modeSparse {
			// modeSparse: the t6 bits after the c6 shared bits index root6,
			// then the walk steps through nodes until it reaches a sentinel
			// or a terminal, which compares the whole prefix.
			if (hi&t.mask6^t.want6)|(lo&t.mlo6^t.wlo6) != 0 {
				return false
			}
			r := t.root6
			o := uint(t.c6)
			i := r[window(hi, lo, o)>>((64-t.t6)&63)&uint64(len(r)-1)]
			o += uint(t.t6)
			nodes := t.nodes
			n := at(nodes, i)
			for n.bits == 0 {
				i = step(n, ^window(hi, lo, o))
				n = at(nodes, i)
				o += stride
			}
			return i != zero && match(n, hi, lo)
		}
		return false
	}
	w := s.w
	if is4 {
		// Search the IPv4 ranges: each step moves the window's start by h
		// if the range there starts at or before x (from-(x+1) is
		// negative), without a branch. The steps are written out: a
		// loop cost about 10 % on sets whose windows take 3 or more.
		if s.n4 == 0 {
			return false
		}
		x := uint32(lo)
		xp := int64(x) + 1
		var i uint
		if o := uint(s.ix4); o != 0 {
			i = uint(indexAt(w, o, uint(uint64(x)<<32<<(s.sa4&63)>>(s.sb4&63))))
		}
		if h := uint(s.first4); h != 0 {
			i += h & uint((int64(at4(w, i+h)>>32)-xp)>>63)
		}
		switch s.steps4 {
		case 10:
			i += 512 & uint((int64(at4(w, i+512)>>32)-xp)>>63)
			fallthrough
		case 9:
			i += 256 & uint((int64(at4(w, i+256)>>32)-xp)>>63)
			fallthrough
		case 8:
			i += 128 & uint((int64(at4(w, i+128)>>32)-xp)>>63)
			fallthrough
		case 7:
			i += 64 & uint((int64(at4(w, i+64)>>32)-xp)>>63)
			fallthrough
		case 6:
			i += 32 & uint((int64(at4(w, i+32)>>32)-xp)>>63)
			fallthrough
		case 5:
			i += 16 & uint((int64(at4(w, i+16)>>32)-xp)>>63)
			fallthrough
		case 4:
			i += 8 & uint((int64(at4(w, i+8)>>32)-xp)>>63)
			fallthrough
		case 3:
			i += 4 & uint((int64(at4(w, i+4)>>32)-xp)>>63)
			fallthrough
		case 2:
			i += 2 & uint((int64(at4(w, i+2)>>32)-xp)>>63)
			fallthrough
		case 1:
			i += 1 & uint((int64(at4(w, i+1)>>32)-xp)>>63)
		}
		v := at4(w, i)
		return x-uint32(v>>32) <= uint32(v)
	}
	// The same for IPv6 (4 words a range from word o), with 128-bit
	// comparisons.
	if s.n6 == 0 {
		return false
	}
	o := uint(s.n4)
	var i uint
	if x := uint(s.ix6); x != 0 {
		i = uint(indexAt(w, x, uint(hi<<(s.sa6&63)>>(s.sb6&63))))
	}
	if h := uint(s.first6); h != 0 {
		i += h & below6(w, o+4*(i+h), hi, lo)
	}
	switch s.steps6 {
	case 10:
		i += 512 & below6(w, o+4*(i+512), hi, lo)
		fallthrough
	case 9:
		i += 256 & below6(w, o+4*(i+256), hi, lo)
		fallthrough
	case 8:
		i += 128 & below6(w, o+4*(i+128), hi, lo)
		fallthrough
	case 7:
		i += 64 & below6(w, o+4*(i+64), hi, lo)
		fallthrough
	case 6:
		i += 32 & below6(w, o+4*(i+32), hi, lo)
		fallthrough
	case 5:
		i += 16 & below6(w, o+4*(i+16), hi, lo)
		fallthrough
	case 4:
		i += 8 & below6(w, o+4*(i+8), hi, lo)
		fallthrough
	case 3:
		i += 4 & below6(w, o+4*(i+4), hi, lo)
		fallthrough
	case 2:
		i += 2 & below6(w, o+4*(i+2), hi, lo)
		fallthrough
	case 1:
		i += 1 & below6(w, o+4*(i+1), hi, lo)
	}
	j := o + 4*i
	dl, b := bits.Sub64(lo, at4(w, j+1), 0)
	dh, _ := bits.Sub64(hi, at4(w, j), b)
	_, b = bits.Sub64(at4(w, j+3), dl, 0)
	_, b = bits.Sub64(at4(w, j+2), dh, b)
	return b == 0
}

// below6 returns all ones if the IPv6 range at word j of w starts at or
// before hi:lo, else 0.
func below6(w []uint64, j uint, hi, lo uint64) uint {
	_, b := bits.Sub64(lo, at4(w, j+1), 0)
	_, b = bits.Sub64(hi, at4(w, j), b)
	return uint(b) - 1
}

// NumPrefixes returns the number of minimal prefixes of s per family.
func (s *Set) NumPrefixes() (v4, v6 int) { return int(s.p4), int(s.p6) }

// AppendPrefixes appends the minimal prefixes of s to dst, sorted, IPv4
// before IPv6 (as netipx.IPSet.Prefixes returns them).
func (s *Set) AppendPrefixes(dst []netip.Prefix) []netip.Prefix {
	for _, e := range s.w[:s.n4] {
		eachPrefix4(e, func(a uint32, n int) { dst = append(dst, netip.PrefixFrom(addr4(a), n)) })
	}
	for i := range int(s.n6) {
		eachPrefix6(s.range6At(i), func(hi, lo uint64, n int) { dst = append(dst, netip.PrefixFrom(addr6(hi, lo), n)) })
	}
	return dst
}

// Ranges calls yield with the first and last address of each range of s,
// sorted, IPv4 before IPv6, until yield returns false.
func (s *Set) Ranges(yield func(from, to netip.Addr) bool) {
	for _, e := range s.w[:s.n4] {
		if !yield(addr4(from4(e)), addr4(to4(e))) {
			return
		}
	}
	for i := range int(s.n6) {
		r := s.range6At(i)
		if !yield(addr6(r.hi, r.lo), addr6(r.to())) {
			return
		}
	}
}

// NumRanges returns the number of ranges of s.
func (s *Set) NumRanges() int { return int(s.n4 + s.n6) }

// SetStats describes the size of a Set.
type SetStats struct {
	Form                 Form
	Prefixes4, Prefixes6 int // minimal prefixes of each family
	Ranges4, Ranges6     int // ranges of each family
	Nodes4, Nodes6       int // trie nodes of each family (FormTrie)
	Bytes                int // memory held: the ranges, the indexes or the trie
}

// Stats returns the sizes of s.
func (s *Set) Stats() SetStats {
	st := SetStats{
		Form:      s.Form(),
		Prefixes4: int(s.p4), Prefixes6: int(s.p6),
		Ranges4: int(s.n4), Ranges6: int(s.n6),
		Bytes: 8 * cap(s.w),
	}
	if s.trie != nil {
		ts := s.trie.Stats()
		st.Nodes4, st.Nodes6 = ts.Nodes4, ts.Nodes6
		st.Bytes += ts.Bytes + tableBytes
	}
	return st
}
