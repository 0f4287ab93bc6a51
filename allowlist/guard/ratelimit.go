package guard

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"time"
)

// limiterWays is how many clients share a bucket of a limiter.
const limiterWays = 8

// limiter holds back records for a client that was logged less than every
// ago. Its table has a fixed number of buckets of limiterWays entries each;
// a client's bucket is chosen by a hash with a random seed, so that
// clients cannot aim at one another's entries. Each bucket has its own
// lock, held for a scan of its few entries.
type limiter struct {
	every   int64 // nanoseconds
	seed    maphash.Seed
	buckets []limiterBucket
}

type limiterBucket struct {
	mu      sync.Mutex
	entries [limiterWays]limiterEntry
}

type limiterEntry struct {
	key   netip.Addr
	last  int64  // when the last record for key was logged, Unix nanoseconds
	held  uint64 // records held back since
	inUse bool
}

// newLimiter returns a limiter for at least clients clients.
func newLimiter(every time.Duration, clients int) *limiter {
	n := (clients + limiterWays - 1) / limiterWays
	return &limiter{every: int64(every), seed: maphash.MakeSeed(), buckets: make([]limiterBucket, n)}
}

// allow reports whether a record for key may be logged at now, and if so
// how many records for key were held back since the last one logged.
func (l *limiter) allow(key netip.Addr, now int64) (bool, uint64) {
	var buf [17]byte
	a16 := key.As16()
	copy(buf[:], a16[:])
	buf[16] = byte(key.BitLen())
	b := &l.buckets[maphash.Bytes(l.seed, buf[:])%uint64(len(l.buckets))]

	b.mu.Lock()
	defer b.mu.Unlock()
	victim := 0
	for i := range b.entries {
		e := &b.entries[i]
		if !e.inUse {
			victim = i
			continue
		}
		if e.key == key {
			if now-e.last < l.every {
				e.held++
				return false, 0
			}
			held := e.held
			e.last, e.held = now, 0
			return true, held
		}
		if v := &b.entries[victim]; v.inUse && e.last < v.last {
			victim = i
		}
	}
	b.entries[victim] = limiterEntry{key: key, last: now, inUse: true}
	return true, 0
}
