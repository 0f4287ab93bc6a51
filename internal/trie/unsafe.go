//go:build !purego

package trie

import (
	"net/netip"
	"unsafe"
)

// This file holds everything in the package that uses unsafe; purego.go
// has the same functions without it (build with -tags purego).

// The sizes the rest of the package assumes (a compile-time check).
var (
	_ [nodeBytes - unsafe.Sizeof(node{})]struct{}
	_ [unsafe.Sizeof(node{}) - nodeBytes]struct{}
	_ [entryBytes - unsafe.Sizeof(entry{})]struct{}
	_ [unsafe.Sizeof(entry{}) - entryBytes]struct{}
	_ [tableBytes - unsafe.Sizeof(Table{})]struct{}
	_ [unsafe.Sizeof(Table{}) - tableBytes]struct{}
)

// addrWords returns the 128-bit form of *a as two words, high first (an
// IPv4 address IPv4-mapped, the zero Addr ::), as As16 would, read from
// the Addr itself; callers use it only if repOK, else slowWords. Going
// through As16's [16]byte cost about 10 ns per lookup: the compiler
// spills the array and reloads it with one 16-byte load across two 8-byte
// stores, which the CPU cannot forward. The caller tests repOK itself so
// that addrWords inlines (a call to the fallback inside it would not).
func addrWords(a *netip.Addr) (hi, lo uint64) {
	r := (*[2]uint64)(unsafe.Pointer(a))
	return r[0], r[1]
}

// repOK reports whether a netip.Addr starts with its 128-bit address as
// two words in host order, high word first (then the handle of its family
// and zone), as addrWords reads it. It is checked once, against As16, on
// addresses whose words all differ; if a Go release changes the layout,
// lookups fall back to slowWords (As16).
var repOK = func() bool {
	if unsafe.Sizeof(netip.Addr{}) != 24 {
		return false
	}
	for _, s := range []string{"1.2.3.4", "::ffff:5.6.7.8", "2001:db8:1:2:3:4:5:6", "fe80::1:2%eth0", "ffff:fffe::8000:0:0:1"} {
		a := netip.MustParseAddr(s)
		hi, lo := words(a)
		if h, l := addrWords(&a); h != hi || l != lo {
			return false
		}
	}
	return true
}()

// at returns &nodes[i] without a bounds check. Every index a walk can
// reach is below len(nodes): Build checks that every root and hash entry
// is, and that every node's children (base to base+popcount(inner)) are
// (see Table.check), and a step only ever moves to a child or to a
// sentinel.
func at(nodes []node, i uint32) *node {
	return (*node)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(nodes)), uintptr(i)*nodeBytes))
}

// at4 returns w[i] without a bounds check. Every word a search reads is
// below len(w): newSet checks that every index entry plus the window's
// length is within the family's ranges (see Set.check), and a search
// moves only within its window.
func at4(w []uint64, i uint) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(w)), i*8))
}

// indexAt returns entry b of the index that starts at word off of w, 4
// entries of 16 bits a word, without a bounds check: b is below 1<<k (an
// address's k bits) and Set.check checks that the index fits in w.
func indexAt(w []uint64, off, b uint) uint16 {
	return *(*uint16)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(w)), off*8+b*2))
}

// setIndex sets entry b of the index that starts at word off of w to v,
// as indexAt reads it.
func setIndex(w []uint64, off, b uint, v uint16) {
	_ = w[off+b/4] // the bounds check indexAt leaves out
	*(*uint16)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(w)), off*8+b*2)) = v
}
