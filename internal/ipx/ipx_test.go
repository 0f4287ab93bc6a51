package ipx

import (
	"net/netip"
	"testing"

	"go4.org/netipx"
)

func TestCheckPrefix(t *testing.T) {
	for _, tc := range []struct {
		in   netip.Prefix
		want Problem
	}{
		{netip.Prefix{}, Invalid},
		{netip.MustParsePrefix("10.0.0.0/8"), OK},
		{netip.MustParsePrefix("10.1.0.0/8"), HostBits},
		{netip.MustParsePrefix("::ffff:10.0.0.0/104"), Mapped},
		{netip.MustParsePrefix("2001:db8::/32"), OK},
	} {
		if got := CheckPrefix(tc.in); got != tc.want {
			t.Errorf("CheckPrefix(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := Unmapped(netip.MustParsePrefix("::ffff:10.1.0.0/104")); got != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("Unmapped = %v", got)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, tc := range []struct {
		in   netip.Addr
		want Problem
	}{
		{netip.Addr{}, Invalid},
		{netip.MustParseAddr("fe80::1%eth0"), Zoned},
		{netip.MustParseAddr("::ffff:1.2.3.4"), Mapped},
		{netip.MustParseAddr("1.2.3.4"), OK},
	} {
		if got := CheckAddr(tc.in); got != tc.want {
			t.Errorf("CheckAddr(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMinus(t *testing.T) {
	var a, b netipx.IPSetBuilder
	a.AddPrefix(netip.MustParsePrefix("10.0.0.0/8"))
	b.AddPrefix(netip.MustParsePrefix("10.0.0.0/9"))
	as, _ := a.IPSet()
	bs, _ := b.IPSet()
	got := Minus(as, bs)
	if len(got) != 1 || got[0] != netip.MustParsePrefix("10.128.0.0/9") {
		t.Errorf("Minus = %v", got)
	}
	if Minus(bs, as) != nil || Minus(nil, nil) != nil {
		t.Error("Minus of a subset is not nil")
	}
}
