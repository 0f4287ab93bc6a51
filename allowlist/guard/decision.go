package guard

import (
	"context"
	"net/netip"
	"strconv"

	"github.com/ipallow/ipallow/allowlist"
)

// Decision is the verdict of the middleware (or of AuthHandler) on one
// request.
type Decision struct {
	Client  netip.Addr     // the client address the extractor decided; the zero Addr if it failed
	Allowed bool           // the list allows Client; without it the request is refused (or, with ReportOnly, passed on all the same)
	Rule    allowlist.Rule // with Allowed: the rule that allowed Client; refused by an exception: the exception (Source FromException); otherwise zero
	Err     error          // why no address could be decided, or ErrNoSet; nil when the list decided

	// ReportOnly is set on every Decision of a middleware built
	// WithReportOnly: a refused request was passed on, not refused.
	ReportOnly bool

	// Shadow says how the shadow Set (WithShadow) would have decided, and
	// ShadowRule, with ShadowWouldAllow, is its rule that would allow
	// Client. With ShadowWouldRefuse, Rule is the enforced rule that the
	// shadow Set would take away.
	Shadow     ShadowVerdict
	ShadowRule allowlist.Rule

	// OriginalMethod and OriginalPath, set by AuthHandler only, are the
	// method and path (without the query) of the request that the proxy
	// asks about, from the proxy's headers. They are for logs: the
	// decision never depends on them.
	OriginalMethod, OriginalPath string
}

// ShadowVerdict is how a shadow Set would have decided a request, compared
// with the Set in force.
type ShadowVerdict uint8

const (
	ShadowNone        ShadowVerdict = iota // no shadow Set was consulted: none was configured or loaded, or no client address was decided
	ShadowAgrees                           // the shadow Set decides as the Set in force
	ShadowWouldAllow                       // the Set in force refuses Client and the shadow Set would allow it
	ShadowWouldRefuse                      // the Set in force allows Client and the shadow Set would refuse it: swapping it in would lock Client out
)

// String returns "none", "agrees", "would allow" or "would refuse".
func (v ShadowVerdict) String() string {
	switch v {
	case ShadowNone:
		return "none"
	case ShadowAgrees:
		return "agrees"
	case ShadowWouldAllow:
		return "would allow"
	case ShadowWouldRefuse:
		return "would refuse"
	}
	return "ShadowVerdict(" + strconv.Itoa(int(v)) + ")"
}

// decisionKey is the context key under which the middleware stores a Decision.
type decisionKey struct{}

// decisionContext carries a Decision in one allocation instead of the two of
// context.WithValue with a boxed struct.
type decisionContext struct {
	context.Context
	d Decision
}

func (c *decisionContext) Value(key any) any {
	if key == (decisionKey{}) {
		return &c.d
	}
	return c.Context.Value(key)
}

func (c *decisionContext) String() string {
	return "guard.decisionContext"
}

// withDecision returns ctx carrying d.
func withDecision(ctx context.Context, d Decision) context.Context {
	return &decisionContext{Context: ctx, d: d}
}

// DecisionFrom returns the Decision that the middleware stored in ctx, and
// whether there is one. The middleware stores the Decision of every refused
// request, for the deny handler (or, WithReportOnly, for the wrapped
// handler), and of every allowed request when it was built with
// WithDecisionInContext.
func DecisionFrom(ctx context.Context) (Decision, bool) {
	d, ok := ctx.Value(decisionKey{}).(*Decision)
	if !ok {
		return Decision{}, false
	}
	return *d, true
}
