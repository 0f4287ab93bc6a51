//go:build purego

package trie

import (
	"encoding/binary"
	"net/netip"
)

// This file holds the safe twins of the functions of unsafe.go, for builds
// with -tags purego.

// repOK is true: addrWords below does not depend on the layout of
// netip.Addr.
const repOK = true

// addrWords returns the 128-bit form of *a as two words, high first (an
// IPv4 address IPv4-mapped, the zero Addr ::). An IPv4 address goes
// through As4, which stays in a register, rather than As16, whose array
// is spilled and reloaded.
func addrWords(a *netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		b := a.As4()
		return 0, 0xffff<<32 | uint64(binary.BigEndian.Uint32(b[:]))
	}
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// at returns &nodes[i].
func at(nodes []node, i uint32) *node { return &nodes[i] }

// at4 returns w[i].
func at4(w []uint64, i uint) uint64 { return w[i] }

// indexAt returns entry b of the index that starts at word off of w, 4
// entries of 16 bits a word.
func indexAt(w []uint64, off, b uint) uint16 { return uint16(w[off+b/4] >> (b % 4 * 16)) }

// setIndex sets entry b of the index that starts at word off of w to v.
func setIndex(w []uint64, off, b uint, v uint16) {
	s := b % 4 * 16
	w[off+b/4] = w[off+b/4]&^(0xffff<<s) | uint64(v)<<s
}
