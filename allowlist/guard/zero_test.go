package guard

import (
	"testing"

	"github.com/ipallow/ipallow/internal/zerotest"
)

// TestZeroValues calls every exported method of every exported type of the
// package on its zero value: none panics.
func TestZeroValues(t *testing.T) {
	zerotest.CallAll(t,
		new(AllowedCounts), new(AuditLog), BuildFunc(nil), new(Counters), new(Decision),
		new(FileWatcher), new(Holder), new(ListenerOption), new(Metrics), new(Option),
		new(RefusedCounts), new(ReloadEvent), new(ShadowVerdict), new(SourceStatus), new(WatcherStatus),
	)
}
