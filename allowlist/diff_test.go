package allowlist

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	r := Resolver{Egress: Egress{OutboundIPs: []netip.Addr{mkAddr("52.170.10.20")}}}
	resolve := func(s string) *Set {
		set, _ := mustResolve(t, r, mustParse(t, s, lintPolicy))
		return set
	}
	tests := []struct {
		name     string
		old, new *Set
		want     Change
	}{
		{"nil to nil", nil, nil, Change{}},
		{"nil to list", nil, resolve("73.140.245.0/24"), Change{Gained: []netip.Prefix{mkPrefix("52.170.10.20/32"), mkPrefix("73.140.245.0/24")}}},
		{"same", resolve("73.140.245.0/24"), resolve("73.140.245.0/25,73.140.245.128/25"), Change{}},
		{"narrowed", resolve("73.140.245.0/24"), resolve("73.140.245.0/25"), Change{Lost: []netip.Prefix{mkPrefix("73.140.245.128/25")}}},
		{"to egress only", resolve("73.140.245.0/24"), resolve("0.0.0.0/32"), Change{Lost: []netip.Prefix{mkPrefix("73.140.245.0/24")}}},
		{"disabling", resolve("0.0.0.0/1,128.0.0.0/1"), resolve(""), Change{Gained: []netip.Prefix{mkPrefix("::/0")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.old, tt.new)
			if d := cmp.Diff(tt.want, got, netipCmp); d != "" {
				t.Errorf("Diff (-want +got):\n%s", d)
			}
		})
	}
}

func TestDiffEnabling(t *testing.T) {
	r := Resolver{Egress: Egress{OutboundIPs: []netip.Addr{mkAddr("52.170.10.20")}}}
	old, _ := mustResolve(t, r, mustParse(t, "", lintPolicy))
	next, _ := mustResolve(t, r, mustParse(t, "2001:db8::/33", lintPolicy))
	c := Diff(old, next)
	if len(c.Gained) != 0 {
		t.Errorf("Gained = %v, want none", c.Gained)
	}
	got := c.LockedOut(mkAddr("8.8.8.8"), mkAddr("52.170.10.20"), mkAddr("2001:db8::1"), mkAddr("2001:db8:8000::"), mkAddr("::1"))
	want := []netip.Addr{mkAddr("8.8.8.8"), mkAddr("2001:db8:8000::"), mkAddr("::1")}
	if d := cmp.Diff(want, got, netipCmp); d != "" {
		t.Errorf("LockedOut (-want +got):\n%s", d)
	}
}

func TestLockedOut(t *testing.T) {
	c := Change{Lost: []netip.Prefix{mkPrefix("73.140.245.0/24"), mkPrefix("2001:db8::/32")}}
	tests := []struct {
		a    string
		want bool
	}{
		{"73.140.245.0", true},
		{"73.140.245.255", true},
		{"73.140.246.0", false},
		{"::ffff:73.140.245.9", true},   // unmapped first
		{"2001:db8::1", true},           //
		{"2001:db8::1%eth0", false},     // a zoned address was never allowed
		{"::ffff:73.140.245.9%1", true}, // unmapping drops the zone, as Contains does
		{"73.140.244.255", false},
	}
	for _, tt := range tests {
		if got := c.CutsOff(mkAddr(tt.a)); got != tt.want {
			t.Errorf("CutsOff(%s) = %v, want %v", tt.a, got, tt.want)
		}
	}
	if c.CutsOff(netip.Addr{}) {
		t.Error("CutsOff(zero Addr) = true")
	}
	in, out, mapped := mkAddr("73.140.245.7"), mkAddr("8.8.8.8"), mkAddr("::ffff:73.140.245.8")
	if got := c.LockedOut(out, in, mapped); !cmp.Equal(got, []netip.Addr{in, mapped}, netipCmp) {
		t.Errorf("LockedOut = %v, want [%v %v] (as given)", got, in, mapped)
	}
	if got := c.LockedOut(); got != nil {
		t.Errorf("LockedOut() = %v, want nil", got)
	}
}
