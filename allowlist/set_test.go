package allowlist

import (
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/internal/ipx"
	"github.com/ipallow/ipallow/internal/trie"
	"go4.org/netipx"
	"pgregory.net/rapid"
)

// bases are the addresses random prefixes cluster around, so that
// generated sets hold nested, adjacent and overlapping prefixes.
var bases = []netip.Addr{
	netip.MustParseAddr("0.0.0.0"),
	netip.MustParseAddr("10.0.0.0"),
	netip.MustParseAddr("10.1.2.0"),
	netip.MustParseAddr("127.255.255.255"),
	netip.MustParseAddr("192.168.0.0"),
	netip.MustParseAddr("255.255.255.255"),
	netip.MustParseAddr("::"),
	netip.MustParseAddr("::ffff:0.0.0.0"),
	netip.MustParseAddr("::ffff:10.0.0.0"),
	netip.MustParseAddr("2603:1020:206::"),
	netip.MustParseAddr("2603:1020:206:400::"),
	netip.MustParseAddr("2a01:111:f100::"),
	netip.MustParseAddr("fe80::"),
	netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
}

// genAddr draws an address: a base, or a base with random low bits, or a
// uniformly random address of either family.
func genAddr(t *rapid.T, label string) netip.Addr {
	b := rapid.SampledFrom(bases).Draw(t, label+"base")
	switch rapid.IntRange(0, 2).Draw(t, label+"kind") {
	case 0:
		return b
	case 1: // randomise the low n bits of the base
		s := b.As16()
		n := rapid.IntRange(0, b.BitLen()).Draw(t, label+"n")
		r := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label+"r")
		for i := 0; i < 16; i++ {
			bit := i * 8 // bits of byte i are [bit, bit+8) from the top of the 128-bit form
			keep := 128 - n
			if b.Is4() {
				keep = 96 + 32 - n
			}
			switch {
			case bit+8 <= keep:
			case bit >= keep:
				s[i] = r[i]
			default:
				m := byte(0xff) >> (keep - bit)
				s[i] = s[i]&^m | r[i]&m
			}
		}
		a := netip.AddrFrom16(s)
		if b.Is4() {
			a = a.Unmap()
		}
		return a
	default:
		r := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label+"u")
		if rapid.Bool().Draw(t, label+"v4") {
			return netip.AddrFrom4([4]byte(r[:4]))
		}
		return netip.AddrFrom16([16]byte(r))
	}
}

// genIPSet draws a set of up to maxN prefixes (added, and sometimes
// removed to punch holes), with nested and adjacent prefixes.
func genIPSet(t *rapid.T, maxN int) *netipx.IPSet {
	var b netipx.IPSetBuilder
	n := rapid.IntRange(0, maxN).Draw(t, "n")
	var prev []netip.Prefix
	for i := range n {
		var p netip.Prefix
		if len(prev) > 0 && rapid.IntRange(0, 3).Draw(t, "derive") == 0 {
			q := prev[rapid.IntRange(0, len(prev)-1).Draw(t, "of")]
			switch rapid.IntRange(0, 2).Draw(t, "how") {
			case 0: // adjacent: the next block of the same size
				r := netipx.RangeOfPrefix(q)
				if nx := r.To().Next(); nx.IsValid() {
					p = netip.PrefixFrom(nx, q.Bits()).Masked()
				}
			case 1: // nested: a longer prefix inside q
				bits := rapid.IntRange(q.Bits(), q.Addr().BitLen()).Draw(t, "nbits")
				p = netip.PrefixFrom(q.Addr(), bits).Masked()
			default: // the enclosing prefix
				p = netip.PrefixFrom(q.Addr(), q.Bits()/2).Masked()
			}
		}
		if !p.IsValid() {
			a := genAddr(t, "p")
			p = netip.PrefixFrom(a, rapid.IntRange(0, a.BitLen()).Draw(t, "bits")).Masked()
		}
		prev = append(prev, p)
		if i > 0 && rapid.IntRange(0, 7).Draw(t, "remove") == 0 {
			b.RemovePrefix(p)
		} else {
			b.AddPrefix(p)
		}
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatalf("IPSet: %v", err)
	}
	return s
}

