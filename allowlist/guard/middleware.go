package guard

import (
	"errors"
	"net/http"
	"net/netip"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/ipsource"
)

// errNoAddr is the error of a Decision whose extractor returned neither an
// address nor an error.
var errNoAddr = errors.New("guard: the extractor returned no client address")

// An Option configures Middleware and AuthHandler.
type Option struct {
	apply func(*guard)
}

// WithDecisionHook makes the middleware call hook with every Decision, once
// per request and before the request is passed on or refused, for logging
// (see LogDecisions and AuditLog) or metrics. Hooks given in several
// options are called in order. A hook runs on the request path: it must be
// quick and safe for concurrent use.
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
// Refused requests always carry their Decision. AuthHandler, which wraps no
// handler, ignores it.
func WithDecisionInContext() Option {
	return Option{func(g *guard) { g.attach = true }}
}

// WithReportOnly makes the middleware pass refused requests on to the
// wrapped handler (AuthHandler: answer them as allowed) instead of refusing
// them: the list is watched, not enforced. Every Decision still says what
// the list decided, Allowed false for a refusal, with ReportOnly set; the
// hook, the log and the counters see it as a refusal, and the wrapped
// handler reads it with DecisionFrom. Use it to roll out a first list, and
// WithShadow to check a change to a list already enforced.
func WithReportOnly() Option {
	return Option{func(g *guard) { g.reportOnly = true }}
}

// WithShadow makes the middleware decide every request that has a client
// address also by the Set that candidate holds, beside the Set in force,
// without acting on it: the Decision's Shadow says whether the candidate
// agrees, would allow a refused client, or would refuse (lock out) an
// allowed one. This is Diff and LockedOut run on live clients before a
// swap; count the disagreements WithMetrics and log them with LogDecisions.
//
// candidate may be swapped at any time, like the Holder in force; while it
// holds no Set no comparison is made (ShadowNone), so storing nil turns the
// shadow off. A nil candidate leaves the default: no shadow.
func WithShadow(candidate *Holder) Option {
	return Option{func(g *guard) {
		if candidate != nil {
			g.shadow = candidate
		}
	}}
}

// WithMetrics makes the middleware count every Decision in m (see
// Metrics). Several middlewares and AuthHandlers may share one Metrics, or
// each have its own. A nil m leaves the default: no counting.
func WithMetrics(m *Metrics) Option {
	return Option{func(g *guard) {
		if m != nil {
			g.metrics = m
		}
	}}
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
// hook, WithMetrics or WithDecisionInContext it also asks the Set which rule
// matched; only WithDecisionInContext allocates.
func Middleware(h *Holder, src ipsource.Extractor, opts ...Option) func(http.Handler) http.Handler {
	if h == nil {
		panic("guard: Middleware called with a nil *Holder")
	}
	if src == nil {
		panic("guard: Middleware called with a nil ipsource.Extractor")
	}
	cfg := newGuard(h, src, opts)
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("guard: Middleware applied to a nil http.Handler")
		}
		g := cfg
		g.next = next
		return &g
	}
}

// newGuard applies opts to the defaults.
func newGuard(h *Holder, src ipsource.Extractor, opts []Option) guard {
	g := guard{holder: h, src: src, deny: http.HandlerFunc(forbidden)}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&g)
		}
	}
	g.quiet = g.hook == nil && !g.attach
	return g
}

// guard is the handler that Middleware returns, and the core of AuthHandler.
type guard struct {
	holder     *Holder
	src        ipsource.Extractor
	hook       func(*http.Request, Decision)
	deny       http.Handler
	attach     bool     // store the Decision of allowed requests in the context
	reportOnly bool     // pass refused requests on
	shadow     *Holder  // the candidate Set, or nil
	metrics    *Metrics // where Decisions are counted, or nil
	quiet      bool     // nobody sees the Decision of an allowed request
	next       http.Handler

	// AuthHandler only.
	ruleHeader              bool
	methodHeader, uriHeader string // "": the defaults (see WithOriginalHeaders)
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := g.src.ClientIP(r)
	s := g.holder.Load()
	if g.quiet && err == nil && s != nil {
		// The fast paths: nobody looks at the Decision of an allowed
		// request, so none is made. Counting needs the rule's source.
		if g.metrics == nil {
			if s.Contains(a) && g.shadowAgrees(a) {
				g.next.ServeHTTP(w, r)
				return
			}
		} else if rule, ok := s.Explain(a); ok && g.shadowAgrees(a) {
			g.metrics.allowed[allowedSlot(rule.Source)].Add(1)
			g.next.ServeHTTP(w, r)
			return
		}
	}
	d := g.decide(s, a, err)
	g.report(r, &d)
	switch {
	case d.Allowed && g.attach, !d.Allowed && g.reportOnly:
		g.next.ServeHTTP(w, r.WithContext(withDecision(r.Context(), d)))
	case d.Allowed:
		g.next.ServeHTTP(w, r)
	default:
		g.deny.ServeHTTP(w, r.WithContext(withDecision(r.Context(), d)))
	}
}

// shadowAgrees reports whether the shadow Set, if any, also allows a,
// which the Set in force allows.
func (g *guard) shadowAgrees(a netip.Addr) bool {
	if g.shadow == nil {
		return true
	}
	sh := g.shadow.Load()
	return sh == nil || sh.Contains(a)
}

// decide makes the Decision for client address a, or extractor error err,
// against s and the shadow Set.
func (g *guard) decide(s *allowlist.Set, a netip.Addr, err error) Decision {
	d := decide(s, a, err)
	d.ReportOnly = g.reportOnly
	if g.shadow != nil && d.Client.IsValid() {
		if sh := g.shadow.Load(); sh != nil {
			switch in := sh.Contains(d.Client); {
			case in == d.Allowed:
				d.Shadow = ShadowAgrees
			case in:
				d.Shadow = ShadowWouldAllow
				d.ShadowRule, _ = sh.Explain(d.Client)
			default:
				d.Shadow = ShadowWouldRefuse
			}
		}
	}
	return d
}

// report counts d and passes it to the hook.
func (g *guard) report(r *http.Request, d *Decision) {
	g.metrics.count(d)
	if g.hook != nil {
		g.hook(r, *d)
	}
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
