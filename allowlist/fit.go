package allowlist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"

	"github.com/ipallow/ipallow/internal/ipx"
	"go4.org/netipx"
)

// ErrNoFit: Fit was asked for fewer prefixes than any cover of the set
// needs (at least one per address family that the set holds).
var ErrNoFit = errors.New("allowlist: no fit")

// Fit returns at most max prefixes whose union contains s and adds the fewest addresses
// outside s (IPv4 and IPv6 addresses counted alike). When s's own prefixes number at most
// max, it returns exactly s.Prefixes(). An empty set gives no prefixes and no error.
//
// Use it to bring a set under an entry limit, such as the 200 entries of
// AKS "API server authorized IP ranges" (the AzureCloud service tag alone
// publishes over 13,000 prefixes, about 3,200 once adjacent ones are
// merged), and [FitAdded] to see exactly which addresses the merged list
// lets in beyond s. Every address counts the same, so merging IPv6
// prefixes, which for two /64s adds at least 2^65 addresses, loses to
// almost any IPv4 merge.
//
// The result is an optimum over every list of at most max prefixes, not a
// greedy merge: no list of at most max prefixes that contains s has fewer
// addresses outside s. Counts are exact (::/0 holds 2^128 addresses, and
// the total over both families can pass 2^128). Of the optimal lists Fit
// returns the one with the fewest prefixes, and of those the first in
// lexicographic order, prefixes compared by address, then length: where
// two such lists first differ, the one with the broader prefix wins. The
// prefixes are sorted as netipx sorts them (IPv4 before IPv6, by
// address), none lies inside another and no two are the halves of one
// prefix: the result is the minimal prefix list of its own union.
//
// Fit needs max >= 1 for a set of one family and max >= 2 for a set of
// both, since a prefix holds addresses of one family only; for a smaller
// max it returns an error that wraps [ErrNoFit]. A nil s is empty.
//
// Cost: for a set of n prefixes (n = len(s.Prefixes()) > max), Fit runs a
// dynamic program over the path-compressed binary trie of the prefixes
// (fewer than 2n nodes), each node bounding its number of prefixes by
// the number of set prefixes below it. It takes O(n*max) time (and
// O(n log n) to build the trie) and O(n*max) memory in the worst case, 4
// bytes for each node and each number of prefixes it can use; real lists
// need far less, as most subtrees are small. The AzureCloud tag fits into
// 200 prefixes in a few milliseconds, allocating about 1.5 MB.
func Fit(s *netipx.IPSet, max int) ([]netip.Prefix, error) {
	if s == nil {
		return nil, nil
	}
	// s.Prefixes(), without a slice per range.
	var ps []netip.Prefix
	for _, r := range s.Ranges() {
		ps = r.AppendPrefixes(ps)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	if len(ps) <= max {
		return ps, nil
	}
	n4 := 0
	for n4 < len(ps) && ps[n4].Addr().Is4() {
		n4++
	}
	v4, v6 := ps[:n4], ps[n4:]
	families := 0
	for _, f := range [][]netip.Prefix{v4, v6} {
		if len(f) > 0 {
			families++
		}
	}
	if max < families {
		return nil, noFit(len(v4), len(v6), max)
	}
	// Each family keeps at least one prefix for the other, if present.
	budget := max - families + 1
	var fs []*fitter
	for _, f := range [][]netip.Prefix{v4, v6} {
		if len(f) > 0 {
			fs = append(fs, newFitter(f, budget))
		}
	}
	if len(fs) == 1 {
		f := fs[0]
		return f.emit(nil, f.root, len(f.table)), nil
	}

	// Both families: split max between them. The sum of the two costs
	// can pass 2^128 - 1 (it is below 2^129), so it is compared with its
	// carry.
	a, b := fs[0], fs[1]
	bi, bj := 0, 0
	var best fitCell
	var bestCarry uint64
	for i := 1; i <= len(a.table); i++ {
		x := &a.table[i-1]
		for j := 1; j <= len(b.table) && i+j <= max; j++ {
			y := &b.table[j-1]
			sum, carry := x.cost.add(y.cost)
			n := x.n + y.n
			if bi == 0 || carry < bestCarry || carry == bestCarry && better(sum, n, x.aux, &best, a.table) {
				best, bestCarry, bi, bj = fitCell{sum, n, int32(i)}, carry, i, j
			}
		}
	}
	out := make([]netip.Prefix, 0, best.n)
	out = a.emit(out, a.root, bi)
	return b.emit(out, b.root, bj), nil
}

// FitAdded returns the addresses that fitted allows beyond s, as minimal
// sorted prefixes (IPv4 first), or nil if there are none: what a list
// returned by [Fit] lets in that s does not. A nil s is empty; invalid
// prefixes in fitted add nothing.
func FitAdded(s *netipx.IPSet, fitted []netip.Prefix) []netip.Prefix {
	var b netipx.IPSetBuilder
	for _, p := range fitted {
		b.AddPrefix(p)
	}
	f, _ := b.IPSet() // the error only reports the invalid prefixes, which the set leaves out
	return ipx.Minus(f, s)
}

// noFit is the error for a set of n4 IPv4 and n6 IPv6 prefixes that no
// list of max prefixes covers.
func noFit(n4, n6, max int) error {
	if n4 > 0 && n6 > 0 {
		return fmt.Errorf("%w: max is %d, but the set has %d IPv4 and %d IPv6 prefixes and a prefix holds one family only; use a max of 2 or more",
			ErrNoFit, max, n4, n6)
	}
	n, what := n4, "IPv4 prefix"
	if n6 > 0 {
		n, what = n6, "IPv6 prefix"
	}
	if n > 1 {
		what += "es"
	}
	return fmt.Errorf("%w: max is %d, but the set has %d %s; use a max of 1 or more", ErrNoFit, max, n, what)
}

// u128 is an unsigned 128-bit number: an address, or a count of addresses
// modulo 2^128.
type u128 struct{ hi, lo uint64 }

// add returns a+b modulo 2^128 and the carry out (0 or 1).
func (a u128) add(b u128) (u128, uint64) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c
}

