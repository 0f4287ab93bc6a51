package allowlist

import (
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func TestSetMatchesIPSet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genIPSet(t, 5000)
		set := Compile(s)
		for _, a := range probes(s) {
			checkAgrees(t, set, s, a)
		}
		for range rapid.IntRange(0, 200).Draw(t, "nprobes") {
			checkAgrees(t, set, s, genAddr(t, "probe"))
		}
	})
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

func TestSetNil(t *testing.T) {
	var s *Set
	if s.Contains(netip.MustParseAddr("1.2.3.4")) {
		t.Error("nil Set contains 1.2.3.4")
	}
	if n := s.NumPrefixes(); n != 0 {
		t.Errorf("nil Set NumPrefixes = %d, want 0", n)
	}
	if got := s.IPSet(); got == nil || len(got.Ranges()) != 0 {
		t.Errorf("nil Set IPSet = %v, want empty", got)
	}
	if got := s.String(); got != "Set(nil)" {
		t.Errorf("nil Set String = %q", got)
	}
	e := Compile(nil)
	if e.Contains(netip.IPv4Unspecified()) || e.Contains(netip.IPv6Unspecified()) || e.NumPrefixes() != 0 {
		t.Error("Compile(nil) is not empty")
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
	var b netipx.IPSetBuilder
	n := 0
	for _, v := range st.Values {
		if name != "" && v.Name != name {
			continue
		}
		for _, s := range v.Properties.AddressPrefixes {
			b.AddPrefix(netip.MustParsePrefix(s))
			n++
		}
	}
	if n == 0 {
		t.Fatalf("%s: no prefixes for tag %q", serviceTagsFile, name)
	}
	s, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
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
// remove instead of add), a length byte, then 4 or 16 address bytes
// (missing bytes are zero).
func fuzzIPSet(data []byte) *netipx.IPSet {
	var b netipx.IPSetBuilder
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
		if flags&2 != 0 {
			b.RemovePrefix(p)
		} else {
			b.AddPrefix(p)
		}
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

func FuzzSet(f *testing.F) {
	f.Add([]byte{0, 8, 10, 0, 0, 0, 0, 24, 192, 168, 1, 0}, []byte{0, 10, 1, 2, 3, 2, 192, 168, 1, 255, 0, 192, 168, 2, 0})
	f.Add([]byte{1, 48, 0x26, 0x03, 0x10, 0x20, 0x02, 0x06, 3, 64, 0x26, 0x03, 0x10, 0x20, 0x02, 0x06}, []byte{1, 0x26, 0x03, 0x10, 0x20, 0x02, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0x26, 0x03})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 1, 0, 2, 32, 1, 2, 3, 4}, []byte{4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 5})
	f.Add([]byte{1, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, []byte{2, 10, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1})
	f.Fuzz(func(t *testing.T, setData, probeData []byte) {
		s := fuzzIPSet(setData)
		set := Compile(s)
		for _, a := range append(probes(s), fuzzAddrs(probeData)...) {
			checkAgrees(t, set, s, a)
		}
	})
}
