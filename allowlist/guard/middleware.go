package guard

import (
	"errors"
	"github.com/ipallow/ipallow/allowlist"
	"net/http"
	"net/netip"

	"github.com/ipallow/ipallow/ipsource"
)

// errNoAddr is the error of a Decision whose extractor returned neither an
// address nor an error.
var errNoAddr = errors.New("guard: the extractor returned no client address")

// An Option configures Middleware.
type Option struct {
	apply func(*guard)
}

// WithDecisionHook makes the middleware call hook with every Decision, once
// per request and before the request is passed on or refused, for logging
// (see LogDecisions) or metrics. Hooks given in several options are called in
// order. A hook runs on the request path: it must be quick and safe for
// concurrent use.
func WithDecisionHook(hook func(r *http.Request, d Decision)) Option {
	return Option{func(g *guard) {
		if hook == nil {
			return
		}
		if prev := g.hook; prev != nil {
			g.hook = func(r *http.Request, d Decision) { prev(r, d); hook(r, d) }
			return
		}
		g.hook = hook
	}}
}

// WithDenyHandler makes the middleware pass refused requests to h instead of
// answering 403 Forbidden itself. h can read the Decision with DecisionFrom.
// It should not tell the client more than that access is denied.
func WithDenyHandler(h http.Handler) Option {
	return Option{func(g *guard) {
		if h != nil {
			g.deny = h
		}
	}}
}

// WithDecisionInContext makes the middleware store the Decision of allowed
// requests in the request context, where the wrapped handler reads it with
// DecisionFrom. This costs two allocations per allowed request (a shallow
// copy of the request and its context), which is why it is off by default.
// Refused requests always carry their Decision.
func WithDecisionInContext() Option {
	return Option{func(g *guard) { g.attach = true }}
}

// Middleware returns middleware that lets a request through to the next
// handler only if the client address that src decides for it is in the Set
// that h holds at that moment. Every other request is refused: by default
// with 403 Forbidden and the body "forbidden\n", which says nothing of the
// list or the address. A request is refused when src returns an error (the
// address cannot be trusted) and when h holds no Set.
//
// h may be swapped while requests are in flight; each request is decided by
// the one Set it loads, without a lock. Middleware panics if h or src is nil.
//
// On the allowed path, without options, the middleware adds no allocation to
// the request: it asks the Set only whether it contains the address. With a
// hook or WithDecisionInContext it also asks the Set which rule matched.
func Middleware(h *Holder, src ipsource.Extractor, opts ...Option) func(http.Handler) http.Handler {
	if h == nil {
		panic("guard: Middleware called with a nil *Holder")
	}
	if src == nil {
		panic("guard: Middleware called with a nil ipsource.Extractor")
	}
	cfg := guard{holder: h, src: src, deny: http.HandlerFunc(forbidden)}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&cfg)
		}
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("guard: Middleware applied to a nil http.Handler")
		}
		g := cfg
		g.next = next
		g.explain = g.hook != nil || g.attach
		return &g
	}
}

// guard is the handler that Middleware returns.
type guard struct {
	holder  *Holder
	src     ipsource.Extractor
	hook    func(*http.Request, Decision)
	deny    http.Handler
	attach  bool // store the Decision of allowed requests in the context
	explain bool // someone sees the Decision of allowed requests
	next    http.Handler
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := g.src.ClientIP(r)
	s := g.holder.Load()
	if !g.explain && err == nil && s != nil && s.Contains(a) {
		// The fast path: nobody looks at the Decision of an allowed request.
		g.next.ServeHTTP(w, r)
		return
	}
	d := decide(s, a, err)
	if g.hook != nil {
		g.hook(r, d)
	}
	if d.Allowed {
		if g.attach {
			r = r.WithContext(withDecision(r.Context(), d))
		}
		g.next.ServeHTTP(w, r)
		return
	}
	g.deny.ServeHTTP(w, r.WithContext(withDecision(r.Context(), d)))
}

// decide makes the Decision for client address a, or extractor error err,
// against s.
func decide(s *allowlist.Set, a netip.Addr, err error) Decision {
	d := Decision{Client: a, Err: err}
	switch {
	case err != nil:
	case !a.IsValid():
		d.Err = errNoAddr
	case s == nil:
		d.Err = ErrNoSet
	default:
		d.Rule, d.Allowed = s.Explain(a)
	}
	return d
}

// forbidden is the default deny handler.
func forbidden(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	http.Error(w, "forbidden", http.StatusForbidden)
}
