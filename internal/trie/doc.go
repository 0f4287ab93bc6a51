// Package trie is the read-only prefix trie behind allowlist.Set: it
// answers "is this address in the set?" for an immutable set of IPv4 and
// IPv6 prefixes, in a fixed number of dependent loads, with one branch
// that depends on the address, and without allocating.
//
// # What was chosen
//
// A Poptrie-style multibit trie (Asai and Ohara, "Poptrie: A Compressed
// Trie with Population Count for Fast and Scalable Software IP Routing
// Table Lookup", SIGCOMM 2015), specialised for membership and walked to a
// fixed depth:
//
//   - A node consumes a 6-bit slot of the key and holds two 64-bit
//     vectors, inner (slot s leads to a child) and leaf (slot s lies
//     entirely in the set), and the index of its first child (24 bytes).
//     Children are contiguous, so slot s's child is
//     base + popcount(inner & (1<<s - 1)): one POPCNT. A leaf is one bit;
//     there are no leaf arrays.
//   - Nodes 0 and 1 are sentinels: "nothing below is in the set" and
//     "everything below is". A slot that is not inner leads to the
//     sentinel of its leaf bit, and a sentinel leads to itself. So every
//     lookup of a family takes the same number of steps (except for an
//     early "no", below), each computed with shifts, a POPCNT and masks
//     instead of branches, and the answer is the index it ends at. There is no path or level compression: both
//     would make the depth, and so the branch that ends the walk, depend on
//     the address.
//   - IPv4: the bits every prefix shares are compared once and skipped;
//     then a root block of 1<<k nodes (k ≥ 8, at most 12) is indexed
//     directly (DIR-24-8 style) and d levels of nodes follow, with k+6d
//     the length of the longest prefix: 8 root bits and 4 loads for a
//     general IPv4 list.
//   - IPv6: the shared bits are compared and skipped in the same way. If
//     the prefixes then group into few t-bit blocks (t ≤ 58, prefixes
//     shorter than t counted once per block they cover, at most about one
//     block per prefix), the blocks are found in a cuckoo hash table read
//     at its two slots, again without branching, and d levels below them
//     cover the prefixes up to /64. Service tags group into /46 blocks
//     with 3 levels below them (AzureCloud, the union of all tags) or into
//     a /105 block with 3 levels (a regional tag). Otherwise a root block
//     as for IPv4 is used. Prefixes longer than /64 take extra steps below
//     the fixed levels (a branch taken only for such addresses).
//   - All nodes live in one []node and refer to each other by uint32
//     index, never by pointer, so the garbage collector does not scan them.
//     The AzureCloud service tag (13,080 prefixes, 3,206 after merging)
//     compiles to about 77 KB (6 B per input prefix), the union of all tags
//     to about 80 KB, so the whole table stays in L2 cache.
//
// # Why
//
// A Set only needs a boolean per address and never changes after it is
// built, so unlike a routing table (such as gaissmai/bart, whose 8-bit
// stride nodes with 256-bit bitsets support insertion and deletion and
// carry values) it can be laid out for reading only. It is built from the
// minimal, disjoint prefixes of a netipx.IPSet, so no two prefixes nest and
// a slot is either inner, in the set or not.
//
// Membership is asked for many independent addresses in a row, so what
// counts is how many lookups the CPU can overlap. A walk whose depth or
// node kind depends on the address mispredicts a branch at almost every
// lookup (about 15 cycles each, and it discards the work of the lookups
// behind it); a walk of fixed depth with no such branches lets the
// processor run several lookups at once, so the cost is mostly the
// instructions per step: about 20. A 6-bit stride is the widest for which
// a node's vectors fit a machine word. Measured against the earlier
// path- and level-compressed version of this package, the fixed-depth walk
// is about 1.4 to 1.7 times faster on the 200-prefix AKS-style list and on
// a regional tag, and the IPv6 hash cut the IPv6 depth of the service
// tags from 8 levels to 3.
//
// The one data-dependent branch stops a walk whose first load (the root
// node of IPv4, the hash slots of IPv6) already leads to "nothing": hits
// never take it, so it costs them nothing, and addresses far from the set
// are answered after one load instead of walking the sentinel to the end.
// In a stream that mixes such misses with near misses it mispredicts,
// which is the price of the saved levels: on the service tags (many random
// misses answered at the root) it saves about a quarter of the miss time,
// on the 200-prefix list it adds about a third.
//
// The lookup follows netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6
// addresses are looked up as IPv4, zoned IPv6 addresses and the zero Addr
// are never contained.
package trie
