// Package trie is the read-only prefix trie behind allowlist.Set: it
// answers "is this address in the set?" for an immutable set of IPv4 and
// IPv6 prefixes, in a few dependent loads, and without allocating.
//
// # What was chosen
//
// A Poptrie-style multibit trie (Asai and Ohara, "Poptrie: A Compressed
// Trie with Population Count for Fast and Scalable Software IP Routing
// Table Lookup", SIGCOMM 2015) with a direct-pointing IPv4 root
// (DIR-24-8 style) and a hashed IPv6 entry, specialised for membership and
// walked to a fixed depth (a sparse trie with terminal nodes for IPv6
// prefixes too scattered to hash):
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
//     steps (a branch taken only for such addresses).
//   - IPv6 prefixes too scattered to hash (no block size with up to 5
//     levels below it gives about one block per prefix: random /32 to
//     /128 with some short prefixes, as in the synthetic mix_* and v6_*
//     sets) are looked up in a sparse trie instead: the shared bits are
//     compared, the next k bits index a root array of uint32 node indexes
//     (k = log2(IPv6 prefixes) + 3, between 4 and 16: about 8 entries per
//     prefix, at most 256 KiB), and the walk goes on through ordinary
//     6-bit nodes until it reaches a sentinel or a terminal node. A
//     terminal stands for a subtrie that holds a single prefix: it keeps
//     the prefix (address and length) in a node's place, and the address
//     is in the set iff it matches the prefix under its mask, all 128 bits
//     compared at once. The sentinels double as /0 terminals, so the walk
//     has one exit test. Scattered prefixes part within one or two nodes
//     below the root, so a lookup takes 2 or 3 dependent loads, a /128
//     costs one 32-byte node instead of a chain of about 18, and memory
//     grows with the number of prefixes, not their length.
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
//     child or a sentinel (terminal nodes are never stepped through).
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
//   - Scattered IPv6 (the sparse trie above) replaced a root block of up
//     to 1<<12 nodes followed by plain 6-bit levels without path
//     compression, where a lone /128 took a chain of about 18 nodes and
//     as many dependent loads. Package benchmark (synthetic 80 % IPv4 /
//     20 % IPv6 sets, hit/miss ns per lookup, trie bytes per prefix):
//     1k prefixes 62/37 ns, 152 B → 10/9 ns, 107 B; 10k 105/76 ns,
//     151 B → 13/9 ns, 67 B; 100k (whose IPv4 merges into 0.0.0.0/0, so
//     20k IPv6 prefixes) 249/209 ns, 254 B → 16/16 ns, 51 B. Against
//     bart.Fast (harness, hit/miss): mix_1k 1.36/1.02 → 0.66/0.69,
//     mix_10k 0.45/0.52, v6_1k 0.82/0.85; retained memory per prefix,
//     IPSet included: mix_1k 180 → 156 B (bart.Lite 78: the IPSet alone
//     is 49 B and the 32 KiB IPv4 root 33 B), v6_1k 123 B (bart.Lite 65).
//     The root array's size is a speed/memory trade: with 2 entries per
//     prefix v6_1k ran at 1.21/0.95 × bart.Fast, with 4 at 0.94/0.89, with
//     8 at 0.82/0.85 (16 more bytes per IPv6 prefix than 4). The
//     hashed walk is kept where it applies (service tags): it needs no
//     exit test per level.
//
// The lookup follows netipx.IPSet.Contains(a.Unmap()): IPv4-mapped IPv6
// addresses are looked up as IPv4, zoned IPv6 addresses and the zero Addr
// are never contained.
package trie
