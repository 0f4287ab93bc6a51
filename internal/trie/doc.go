// Package trie holds what answers allowlist.Set's lookups: "is this
// address in the set?" for an immutable set of IPv4 and IPv6 addresses,
// in a few dependent loads, and without allocating.
//
// A Set keeps its addresses once, as sorted disjoint ranges in one slice
// of words, and searches them without branching, through a small index
// of the address's leading bits; a large Set whose ranges cluster too
// tightly for the index gets a Table, a Poptrie-style multibit trie of
// 6-bit nodes with a direct-pointing IPv4 root and a hashed (or, for
// scattered prefixes, sparse) IPv6 entry. Lookups follow
// netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6 addresses are
// looked up as IPv4, zoned IPv6 addresses and the zero Addr are never
// contained.
//
// The package reads a netip.Addr's words and its arrays without bounds
// checks with unsafe (unsafe.go); building with -tags purego uses safe
// twins of those functions instead (purego.go). DESIGN.md beside this
// file records the representations, the thresholds between them, and the
// measurements behind them.
package trie