// sub returns a-b modulo 2^128.
func (a u128) sub(b u128) u128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, c)
	return u128{hi, lo}
}

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

// blockSize returns the number of addresses in a prefix with e host bits,
// 2^e, modulo 2^128 (e is 0..128; ::/0 has 2^128 and gives 0).
func blockSize(e int) u128 {
	switch {
	case e >= 128:
		return u128{}
	case e >= 64:
		return u128{hi: 1 << (e - 64)}
	}
	return u128{lo: 1 << e}
}

// bit returns bit d of the left-aligned address a (0 is the top bit).
func (a u128) bit(d int) bool {
	if d < 64 {
		return a.hi>>(63-d)&1 == 1
	}
	return a.lo>>(127-d)&1 == 1
}

// common returns the number of leading bits that a and b share.
func (a u128) common(b u128) int {
	if a.hi != b.hi {
		return bits.LeadingZeros64(a.hi ^ b.hi)
	}
	return 64 + bits.LeadingZeros64(a.lo^b.lo)
}

// fitCell is the best cover of one trie node's part of the set with at most
// k prefixes, for one k.
//
// cost is exact: within one family the addresses a cover adds lie in the
// family's space and are fewer than 2^128, since the set holds at least
// one of them.
type fitCell struct {
	cost u128  // addresses added outside the set
	n    int32 // prefixes used
	// aux is first the split: the budget given to the lower child, or 0
	// when the cover is the node's own prefix. Once the node's table is
	// done and its splits saved, it is the cover's rank: its place in
	// lexicographic order among the node's covers for every k, 0 first,
	// equal covers sharing a rank.
	aux int32
}

