package allowlist

import (
	"net/netip"
	"testing"

	"github.com/ipallow/ipallow/servicetag"
	"go4.org/netipx"
	"pgregory.net/rapid"
)

// drawPrefix draws a canonical prefix from a small corner of each family,
// so that prefixes often nest, repeat and touch; sometimes a /0 or a
// prefix at the end of the address space.
func drawPrefix(t *rapid.T, label string) netip.Prefix {
	if rapid.IntRange(0, 3).Draw(t, label+"6") == 0 {
		var b [16]byte
		b[0], b[1] = 0x20, 0x01
		if rapid.IntRange(0, 9).Draw(t, label+"top") == 0 {
			b = [16]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff}
		}
		b[15] = rapid.Byte().Draw(t, label+"b15")
		bits := rapid.OneOf(rapid.IntRange(120, 128), rapid.IntRange(0, 128)).Draw(t, label+"bits")
		return netip.PrefixFrom(netip.AddrFrom16(b), bits).Masked()
	}
	mid := byte(rapid.IntRange(0, 1).Draw(t, label+"mid") * 255)
	a := [4]byte{rapid.SampledFrom([]byte{0, 10, 73, 255}).Draw(t, label+"b0"), mid, mid, rapid.Byte().Draw(t, label+"b3")}
	bits := rapid.OneOf(rapid.IntRange(22, 32), rapid.IntRange(0, 32)).Draw(t, label+"bits")
	return netip.PrefixFrom(netip.AddrFrom4(a), bits).Masked()
}

func drawPrefixes(t *rapid.T, label string, max int) []netip.Prefix {
	n := rapid.IntRange(0, max).Draw(t, label+"n")
	ps := make([]netip.Prefix, n)
	for i := range ps {
		ps[i] = drawPrefix(t, label)
	}
	return ps
}

// resolveCase is a drawn list, tag source and egress.
type resolveCase struct {
	l List
	r Resolver
}

func drawResolveCase(t *rapid.T) resolveCase {
	tags := fakeTags{"Tag": drawPrefixes(t, "tag", 6), "Other": drawPrefixes(t, "other", 3)}
	var eg Egress
	for _, p := range drawPrefixes(t, "ip", 3) {
		eg.OutboundIPs = append(eg.OutboundIPs, p.Addr())
	}
	eg.OutboundPrefixes = drawPrefixes(t, "out", 2)
	if rapid.Bool().Draw(t, "api") {
		eg.APIServer = drawPrefix(t, "api").Addr()
	}
	l := List{Mode: Mode(rapid.IntRange(0, 2).Draw(t, "mode"))}
	if l.Mode == Restricted {
		l.Prefixes = drawPrefixes(t, "entry", 8)
		l.ServiceTags = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"Tag", "Other"}), 0, 2, rapid.ID).Draw(t, "tags")
	}
	return resolveCase{l, Resolver{Tags: tags, Egress: eg}}
}

// oracle is the union of the case's parts, built with netipx.
func (c resolveCase) oracle() *netipx.IPSet {
	var b netipx.IPSetBuilder
	switch c.l.Mode {
	case Disabled:
		b.AddPrefix(netip.MustParsePrefix("0.0.0.0/0"))
		b.AddPrefix(netip.MustParsePrefix("::/0"))
	case Restricted:
		for _, p := range c.l.Prefixes {
			b.AddPrefix(p)
		}
		for _, name := range c.l.ServiceTags {
			for _, p := range c.r.Tags.(fakeTags)[name] {
				b.AddPrefix(p)
			}
		}
		fallthrough
	case EgressOnly:
		for _, a := range c.r.Egress.OutboundIPs {
			b.Add(a)
		}
		for _, p := range c.r.Egress.OutboundPrefixes {
			b.AddPrefix(p)
		}
		if c.r.Egress.APIServer.IsValid() {
			b.Add(c.r.Egress.APIServer)
		}
	}
	s, _ := b.IPSet()
	return s
}

// explainProbes returns the addresses around every part of c: each
// prefix's first and last address and their neighbours, and the ends of
// both families.
func (c resolveCase) explainProbes() []netip.Addr {
	var ps []netip.Prefix
	ps = append(ps, c.l.Prefixes...)
	for _, ts := range c.r.Tags.(fakeTags) {
		ps = append(ps, ts...)
	}
	ps = append(ps, c.r.Egress.OutboundPrefixes...)
	for _, a := range append(c.r.Egress.OutboundIPs, c.r.Egress.APIServer) {
		if a.IsValid() {
			ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	as := []netip.Addr{{}, netip.IPv4Unspecified(), netip.MustParseAddr("255.255.255.255"), netip.IPv6Unspecified(),
		netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}
	for _, p := range ps {
		first, last := p.Addr(), netipx.PrefixLastIP(p)
		as = append(as, first, last, first.Prev(), last.Next())
	}
	return as
}

// TestResolveIsUnion: the resolved set equals the netipx union of the
// list's prefixes, its tags' prefixes and the egress (or everything, for
// a Disabled list).
func TestResolveIsUnion(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawResolveCase(t)
		s, err := c.r.Resolve(c.l)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		want := c.oracle()
		if !s.IPSet().Equal(want) {
			t.Fatalf("resolved %v, want %v", s.IPSet().Prefixes(), want.Prefixes())
		}
		for _, a := range c.explainProbes() {
			if got, want := s.Contains(a), want.Contains(a); got != want {
				t.Fatalf("Contains(%v) = %v, want %v", a, got, want)
			}
		}
	})
}

