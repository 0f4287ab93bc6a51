package servicetag

import (
	"testing"

	"github.com/ipallow/ipallow/internal/zerotest"
)

// TestZeroValues calls every exported method of every exported type of the
// package on its zero value: none panics.
func TestZeroValues(t *testing.T) {
	zerotest.CallAll(t,
		new(Change), new(DecodeOptions), new(Document), (*Document)(nil), new(DuplicateTagError), new(Feed),
		new(FeedPrefixError), new(FieldError), new(Hash), new(Loader), new(LoaderStatus), new(MergeError),
		new(Part), new(PrefixError), new(RefreshError), new(ReloadEvent), new(ShrinkError), new(SyntaxError),
		new(Tag), new(TagChange), new(TooLargeError), new(UnknownTagError),
	)
}