// probes returns edge probes for s: every range's ends and the addresses
// just outside them, and the zero Addr.
func probes(s *netipx.IPSet) []netip.Addr {
	ps := []netip.Addr{{}}
	for _, r := range s.Ranges() {
		ps = append(ps, r.From(), r.To(), r.From().Prev(), r.To().Next())
	}
	return ps
}

// variants returns a with the forms that must give related answers:
// IPv4-mapped forms of IPv4 addresses (with and without a zone) and a
// zoned form of IPv6 addresses.
func variants(a netip.Addr) []netip.Addr {
	vs := []netip.Addr{a}
	switch {
	case a.Is4():
		m := netip.AddrFrom16(a.As16())
		vs = append(vs, m, m.WithZone("eth0"))
	case a.Is6():
		vs = append(vs, a.WithZone("eth0"), a.WithZone("1"))
	}
	return vs
}

// checkAgrees fails t if set and s disagree on a or on any of its variants.
func checkAgrees(t interface {
	Helper()
	Fatalf(string, ...any)
}, set *Set, s *netipx.IPSet, a netip.Addr) {
	t.Helper()
	for _, v := range variants(a) {
		if got, want := set.Contains(v), s.Contains(v.Unmap()); got != want {
			t.Fatalf("Contains(%v) = %v, want %v (netipx) for set %v", v, got, want, s.Prefixes())
		}
	}
}

// bulkPrefixes returns n prefixes drawn from seed, scattered over both
// families (IPv4 /16 to /32, IPv6 /32 to /128 in 2000::/3), and hosts IPv6
// /128s of one /64 (which no search index tells apart), so that sets of
// every representation of a Set are common.
func bulkPrefixes(seed uint64, n, hosts int) []netip.Prefix {
	r := rand.New(rand.NewPCG(seed, 11))
	ps := make([]netip.Prefix, 0, n+hosts)
	base := netip.MustParseAddr("2001:db8:0:7::").As16()
	for range hosts {
		b := base
		binary.BigEndian.PutUint64(b[8:], r.Uint64()>>r.IntN(64))
		ps = append(ps, netip.PrefixFrom(netip.AddrFrom16(b), 128))
	}
	for range n {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if r.IntN(5) > 0 {
			ps = append(ps, netip.PrefixFrom(netip.AddrFrom4([4]byte(b[:4])), 16+r.IntN(17)).Masked())
			continue
		}
		b[0] = 0x20 | b[0]&0x1f
		ps = append(ps, netip.PrefixFrom(netip.AddrFrom16(b), 32+r.IntN(97)).Masked())
	}
	return ps
}

// forms are the representations a Set can take; TestSetMatchesIPSet
// fails unless it reached each.
var forms = []trie.Form{trie.FormEmpty, trie.FormFlat, trie.FormFlatIndex, trie.FormTrie}

