// Package reload holds what the sources that ipallow keeps current share:
// the loop that runs their Reload until a context ends.
package reload

import (
	"context"
	"time"
)

// Every calls f at once and then every d until ctx is done, and returns
// ctx's error. A d of zero or less means def. A call of f that outlasts d
// delays the next one; calls never overlap.
func Every(ctx context.Context, d, def time.Duration, f func()) error {
	if d <= 0 {
		d = def
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
