package allowlist

import (
	"testing"

	"github.com/ipallow/ipallow/internal/zerotest"
)

// TestZeroValues calls every exported method of every exported type of the
// package on its zero value (and a nil *Set): none panics. set_test.go
// checks that the zero Set is also the empty set for each of them.
func TestZeroValues(t *testing.T) {
	zerotest.CallAll(t,
		new(Change), new(Egress), new(EntryError), new(Finding), new(LintKind), new(List), new(ListError),
		new(Mode), new(Policy), new(Resolver), new(Rule), new(Set), (*Set)(nil), new(SetStats), new(Source),
		new(TagMap), TagMap(nil),
	)
}
