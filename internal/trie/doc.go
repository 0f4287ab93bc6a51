// Package trie is the read-only prefix trie behind allowlist.Set: it
// answers "is this address in the set?" for an immutable set of IPv4 and
// IPv6 prefixes, in a fixed number of dependent loads per family, and
// without allocating.
//
// # What was chosen
//
// A Poptrie-style multibit trie (Asai and Ohara, "Poptrie: A Compressed
// Trie with Population Count for Fast and Scalable Software IP Routing
// Table Lookup", SIGCOMM 2015) with a direct-pointing IPv4 root
// (DIR-24-8 style) and a hashed IPv6 entry, specialised for membership and
// walked to a fixed depth:
//
//   - A node consumes a 6-bit slot of the key and holds two 64-bit
//     vectors, inner (slot s leads to a child) and leaf (slot s lies
//     entirely in the set), and the index of its first child. Children are
//     contiguous, so slot s's child is base + popcount(inner & (1<<s - 1)):
//     one POPCNT. A leaf is one bit; there are no leaf arrays. Nodes are
//     padded to 32 bytes so that none straddles a cache line.
//   - Nodes 0 and 1 are sentinels: "nothing below is in the set" and
//     "everything below is". A slot that is not inner leads to the
//     sentinel of its leaf bit, and a sentinel leads to itself, so a walk
//     takes the same number of steps whatever the address, each computed
//     with shifts, a POPCNT and masks instead of branches, and the answer
//     is the index it ends at.
//   - IPv4: the bits all prefixes share (c) are compared once; then a root
//     array of 1<<k node indexes (or sentinels) is indexed directly, and d
//     levels of nodes follow, with c+k+6d = 32 exactly: the fewest levels
//     (at least 2) whose root fits a budget of max(64 KiB, 10 B per IPv4
//     prefix). For every list measured that is a 14-bit root and 3 levels
//     (a 2-level root of 20 bits would take 2 to 4 MiB, out of L2), or
//     fewer root bits when the prefixes share leading bits. Root entries
//     are uint16 (a 32 KiB root) unless the IPv4 nodes outgrow 16-bit
//     indexes, then uint32.
//   - IPv6: the shared bits are compared and skipped in the same way; the
//     next t bits (t ≤ 58) name a block, looked up in a cuckoo hash table
//     read at both its slots without branching, and d levels of nodes
//     follow: the fewest levels for which the blocks stay few (about one
//     per prefix, prefixes shorter than t counted once per block they
//     cover). Service tags group into /46 blocks with 3 levels below them
//     (AzureCloud, the union of all tags), or /105 blocks with 3 levels (a
//     regional tag). Prefixes longer than the fixed levels take extra
//     steps (a branch taken only for such addresses). IPv6 prefixes too
//     scattered to hash (random /19 to /128, as in the synthetic mix_*
//     sets) get a root block of nodes and up to 8 levels instead.
//   - All nodes live in one []node and refer to each other by uint32
//     index, never by pointer, so the garbage collector does not scan
//     them. AzureCloud (13,080 prefixes, 3,206 after merging) compiles to
//     about 100 KB; so does the union of all tags (52,340 prefixes).
//
// # Why
//
// A Set only needs a boolean per address and never changes after it is
// built, so unlike a routing table (gaissmai/bart's 8-bit stride nodes
// with 256-bit bitsets support insertion and deletion and carry values) it
// can be laid out for reading only. It is built from the minimal, disjoint
// prefixes of a netipx.IPSet, so no two prefixes nest and a slot is either
// inner, in the set or not.
//
// Membership is asked for many independent addresses in a row, so what
// counts is how many lookups the CPU can overlap: the cost is mostly
// instructions (about 15 per level) and mispredicted branches, not load
// latency. Measured with the project's comparison harness
// (../shared/bench/compare.sh, ratios to bart.Fast, hit / miss streams;
// noise about ±10 %), against the previous version of this package (an
// 8-bit root block of nodes, 4 levels, 24-byte nodes):
//
//   - Root array of 14 bits and 3 levels instead of 8 bits and 4 levels:
//     with uint32 entries (64 KiB) the service-tag misses got slower (the
//     root no longer fits L1); with uint16 entries (32 KiB) every set got
//     faster: the 200-prefix AKS list 0.53/0.73 → 0.44/0.50.
//   - Reading the address: netip.Addr.As16 returns a [16]byte that the
//     compiler spills and reloads with one 16-byte load across two 8-byte
//     stores, which the CPU cannot forward; that alone cost about 10 ns
//     per lookup. Contains reads the two words of the Addr directly, after
//     checking once (repOK, against As16) that netip.Addr has that layout,
//     and falls back to As16 if a Go release changes it.
//   - Node accesses skip bounds checks (unsafe pointer arithmetic); this
//     is safe because Build checks that every root entry, hash entry and
//     node's children are below len(nodes), and a step only moves to a
//     child or a sentinel.
//   - 32-byte nodes instead of 24: AzureCloud hits 0.43 → 0.36, the union
//     misses 1.01 → 0.93, AKS 0.44 → 0.39.
//   - Stopping at an empty IPv4 root entry mispredicts on a stream that
//     mixes far misses (stopped) with near misses and hits (walked). It
//     pays where the nodes outgrow L1 (more than 32 KiB, the service
//     tags: union misses 1.16 → 0.93, AzureCloud 1.01 → 0.83) and costs
//     where they do not (AKS misses 0.45 → 0.66, regional 0.62 → 0.77), so
//     Build enables it only above 32 KiB of nodes. IPv6 walks always stop
//     at an empty hash entry.
//   - Contains writes out the usual IPv4 walk (16-bit root, 3 levels) and
//     the hashed IPv6 walk instead of calling Contains4 and the IPv6
//     lookup: the union misses 0.84 → 0.75, AKS 0.38/0.42 → 0.34/0.39.
//   - Looking up both families' entries without a branch on the family
//     (then selecting one with masks) was slower than branching on the
//     family, with or without stopping early (AzureCloud misses 0.77 →
//     0.90), so the family is a branch.
//
// The lookup follows netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6
// addresses are looked up as IPv4, zoned IPv6 addresses and the zero Addr
// are never contained.
package trie