// TestExplainAgreesWithContains: for every probe (boundaries of every
// part, their IPv4-mapped and zoned forms, random addresses) Explain
// allows exactly what Contains allows, and names a rule of the right
// source whose prefix holds the address and that wins by priority.
func TestExplainAgreesWithContains(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawResolveCase(t)
		s, err := c.r.Resolve(c.l)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		compiled := Compile(s.IPSet())
		probes := c.explainProbes()
		for range 5 {
			probes = append(probes, drawPrefix(t, "probe").Addr())
		}
		for _, base := range probes {
			vs := []netip.Addr{base}
			if base.Is4() {
				m := netip.AddrFrom16(base.As16())
				vs = append(vs, m, m.WithZone("eth0"))
			} else if base.Is6() {
				vs = append(vs, base.WithZone("eth0"))
			}
			for _, a := range vs {
				for _, set := range []*Set{s, compiled} {
					r, ok := set.Explain(a)
					if ok != set.Contains(a) {
						t.Fatalf("Explain(%v) = %v, %v but Contains = %v", a, r, ok, !ok)
					}
					if ok && !r.Prefix.Contains(a.Unmap()) {
						t.Fatalf("Explain(%v) = %v: the prefix does not hold the address", a, r)
					}
				}
				if r, ok := s.Explain(a); ok {
					checkWinner(t, c, a.Unmap(), r)
				}
				if r, ok := compiled.Explain(a); ok && (r.Source != FromSet || !compiled.IPSet().ContainsPrefix(r.Prefix) || !isOneOf(r.Prefix, compiled.Prefixes())) {
					t.Fatalf("compiled Explain(%v) = %v, want a prefix of %v", a, r, compiled.Prefixes())
				}
			}
		}
	})
}

func isOneOf(p netip.Prefix, ps []netip.Prefix) bool {
	for _, q := range ps {
		if p == q {
			return true
		}
	}
	return false
}

// checkWinner checks r against the priority order, computed the slow way.
func checkWinner(t *rapid.T, c resolveCase, a netip.Addr, r Rule) {
	want := Rule{Index: -1}
	switch c.l.Mode {
	case Disabled:
		want = Rule{Source: FromDisabled, Index: -1, Prefix: netip.PrefixFrom(a, 0).Masked()}
	case Restricted:
		for i, p := range c.l.Prefixes {
			if p.Contains(a) {
				want = Rule{Source: FromEntry, Index: i, Prefix: p}
				break
			}
		}
		if want.Source == FromSet {
		tags:
			for i, name := range c.l.ServiceTags {
				for _, p := range c.r.Tags.(fakeTags)[name] {
					if p.Contains(a) {
						want = Rule{Source: FromServiceTag, Index: i, Prefix: p, Tag: name}
						break tags
					}
				}
			}
		}
	}
	if want.Source == FromSet {
		want.Source = FromEgress // the only rules left
	}
	if r.Source != want.Source || want.Source != FromEgress && r != want {
		// Tags may hold a prefix twice, or nested prefixes: any of the
		// first tag's prefixes that holds a will do.
		if !(r.Source == FromServiceTag && want.Source == FromServiceTag && r.Index == want.Index && r.Prefix.Contains(a)) {
			t.Fatalf("Explain(%v) = %v, want %v", a, r, want)
		}
	}
}

// TestDiffApplied: a − Lost + Gained == b, and Lost and Gained are
// disjoint minimal prefixes.
func TestDiffApplied(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sets := make([]*Set, 2)
		for i := range sets {
			var b netipx.IPSetBuilder
			for _, p := range drawPrefixes(t, "p", 8) {
				b.AddPrefix(p)
			}
			for _, p := range drawPrefixes(t, "hole", 2) {
				b.RemovePrefix(p)
			}
			s, _ := b.IPSet()
			sets[i] = Compile(s)
		}
		a, bs := sets[0], sets[1]
		if rapid.IntRange(0, 9).Draw(t, "nil") == 0 {
			a = nil
		}
		c := Diff(a, bs)
		var got netipx.IPSetBuilder
		got.AddSet(a.IPSet())
		for _, p := range c.Lost {
			if !a.IPSet().ContainsPrefix(p) || bs.IPSet().OverlapsPrefix(p) {
				t.Fatalf("lost %v is not in a − b", p)
			}
			got.RemovePrefix(p)
		}
		for _, p := range c.Gained {
			got.AddPrefix(p)
		}
		g, _ := got.IPSet()
		if !g.Equal(bs.IPSet()) {
			t.Fatalf("a − lost + gained = %v, want b = %v", g.Prefixes(), bs.IPSet().Prefixes())
		}
		for _, ps := range [][]netip.Prefix{c.Lost, c.Gained} {
			var m netipx.IPSetBuilder
			for _, p := range ps {
				m.AddPrefix(p)
			}
			ms, _ := m.IPSet()
			if len(ms.Prefixes()) != len(ps) {
				t.Fatalf("%v is not minimal", ps)
			}
		}
		// The lock-out check agrees: an address of a is cut off iff b lacks it.
		for _, p := range append(c.Lost, c.Gained...) {
			for _, x := range []netip.Addr{p.Addr(), netipx.PrefixLastIP(p), p.Addr().Prev()} {
				if got, want := c.CutsOff(x), a.Contains(x) && !bs.Contains(x); got != want {
					t.Fatalf("CutsOff(%v) = %v, want %v", x, got, want)
				}
			}
		}
	})
}

var _ TagSource = (*servicetag.Document)(nil)
