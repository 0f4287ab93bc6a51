package allowlist

import (
	"net/netip"
	"testing"

	"go4.org/netipx"
	"pgregory.net/rapid"
)

// drawExceptCase draws a resolve case with exceptions that often nest in,
// overlap and touch its entries, tags and egress.
func drawExceptCase(t *rapid.T) resolveCase {
	c := drawResolveCase(t)
	c.r.Except = drawPrefixes(t, "except", 5)
	return c
}

// exceptOracle is the case's union minus its exceptions, built with netipx.
func (c resolveCase) exceptOracle() *netipx.IPSet {
	var b netipx.IPSetBuilder
	b.AddSet(c.oracle())
	for _, x := range c.r.Except {
		b.RemovePrefix(x)
	}
	s, _ := b.IPSet()
	return s
}

// firstException returns the first of c's exceptions that holds a.
func (c resolveCase) firstException(a netip.Addr) (Rule, bool) {
	for i, x := range c.r.Except {
		if x.Contains(a) {
			return Rule{Source: FromException, Index: i, Prefix: x}, true
		}
	}
	return Rule{}, false
}

// TestResolveWithExceptions: the resolved set equals the netipx union of
// the list's prefixes, its tags' prefixes and the egress (everything for a
// Disabled list) minus the exceptions; Explain agrees with Contains on
// every probe, names the first exception for an address inside one, the
// winning rule for an allowed address, and nothing for any other.
func TestResolveWithExceptions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawExceptCase(t)
		s, err := c.r.Resolve(c.l)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		want := c.exceptOracle()
		if !s.IPSet().Equal(want) {
			t.Fatalf("resolved %v, want %v", s.IPSet().Prefixes(), want.Prefixes())
		}
		probes := c.explainProbes()
		for _, x := range c.r.Except {
			first, last := x.Addr(), netipx.PrefixLastIP(x)
			probes = append(probes, first, last, first.Prev(), last.Next())
		}
		for range 5 {
			probes = append(probes, drawPrefix(t, "probe").Addr())
		}
		for _, base := range probes {
			vs := []netip.Addr{base}
			if base.Is4() {
				vs = append(vs, netip.AddrFrom16(base.As16()))
			}
			for _, a := range vs {
				contains := s.Contains(a)
				if contains != want.Contains(a.Unmap()) {
					t.Fatalf("Contains(%v) = %v, want %v", a, contains, !contains)
				}
				r, ok := s.Explain(a)
				if ok != contains {
					t.Fatalf("Explain(%v) = %v, %v but Contains = %v", a, r, ok, contains)
				}
				if !a.IsValid() {
					continue
				}
				u := a.Unmap()
				if x, excepted := c.firstException(u); excepted {
					if ok || r != x {
						t.Fatalf("Explain(%v) = %v, %v; want the exception %v, false", a, r, ok, x)
					}
					continue
				}
				if ok {
					checkWinner(t, c, u, r)
				} else if r != (Rule{}) {
					t.Fatalf("Explain(%v) = %v, false; want the zero Rule for an address no rule holds", a, r)
				}
			}
		}
	})
}

// TestLintIdleExceptions: the lint reports exactly the exceptions that
// share no address with the union of entries, tags and egress.
func TestLintIdleExceptions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawExceptCase(t)
		granted := c.oracle()
		var want []string
		for _, x := range c.r.Except {
			if !granted.OverlapsPrefix(x) {
				want = append(want, x.String())
			}
		}
		var got []string
		for _, f := range c.r.Lint(c.l) {
			if f.Kind == LintIdleException {
				got = append(got, f.Entry)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("idle exceptions %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("idle exceptions %v, want %v", got, want)
			}
		}
	})
}