// TestSetMatchesIPSet: a Set from Compile, and one from CompilePrefixes,
// hold exactly the addresses of the netipx.IPSet, in every representation
// (the drawn sets are large enough to reach them all, which the test
// checks).
func TestSetMatchesIPSet(t *testing.T) {
	reached := map[trie.Form]int{}
	rapid.Check(t, func(t *rapid.T) {
		s := genIPSet(t, 60)
		bulk := bulkPrefixes(rapid.Uint64().Draw(t, "seed"), rapid.SampledFrom([]int{0, 0, 40, 300, 1500}).Draw(t, "bulk"), rapid.SampledFrom([]int{0, 0, 0, 100, 400}).Draw(t, "hosts"))
		if rapid.IntRange(0, 9).Draw(t, "empty") == 0 {
			s, bulk = new(netipx.IPSet), nil
		}
		var b netipx.IPSetBuilder
		b.AddSet(s)
		for _, p := range bulk {
			b.AddPrefix(p)
		}
		s, _ = b.IPSet()
		set := Compile(s)
		reached[set.c.Form()]++
		// CompilePrefixes refuses IPv4-mapped prefixes, which an IPSet
		// may hold: compare it on the rest.
		var ps []netip.Prefix
		for _, p := range append(s.Prefixes(), bulk...) {
			if ipx.CheckPrefix(p) == ipx.OK {
				ps = append(ps, p)
			}
		}
		rapid.Permutation(ps).Draw(t, "order")
		var vb netipx.IPSetBuilder
		for _, p := range ps {
			vb.AddPrefix(p)
		}
		valid, _ := vb.IPSet()
		fromPrefixes, err := CompilePrefixes(ps)
		if err != nil {
			t.Fatalf("CompilePrefixes: %v", err)
		}
		reached[fromPrefixes.c.Form()]++
		extra := make([]netip.Addr, rapid.IntRange(0, 200).Draw(t, "nprobes"))
		for i := range extra {
			extra[i] = genAddr(t, "probe")
		}
		for _, a := range append(probes(s), extra...) {
			checkAgrees(t, set, s, a)
		}
		for _, a := range append(probes(valid), extra...) {
			checkAgrees(t, fromPrefixes, valid, a)
		}
		if got, want := set.NumPrefixes(), len(s.Prefixes()); got != want {
			t.Fatalf("NumPrefixes = %d, want %d", got, want)
		}
		if got, want := fromPrefixes.NumPrefixes(), len(valid.Prefixes()); got != want {
			t.Fatalf("CompilePrefixes: NumPrefixes = %d, want %d", got, want)
		}
	})
	for _, f := range forms {
		if reached[f] == 0 {
			t.Errorf("no set was compiled to the %v form (reached: %v)", f, reached)
		}
	}
}

func TestSetMatchesIPSetSmall(t *testing.T) {
	// Small sets find bugs with short counterexamples.
	rapid.Check(t, func(t *rapid.T) {
		s := genIPSet(t, 8)
		set := Compile(s)
		for _, a := range probes(s) {
			checkAgrees(t, set, s, a)
		}
		for range 20 {
			checkAgrees(t, set, s, genAddr(t, "probe"))
		}
	})
}