// better reports whether a split cover that adds cost addresses with n
// prefixes, whose lower child's cover has rank ra, is better than the
// cover t of the same node for the same k, where lower holds the lower
// child's table: it adds fewer addresses, or as many with fewer prefixes,
// or else comes first in lexicographic order.
//
// The last test needs only the lower child's ranks. The node's own prefix
// is one prefix and a split at least two, so a tie is between two splits,
// whose lower child's covers are compared first. Where those are equal,
// so are the costs and counts of the upper child's covers, and so the
// covers themselves.
func better(cost u128, n, ra int32, t *fitCell, lower []fitCell) bool {
	switch {
	case cost != t.cost:
		return cost.less(t.cost)
	case n != t.n:
		return n < t.n
	}
	return ra < lower[t.aux-1].aux
}

// fitter runs the dynamic program for the prefixes of one family.
//
// The path-compressed trie of the prefixes has a leaf for each prefix and
// a node for each prefix where two of them branch (the longest prefix
// holding both), so it has fewer than 2n nodes. A cover worth having uses
// only trie nodes: any other prefix that contains part of the set can
// shrink to the longest one holding the same part, which is a trie node,
// and add fewer addresses. So each node v has two choices: its own prefix
// (adding the addresses of v outside the set), or a cover of each child
// within a shared budget.
type fitter struct {
	leaves []netip.Prefix
	keys   []u128 // the leaves' addresses, left-aligned
	bitLen int    // 32 or 128
	budget int    // at most this many prefixes

	nodes  []fitNode
	splits []int32   // each branch node's splits for k = 1..K, from off
	stack  []fitCell // the tables of the subtrees being combined, last on top

	// scratch for ranking, reused from node to node
	keyA, keyB, order, tmp, count []int32

	root  int32
	table []fitCell // the root's table, k = 1..len(table)
}

// fitNode is a node of the trie: the prefix of length bits that holds
// leaves[lo].
type fitNode struct {
	lo, bits    int32
	left, right int32 // children, or -1 for a leaf
	off         int32 // start of the node's splits
}

func (f *fitter) prefix(nd *fitNode) netip.Prefix {
	return netip.PrefixFrom(f.leaves[nd.lo].Addr(), int(nd.bits)).Masked()
}

