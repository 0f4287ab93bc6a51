// Package trie is the read-only prefix trie behind allowlist.Set: it
// answers "is this address in the set?" for an immutable set of IPv4 and
// IPv6 prefixes, in a few dependent loads and without allocating.
//
// # What was chosen
//
// A Poptrie-style multibit trie (Asai and Ohara, "Poptrie: A Compressed
// Trie with Population Count for Fast and Scalable Software IP Routing
// Table Lookup", SIGCOMM 2015), specialised for membership:
//
//   - Keys are the address bits; each family has its own trie. IPv4 keys
//     are 32 bits, IPv6 keys 128 bits (two uint64 halves).
//   - A node has a 6-bit stride and two 64-bit vectors: inner (slot i leads
//     to a child node) and leaf (slot i lies entirely in the set). A leaf is
//     one bit, so there are no leaf arrays: the answer is read from the
//     vector already loaded. Children are contiguous from a base index and
//     slot i's child is base + popcount(inner & (1<<i - 1)) (one POPCNT).
//   - The root is direct-pointed (DIR-24-8 style): an array of 1<<k nodes
//     indexed by the first k bits (k grows with the number of prefixes, at
//     most 12 for IPv4 and 10 for IPv6), so the first load resolves k+6
//     bits. Before it, the bits shared by every prefix of the family (for
//     example 2603:1020:206::/48 for a regional tag) are compared once and
//     skipped.
//   - Level compression: where a subtree is dense, a node's children are
//     blocks of 1<<j nodes (j ≤ 8) indexed directly by the next j bits, so
//     one load there resolves 6+j bits. The builder picks j per node, as
//     large as the subtree fills (children × 2^j ≤ prefixes below).
//   - Path compression: a chain of single-child nodes becomes one skip
//     node that compares up to 64 bits at once; a subtree holding a single
//     longer prefix becomes a terminal skip node. This keeps long, sparse
//     prefixes (IPv6 /120, IPv4 /32) from costing a load per 6 bits.
//   - All nodes of a family live in one []node (24 bytes each) and refer to
//     each other by uint32 index, never by pointer: the garbage collector
//     does not scan them, and the AzureCloud service tag (13,080 prefixes)
//     compiles to about 180 KB, which stays in L2 cache.
//
// # Why
//
// A Set only needs a boolean per address and never changes after it is
// built, so unlike a routing table (such as gaissmai/bart, whose 8-bit
// stride nodes with 256-bit bitsets and popcount support insertion and
// deletion and carry values) it can be laid out for reading only: it is
// built from the minimal, disjoint prefixes of a netipx.IPSet, so no two
// prefixes nest, controlled prefix expansion never has to choose between
// overlapping values, and a leaf needs no storage beyond its bit. A 6-bit
// stride is the widest for which a node's vectors fit a machine word, which
// keeps a step to one load, one shift, one POPCNT and an add. The direct
// root and the directly indexed child blocks trade memory for fewer
// dependent loads only where the set is dense enough to pay for it.
//
// The lookup follows netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6
// addresses are looked up as IPv4, zoned IPv6 addresses and the zero Addr
// are never contained.
package trie
