package allowlist

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// netipCmp lets cmp compare netip values (which have unexported fields)
// by equality. It leaves out List.Policy, which TestParseRecordsPolicy
// checks, and the parse notes, which the lint tests check, so that tables
// can state lists without them.
var netipCmp = cmp.Options{
	cmpopts.IgnoreFields(List{}, "Policy"),
	cmpopts.IgnoreUnexported(List{}),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
}

func TestParseRecordsPolicy(t *testing.T) {
	for _, in := range []string{"", "0.0.0.0/32", "73.140.245.0/24,AzureCloud"} {
		l, err := Parse(in, AKS)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if l.Policy != AKS {
			t.Errorf("Parse(%q, AKS).Policy = %+v, want AKS", in, l.Policy)
		}
	}
}

// mustSet compiles the prefixes ps into a Set.
func mustSet(t testing.TB, ps ...string) *Set {
	t.Helper()
	s, err := CompilePrefixes(pfx(ps...))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
