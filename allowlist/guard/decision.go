package guard

import (
	"context"
	"github.com/ipallow/ipallow/allowlist"
	"net/netip"
)

// Decision is the verdict of the middleware on one request.
type Decision struct {
	Client  netip.Addr     // the client address the extractor decided; the zero Addr if it failed
	Allowed bool           // the request was passed to the wrapped handler
	Rule    allowlist.Rule // with Allowed: the rule that allowed Client
	Err     error          // why no address could be decided, or ErrNoSet; nil when the list decided
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
// request, for the deny handler, and of every allowed request when it was
// built with WithDecisionInContext.
func DecisionFrom(ctx context.Context) (Decision, bool) {
	d, ok := ctx.Value(decisionKey{}).(*Decision)
	if !ok {
		return Decision{}, false
	}
	return *d, true
}
