package guard

import (
	"net/netip"

	"github.com/google/go-cmp/cmp"
)

// netipCmp lets cmp compare netip values (which have unexported fields)
// by equality.
var netipCmp = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
}

// pfx parses prefixes for test tables.
func pfx(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}