func TestSetEdges(t *testing.T) {
	pfx := netip.MustParsePrefix
	tests := []struct {
		name string
		set  []netip.Prefix
	}{
		{"empty", nil},
		{"all v4", []netip.Prefix{pfx("0.0.0.0/0")}},
		{"all v6", []netip.Prefix{pfx("::/0")}},
		{"everything", []netip.Prefix{pfx("0.0.0.0/0"), pfx("::/0")}},
		{"mapped block", []netip.Prefix{pfx("::ffff:0:0/96")}},
		{"v4 in v6 /96", []netip.Prefix{pfx("::/96")}},
		{"host ends", []netip.Prefix{pfx("0.0.0.0/32"), pfx("255.255.255.255/32"), pfx("::/128"), pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")}},
		{"nested and adjacent", []netip.Prefix{pfx("10.0.0.0/8"), pfx("10.1.0.0/16"), pfx("11.0.0.0/8"), pfx("12.0.0.0/31"), pfx("12.0.0.3/32")}},
		{"long v6", []netip.Prefix{pfx("2603:1020:206::320/123"), pfx("2603:1020:206:4::680/121"), pfx("2603:1020:206:c01::/123")}},
		{"one v6 /127", []netip.Prefix{pfx("2001:db8::/127")}},
		{"one v6 /64", []netip.Prefix{pfx("2001:db8:1:2::/64")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b netipx.IPSetBuilder
			for _, p := range tt.set {
				b.AddPrefix(p)
			}
			s, _ := b.IPSet()
			set := Compile(s)
			ps := probes(s)
			for _, p := range tt.set {
				ps = append(ps, p.Addr(), netipx.PrefixLastIP(p), p.Addr().Prev(), netipx.PrefixLastIP(p).Next())
			}
			ps = append(ps, netip.MustParseAddr("1.2.3.4"), netip.MustParseAddr("2001:db8::1"), netip.IPv4Unspecified(), netip.IPv6Unspecified())
			for _, a := range ps {
				checkAgrees(t, set, s, a)
			}
			if diff := cmp.Diff(s.Prefixes(), set.Prefixes(), netipCmp); diff != "" {
				t.Errorf("Prefixes() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSetZeroAndNil calls every method of Set on a zero Set and on a nil
// *Set: both are the empty set, and nothing panics.
func TestSetZeroAndNil(t *testing.T) {
	addrs := []netip.Addr{{}, netip.IPv4Unspecified(), netip.MustParseAddr("1.2.3.4"), netip.MustParseAddr("::ffff:1.2.3.4"),
		netip.IPv6Unspecified(), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("fe80::1%eth0")}
	for _, tc := range []struct {
		name   string
		set    *Set
		str    string
		stats  SetStats
		prefix []netip.Prefix
	}{
		{"zero", &Set{}, fmt.Sprintf("Set{0 prefixes, 0 nodes, %d bytes}", setBytes), SetStats{Bytes: setBytes}, []netip.Prefix{}},
		{"nil", nil, "Set(nil)", SetStats{}, []netip.Prefix{}},
		{"Compile(nil)", Compile(nil), fmt.Sprintf("Set{0 prefixes, 0 nodes, %d bytes}", setBytes), SetStats{Bytes: setBytes}, []netip.Prefix{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.set
			for _, a := range addrs {
				if s.Contains(a) {
					t.Errorf("Contains(%v) = true", a)
				}
				if r, ok := s.Explain(a); ok {
					t.Errorf("Explain(%v) = %v, true", a, r)
				}
			}
			if got := s.IPSet(); got == nil || len(got.Ranges()) != 0 {
				t.Errorf("IPSet() = %v, want an empty IPSet", got)
			}
			if diff := cmp.Diff(tc.prefix, s.Prefixes(), netipCmp); diff != "" {
				t.Errorf("Prefixes() mismatch (-want +got):\n%s", diff)
			}
			if n := s.NumPrefixes(); n != 0 {
				t.Errorf("NumPrefixes() = %d", n)
			}
			if diff := cmp.Diff(tc.stats, s.Stats()); diff != "" {
				t.Errorf("Stats() mismatch (-want +got):\n%s", diff)
			}
			if got := s.String(); got != tc.str {
				t.Errorf("String() = %q, want %q", got, tc.str)
			}
			one := mustSet(t, "192.0.2.0/24")
			if c := Diff(s, one); len(c.Lost) != 0 || len(c.Gained) != 1 {
				t.Errorf("Diff(empty, one) = %+v", c)
			}
			if c := Diff(one, s); len(c.Lost) != 1 || len(c.Gained) != 0 {
				t.Errorf("Diff(one, empty) = %+v", c)
			}
		})
	}
}

// mustIPSet returns the IPSet of the prefixes ps.
func mustIPSet(t testing.TB, ps ...string) *netipx.IPSet {
	t.Helper()
	var b netipx.IPSetBuilder
	for _, p := range ps {
		b.AddPrefix(netip.MustParsePrefix(p))
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCompilePrefixes: CompilePrefixes gives the Set that Compile gives for
// the netipx union of the prefixes, duplicates, overlaps and order
// notwithstanding.
func TestCompilePrefixes(t *testing.T) {
	for _, tc := range []struct {
		name string
		ps   []string
	}{
		{"empty", nil},
		{"one", []string{"192.0.2.0/24"}},
		{"duplicates and nesting", []string{"10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8", "10.255.255.255/32", "2001:db8::/32", "2001:db8:1::/48"}},
		{"adjacent merge", []string{"10.0.0.0/9", "10.128.0.0/9", "11.0.0.0/8", "2001:db8::/33", "2001:db8:8000::/33"}},
		{"unsorted", []string{"203.0.113.0/24", "::/0", "192.0.2.7/32", "0.0.0.0/1", "2001:db8::1/128"}},
		{"everything", []string{"0.0.0.0/0", "::/0", "1.2.3.4/32", "::1/128"}},
		{"ends", []string{"255.255.255.255/32", "0.0.0.0/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ps []netip.Prefix
			for _, p := range tc.ps {
				ps = append(ps, netip.MustParsePrefix(p))
			}
			got, err := CompilePrefixes(ps)
			if err != nil {
				t.Fatalf("CompilePrefixes: %v", err)
			}
			want := mustIPSet(t, tc.ps...)
			if diff := cmp.Diff(want.Prefixes(), got.Prefixes(), netipCmp); diff != "" {
				t.Errorf("Prefixes() mismatch (-want +got):\n%s", diff)
			}
			if !got.IPSet().Equal(want) {
				t.Errorf("IPSet() = %v, want %v", got.IPSet().Prefixes(), want.Prefixes())
			}
			for _, a := range probes(want) {
				checkAgrees(t, got, want, a)
			}
		})
	}
}

// TestCompilePrefixesErrors: a prefix that is not valid, masked and
// unmapped is an ErrInvalidPrefix naming it, its index and a fix that is
// itself a valid prefix.
func TestCompilePrefixesErrors(t *testing.T) {
	good := netip.MustParsePrefix("192.0.2.0/24")
	for _, tc := range []struct {
		name string
		bad  netip.Prefix
		want string
		fix  string // a prefix the message suggests, "" if none
	}{
		{"zero", netip.Prefix{}, "allowlist: invalid prefix: prefix 1 is not a valid prefix (the zero Prefix or a bad length); remove it, or give a valid prefix such as 192.0.2.0/24", "192.0.2.0/24"},
		{"bad length", netip.PrefixFrom(netip.MustParseAddr("10.0.0.0"), 33), "allowlist: invalid prefix: prefix 1 is not a valid prefix (the zero Prefix or a bad length); remove it, or give a valid prefix such as 192.0.2.0/24", "192.0.2.0/24"},
		{"host bits", netip.MustParsePrefix("137.117.106.90/29"), "allowlist: invalid prefix: prefix 1 (137.117.106.90/29): host bits are set; write 137.117.106.88/29 (or 137.117.106.90/32 for the single address)", "137.117.106.88/29"},
		{"IPv6 host bits", netip.MustParsePrefix("2001:db8::1/64"), "allowlist: invalid prefix: prefix 1 (2001:db8::1/64): host bits are set; write 2001:db8::/64 (or 2001:db8::1/128 for the single address)", "2001:db8::/64"},
		{"mapped", netip.MustParsePrefix("::ffff:10.0.0.0/104"), "allowlist: invalid prefix: prefix 1 (::ffff:10.0.0.0/104): IPv4-mapped; write the IPv4 prefix 10.0.0.0/8", "10.0.0.0/8"},
		{"mapped block", netip.MustParsePrefix("::ffff:0.0.0.0/96"), "allowlist: invalid prefix: prefix 1 (::ffff:0.0.0.0/96): IPv4-mapped; write the IPv4 prefix 0.0.0.0/0", "0.0.0.0/0"},
		{"mapped, short", netip.PrefixFrom(netip.MustParseAddr("::ffff:10.0.0.0"), 80), "allowlist: invalid prefix: prefix 1 (::ffff:10.0.0.0/80): IPv4-mapped and shorter than /96; write ::/80 for the IPv6 block it spans", "::/80"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := CompilePrefixes([]netip.Prefix{good, tc.bad, good})
			if s != nil || !errors.Is(err, ErrInvalidPrefix) {
				t.Fatalf("CompilePrefixes = %v, %v; want nil and an ErrInvalidPrefix", s, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got %q\nwant %q", got, tc.want)
			}
			if p, err := netip.ParsePrefix(tc.fix); err != nil || p != p.Masked() || p.Addr().Is4In6() {
				t.Errorf("suggested fix %q is not a valid prefix", tc.fix)
			}
		})
	}
}

func TestSetString(t *testing.T) {
	var b netipx.IPSetBuilder
	b.AddPrefix(netip.MustParsePrefix("10.0.0.0/8"))
	b.AddPrefix(netip.MustParsePrefix("2001:db8::/32"))
	s, _ := b.IPSet()
	got := Compile(s).String()
	if !strings.HasPrefix(got, "Set{10.0.0.0/8 2001:db8::/32; 2 prefixes, ") {
		t.Errorf("String() = %q", got)
	}
	b = netipx.IPSetBuilder{}
	for i := range 20 {
		b.AddPrefix(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(2 * i), 0, 0}), 16))
	}
	s, _ = b.IPSet()
	if got := Compile(s).String(); !strings.Contains(got, "10.14.0.0/16 …; 20 prefixes") {
		t.Errorf("String() = %q, want 8 prefixes then …", got)
	}
}

func TestSetContainsAllocs(t *testing.T) {
	set := Compile(loadTag(t, "AzureCloud"))
	addrs := []netip.Addr{netip.MustParseAddr("20.50.94.1"), netip.MustParseAddr("2603:1020:206::321"), netip.MustParseAddr("fe80::1%eth0"), {}}
	if n := testing.AllocsPerRun(100, func() {
		for _, a := range addrs {
			set.Contains(a)
		}
	}); n != 0 {
		t.Errorf("Contains allocates %v times per run", n)
	}
}

// serviceTags is the part of a service-tag download the tests read.
type serviceTags struct {
	Values []struct {
		Name       string `json:"name"`
		Properties struct {
			AddressPrefixes []string `json:"addressPrefixes"`
		} `json:"properties"`
	} `json:"values"`
}

const serviceTagsFile = "testdata/ServiceTags_Public_20251020.json.gz"

// loadTag returns the prefixes of the named tag of the test download as an
// IPSet; an empty name means the union of all tags.
func loadTag(t testing.TB, name string) *netipx.IPSet {
	t.Helper()
	var b netipx.IPSetBuilder
	for _, p := range loadTagPrefixes(t, name) {
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// loadTagPrefixes returns the prefixes of the named tag of the test
// download as listed (an empty name: of every tag).
func loadTagPrefixes(t testing.TB, name string) []netip.Prefix {
	t.Helper()
	f, err := os.Open(serviceTagsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var st serviceTags
	if err := json.NewDecoder(zr).Decode(&st); err != nil {
		t.Fatalf("%s: %v", serviceTagsFile, err)
	}
	var ps []netip.Prefix
	for _, v := range st.Values {
		if name != "" && v.Name != name {
			continue
		}
		for _, s := range v.Properties.AddressPrefixes {
			ps = append(ps, netip.MustParsePrefix(s))
		}
	}
	if len(ps) == 0 {
		t.Fatalf("%s: no prefixes for tag %q", serviceTagsFile, name)
	}
	return ps
}

// randomIn returns a random address of the range r.
func randomIn(rng *rand.Rand, r netipx.IPRange) netip.Addr {
	p := r.Prefixes()[0] // random address in the first prefix is enough
	b := p.Addr().As16()
	n := p.Addr().BitLen() - p.Bits()
	for i := 15; i >= 0 && n > 0; i-- {
		k := min(n, 8)
		m := byte(1<<k - 1)
		b[i] |= byte(rng.Uint32()) & m
		n -= k
	}
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		a = a.Unmap()
	}
	return a
}

func TestSetServiceTags(t *testing.T) {
	for _, tag := range []string{"AzureCloud", "Sql.WestEurope", ""} {
		name := tag
		if name == "" {
			name = "union"
		}
		t.Run(name, func(t *testing.T) {
			s := loadTag(t, tag)
			set := Compile(s)
			for _, a := range probes(s) {
				checkAgrees(t, set, s, a)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			rs := s.Ranges()
			for range 20000 {
				checkAgrees(t, set, s, randomIn(rng, rs[rng.IntN(len(rs))]))
				var b [16]byte
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
				checkAgrees(t, set, s, netip.AddrFrom4([4]byte(b[:4])))
				b[0] = 0x20 | b[0]&0x1f
				checkAgrees(t, set, s, netip.AddrFrom16(b))
			}
			if diff := cmp.Diff(s.Prefixes(), set.Prefixes(), netipCmp); diff != "" {
				t.Errorf("Prefixes() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// fuzzPrefixes decodes data as records: a flags byte (bit 0: IPv6, bit 1:
// remove instead of add, bit 2: a run), a length byte, then 4 or 16
// address bytes (missing bytes are zero). A run record is followed by a
// count byte c and a gap byte g and stands for 8c+1 prefixes of the
// record's length: the block at the record's address, and every (g+2)th
// block of that size after it, so runs reach the sizes where a Set's
// representation changes (a trie takes over past 256 ranges that an index
// cannot tell apart, such as IPv6 hosts of one /64; a search needs 16-bit
// positions, which only sets too large for a fuzz input need). Runs stop
// at 320 prefixes in all, and a run of removals at 16.
func fuzzPrefixes(data []byte) (add, remove []netip.Prefix) {
	total := 0
	for len(data) >= 2 {
		flags, bits := data[0], int(data[1])
		data = data[2:]
		n := 4
		if flags&1 != 0 {
			n = 16
		}
		var a [16]byte
		k := copy(a[:n], data)
		data = data[k:]
		var addr netip.Addr
		if n == 4 {
			addr = netip.AddrFrom4([4]byte(a[:4]))
		} else {
			addr = netip.AddrFrom16(a)
		}
		p := netip.PrefixFrom(addr, bits%(addr.BitLen()+1)).Masked()
		ps := []netip.Prefix{p}
		if flags&4 != 0 && len(data) >= 2 {
			count, gap := 8*int(data[0])+1, uint64(data[1])+2
			data = data[2:]
			count = min(count, 320-total)
			if flags&2 != 0 {
				// netipx normalizes its set at each removal: keep
				// removals few.
				count = min(count, 16)
			}
			for i := 1; i < count; i++ {
				ps = append(ps, nthBlock(p, uint64(i)*gap))
			}
			total += count
		}
		if flags&2 != 0 {
			remove = append(remove, ps...)
		} else {
			add = append(add, ps...)
		}
	}
	return add, remove
}

// nthBlock returns the block of p's size i blocks after p, wrapping around
// the address space.
func nthBlock(p netip.Prefix, i uint64) netip.Prefix {
	b := p.Addr().As16()
	shift := p.Addr().BitLen() - p.Bits() // the block is 1<<shift addresses
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	// Add i<<shift to the address's 128-bit form.
	var ih, il uint64
	switch {
	case shift >= 128:
		return p
	case shift >= 64:
		ih = i << (shift - 64)
	default:
		il = i << shift
		if shift > 0 {
			ih = i >> (64 - shift)
		}
	}
	lo, c := bits.Add64(lo, il, 0)
	hi, _ = bits.Add64(hi, ih, c)
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	return netip.PrefixFrom(a, p.Bits())
}

// fuzzIPSet returns the netipx.IPSet of the records of data, added and
// then removed.
func fuzzIPSet(add, remove []netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range add {
		b.AddPrefix(p)
	}
	for _, p := range remove {
		b.RemovePrefix(p)
	}
	s, _ := b.IPSet()
	return s
}

// fuzzAddrs decodes data as addresses: a kind byte (0: IPv4, 1: IPv6,
// 2: IPv4-mapped, 3: zoned IPv6, 4: zero) and then 4 or 16 bytes.
func fuzzAddrs(data []byte) []netip.Addr {
	var as []netip.Addr
	for len(data) >= 1 {
		kind := data[0] % 5
		data = data[1:]
		var a [16]byte
		n := 4
		if kind == 1 || kind == 3 {
			n = 16
		}
		k := copy(a[:n], data)
		data = data[k:]
		switch kind {
		case 0:
			as = append(as, netip.AddrFrom4([4]byte(a[:4])))
		case 1:
			as = append(as, netip.AddrFrom16(a))
		case 2:
			as = append(as, netip.AddrFrom16(netip.AddrFrom4([4]byte(a[:4])).As16()))
		case 3:
			as = append(as, netip.AddrFrom16(a).WithZone("eth0"))
		default:
			as = append(as, netip.Addr{})
		}
	}
	return as
}

// FuzzSet checks Compile of the IPSet of the set records, and
// CompilePrefixes of the added prefixes when nothing is removed, against
// netipx on the probe records and on the ends of (about 16 of) the set's
// ranges. The largest set (320 prefixes) costs one netipx build and two
// compilations, well under a millisecond, and at most a few hundred
// probes, so that the rate stays steady while inputs are minimized.
func FuzzSet(f *testing.F) {
	f.Add([]byte{0, 8, 10, 0, 0, 0, 0, 24, 192, 168, 1, 0}, []byte{0, 10, 1, 2, 3, 2, 192, 168, 1, 255, 0, 192, 168, 2, 0})
	f.Add([]byte{1, 48, 0x26, 0x03, 0x10, 0x20, 0x02, 0x06, 3, 64, 0x26, 0x03, 0x10, 0x20, 0x02, 0x06}, []byte{1, 0x26, 0x03, 0x10, 0x20, 0x02, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0x26, 0x03})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 1, 0, 2, 32, 1, 2, 3, 4}, []byte{4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 5})
	f.Add([]byte{1, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, []byte{2, 10, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1})
	// Runs at the sizes where the representation changes: 17 IPv4
	// prefixes (past the small index), 249 IPv6 hosts of one /64
	// (searched: at most 256 ranges), 320 of them (a trie).
	f.Add([]byte{4, 24, 198, 51, 0, 0, 2, 0}, []byte{0, 198, 51, 0, 5, 0, 198, 51, 1, 5})
	f.Add([]byte{5, 128, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 31, 0}, []byte{1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{5, 128, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 4, 30, 10, 0, 0, 0, 8, 0}, []byte{1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x81, 0, 10, 0, 0, 4})
	f.Fuzz(func(t *testing.T, setData, probeData []byte) {
		add, remove := fuzzPrefixes(setData)
		s := fuzzIPSet(add, remove)
		sets := []*Set{Compile(s)}
		if len(remove) == 0 {
			set, err := CompilePrefixes(add)
			bad := slices.IndexFunc(add, func(p netip.Prefix) bool { return ipx.CheckPrefix(p) != ipx.OK })
			switch {
			case bad >= 0:
				if !errors.Is(err, ErrInvalidPrefix) || !strings.Contains(err.Error(), fmt.Sprintf("prefix %d (%s)", bad, add[bad])) {
					t.Fatalf("CompilePrefixes with %v at %d: %v, want an ErrInvalidPrefix naming it", add[bad], bad, err)
				}
			case err != nil:
				t.Fatalf("CompilePrefixes: %v", err)
			default:
				sets = append(sets, set)
			}
		}
		ps := []netip.Addr{{}}
		rs := s.Ranges()
		for i := 0; i < len(rs); i += max(1, len(rs)/16) {
			r := rs[i]
			ps = append(ps, r.From(), r.To(), r.From().Prev(), r.To().Next())
		}
		for _, set := range sets {
			for _, a := range append(ps, fuzzAddrs(probeData)...) {
				checkAgrees(t, set, s, a)
			}
			if set.NumPrefixes() != len(s.Prefixes()) {
				t.Fatalf("NumPrefixes = %d, want %d", set.NumPrefixes(), len(s.Prefixes()))
			}
		}
	})
}
