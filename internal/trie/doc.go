// Package trie is the read-only prefix trie behind allowlist.Set: it
// answers "is this address in the set?" for an immutable set of IPv4 and
// IPv6 prefixes, in a few dependent loads, and without allocating.
//
// A Table is a Poptrie-style multibit trie of 6-bit nodes with a
// direct-pointing IPv4 root and a hashed (or, for scattered prefixes,
// sparse) IPv6 entry. The lookup follows netipx.IPSet.Contains(a.Unmap()):
// IPv4-mapped IPv6 addresses are looked up as IPv4, zoned IPv6 addresses
// and the zero Addr are never contained.
//
// The package reads a netip.Addr's words and indexes its nodes with
// unsafe (unsafe.go); building with -tags purego uses safe twins of those
// functions instead (purego.go). DESIGN.md beside this file records the
// representation, the choices made and the measurements behind them.
package trie
