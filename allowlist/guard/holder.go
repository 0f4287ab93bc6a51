package guard

import (
	"errors"
	"github.com/ipallow/ipallow/allowlist"
	"sync/atomic"
)

// ErrNoSet is the error of a Decision made while a Holder held no Set.
// A Holder without a Set refuses every request.
var ErrNoSet = errors.New("guard: no set is loaded, so every request is refused; store a Set in the Holder")

// Holder holds the current Set of a running program and lets it be replaced
// while requests are in flight. Loads and stores are single atomic operations,
// so the request path takes no lock and every request sees either the old Set
// or the new one, never a mixture.
//
// The zero Holder holds no Set. A Holder without a Set, and a nil *Holder,
// refuse everyone: to allow everyone, store a Set that contains every address.
// A Holder must not be copied after first use.
type Holder struct {
	p atomic.Pointer[allowlist.Set]
}

// NewHolder returns a Holder holding s. A nil s gives a Holder that holds no
// Set.
func NewHolder(s *allowlist.Set) *Holder {
	h := new(Holder)
	h.p.Store(s)
	return h
}

// Load returns the current Set, or nil if the Holder holds none.
func (h *Holder) Load() *allowlist.Set {
	if h == nil {
		return nil
	}
	return h.p.Load()
}

// Store makes s the current Set. Requests that already loaded the previous Set
// finish with it; every later request uses s. Storing nil makes the Holder
// refuse everyone.
func (h *Holder) Store(s *allowlist.Set) {
	h.p.Store(s)
}

// Swap makes s the current Set and returns the Set it replaced, which Diff
// can compare with s.
func (h *Holder) Swap(s *allowlist.Set) (old *allowlist.Set) {
	return h.p.Swap(s)
}