// newFitter solves the program for leaves, sorted disjoint prefixes of
// one family, for every budget up to budget.
func newFitter(leaves []netip.Prefix, budget int) *fitter {
	f := &fitter{leaves: leaves, keys: make([]u128, len(leaves)), budget: budget, bitLen: leaves[0].Addr().BitLen()}
	for i, p := range leaves {
		b := p.Addr().As16()
		f.keys[i] = u128{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
		if f.bitLen == 32 {
			f.keys[i] = u128{hi: f.keys[i].lo << 32}
		}
	}
	f.nodes = make([]fitNode, 0, 2*len(leaves))
	root, _ := f.solve(0, len(leaves))
	f.root = root
	f.table = f.stack
	return f
}

// solve builds the subtree of leaves[lo:hi] and pushes its table (k = 1
// up to the smaller of hi-lo and the budget) on the stack. It returns the
// subtree's node and the number of set addresses in it, modulo 2^128
// (exact below a branch node, which the set never fills).
func (f *fitter) solve(lo, hi int) (int32, u128) {
	if hi-lo == 1 {
		f.nodes = append(f.nodes, fitNode{lo: int32(lo), bits: int32(f.leaves[lo].Bits()), left: -1, right: -1})
		f.stack = append(f.stack, fitCell{n: 1}) // rank 0
		return int32(len(f.nodes) - 1), blockSize(f.bitLen - f.leaves[lo].Bits())
	}
	// The leaves share d bits (d is shorter than each, as they are
	// disjoint) and split on bit d: zeros first, as they are sorted.
	d := f.keys[lo].common(f.keys[hi-1])
	mid, top := lo+1, hi-1
	for mid < top {
		m := int(uint(mid+top) / 2)
		if f.keys[m].bit(d) {
			top = m
		} else {
			mid = m + 1
		}
	}
	base := len(f.stack)
	left, inL := f.solve(lo, mid)
	ka := len(f.stack) - base
	right, inR := f.solve(mid, hi)
	kb := len(f.stack) - base - ka
	in, _ := inL.add(inR)

	k := min(hi-lo, f.budget)
	own := fitCell{cost: blockSize(f.bitLen - d).sub(in), n: 1}
	f.stack = append(f.stack, make([]fitCell, k)...)
	as, bs, tab := f.stack[base:base+ka], f.stack[base+ka:base+ka+kb], f.stack[base+ka+kb:]
	for i := range tab {
		tab[i] = own
	}
	// The min-plus combination of the children's tables: at most
	// min(ka, k) * min(kb, k) steps, which sum to O(n*budget) over the
	// trie as each node's table is bounded by its number of leaves.
	for i := 1; i <= ka; i++ {
		a := &as[i-1]
		row := tab[i:] // row[j] is for k = i+j+1
		for j, b := range bs[:min(kb, k-i)] {
			cost, _ := a.cost.add(b.cost)
			n := a.n + b.n
			if t := &row[j]; better(cost, n, a.aux, t, as) {
				*t = fitCell{cost, n, int32(i)}
			}
		}
	}
	off := len(f.splits)
	for _, c := range tab {
		f.splits = append(f.splits, c.aux)
	}
	f.rank(tab, as, bs)

	f.nodes = append(f.nodes, fitNode{lo: int32(lo), bits: int32(d), left: left, right: right, off: int32(off)})
	f.stack = append(f.stack[:base], tab...) // tab lies above base: copy moves it down
	return int32(len(f.nodes) - 1), in
}

// rank replaces each split of tab with the cover's rank: the node's own
// prefix first, then the splits in the order of their children's ranks
// (as and bs hold the children's tables), lower child first. It sorts
// with two counting passes, in O(len(tab) + len(as) + len(bs)).
func (f *fitter) rank(tab, as, bs []fitCell) {
	n := len(tab)
	f.keyA, f.keyB = grow(f.keyA, n), grow(f.keyB, n)
	f.order, f.tmp = grow(f.order, n), grow(f.tmp, n)
	f.count = grow(f.count, max(len(as), len(bs))+2)
	// The key of the cover for k = i+1: (0, 0) for the node's own prefix,
	// else (1 + the lower child's rank, the upper child's rank).
	for i, c := range tab {
		f.keyA[i], f.keyB[i] = 0, 0
		if s := int(c.aux); s != 0 {
			f.keyA[i], f.keyB[i] = 1+as[s-1].aux, bs[i-s].aux
		}
		f.tmp[i] = int32(i)
	}
	f.sortBy(f.order, f.tmp, f.keyB, len(bs))
	f.sortBy(f.tmp, f.order, f.keyA, len(as)+1)
	r := int32(-1)
	for x, i := range f.tmp {
		if x == 0 || f.keyA[i] != f.keyA[f.tmp[x-1]] || f.keyB[i] != f.keyB[f.tmp[x-1]] {
			r++
		}
		tab[i].aux = r
	}
}

// sortBy sorts the indexes of from by their key (0 <= key < n) into to,
// keeping the order of equal keys.
func (f *fitter) sortBy(to, from, key []int32, n int) {
	count := f.count[:n+1]
	clear(count)
	for _, i := range from {
		count[key[i]+1]++
	}
	for x := 1; x <= n; x++ {
		count[x] += count[x-1]
	}
	for _, i := range from {
		to[count[key[i]]] = i
		count[key[i]]++
	}
}

// grow returns s resized to n, reusing its array if it is large enough.
func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, max(n, 2*cap(s)))
	}
	return s[:n]
}

// emit appends the best cover of node v with at most k prefixes, in
// address order.
func (f *fitter) emit(out []netip.Prefix, v int32, k int) []netip.Prefix {
	nd := &f.nodes[v]
	if nd.left < 0 {
		return append(out, f.prefix(nd))
	}
	i := int(f.splits[int(nd.off)+k-1])
	if i == 0 {
		return append(out, f.prefix(nd))
	}
	out = f.emit(out, nd.left, i)
	return f.emit(out, nd.right, k-i)
}
