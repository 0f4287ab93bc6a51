package guard

import (
	"net/http"
	"strings"

	"github.com/ipallow/ipallow/ipsource"
)

// The response headers of AuthHandler, for the proxy to copy into the
// request it passes upstream.
const (
	// ClientHeader holds the client address that AuthHandler decided, on
	// every 200 answer that has one.
	ClientHeader = "X-Allowlist-Client"

	// RuleHeader holds the rule that allowed the client (see
	// allowlist.Rule.String), on 200 answers of an AuthHandler built
	// WithRuleHeader.
	RuleHeader = "X-Allowlist-Rule"
)

// The request headers from which AuthHandler takes the original method and
// URI for its Decisions, unless WithOriginalHeaders names others.
const (
	nginxMethod, nginxURI     = "X-Original-Method", "X-Original-Uri"   // nginx auth_request, as usually configured
	forwardMethod, forwardURI = "X-Forwarded-Method", "X-Forwarded-Uri" // Traefik forwardAuth, Caddy forward_auth
)

// maxOriginal bounds the bytes of an original method or path kept in a
// Decision.
const maxOriginal = 512

// WithRuleHeader makes AuthHandler name the rule that allowed the client in
// the response header X-Allowlist-Rule (RuleHeader), for the proxy to pass
// upstream. Middleware ignores it.
func WithRuleHeader() Option {
	return Option{func(g *guard) { g.ruleHeader = true }}
}

// WithOriginalHeaders names the request headers from which AuthHandler
// takes the method and URI of the request that the proxy asks about, for
// Decision.OriginalMethod and OriginalPath, as the proxy is configured to
// send them. An empty name leaves the default for that header. Middleware
// ignores it.
func WithOriginalHeaders(method, uri string) Option {
	return Option{func(g *guard) {
		if method != "" {
			g.methodHeader = http.CanonicalHeaderKey(method)
		}
		if uri != "" {
			g.uriHeader = http.CanonicalHeaderKey(uri)
		}
	}}
}

// AuthHandler returns the decision endpoint for a proxy that asks another
// server whether to let each request through: nginx auth_request, Traefik
// forwardAuth, Caddy forward_auth, Envoy's ext_authz HTTP service. It
// decides the request it receives as Middleware would, and answers
//
//   - 200 OK with an empty body for a client that h's Set allows, with the
//     client address in X-Allowlist-Client (ClientHeader) and, built
//     WithRuleHeader, the rule in X-Allowlist-Rule (RuleHeader);
//   - 403 Forbidden for every other request, a refused client, an extractor
//     error or a Holder without a Set, by default with the body
//     "forbidden\n" and no header that reveals the client or the list (a
//     proxy may show this answer to the client). WithDenyHandler replaces
//     it.
//
// 200 is the answer all four proxies take as "allow" (Envoy accepts no
// other). Configure the proxy to copy X-Allowlist-Client into the upstream
// request, overwriting any value the client sent; the upstream must trust
// it only from the proxy.
//
// The options of Middleware apply: hooks, LogDecisions, WithMetrics,
// WithReportOnly (a refused request gets 200, with its client header; the
// Decision still says refused) and WithShadow.
//
// The client address comes from src, as for Middleware, never from the
// headers that describe the original request. Every one of these proxies
// asks from a connection of its own, so the TCP peer is the proxy, never
// the client: have the proxy state the client in X-Forwarded-For and use
// ipsource.XForwardedFor trusting only the proxy's addresses. For nginx,
// overwrite the header in the auth location (proxy_set_header
// X-Forwarded-For $remote_addr), since $proxy_add_x_forwarded_for would
// pass on what the client sent; Traefik, Caddy and Envoy append the peer
// they saw. A proxy on the same host should ask from an address of its
// own (nginx proxy_bind 127.0.0.4), so that other local processes are not
// trusted as the proxy.
//
// The Decision's OriginalMethod and OriginalPath, which LogDecisions logs as
// method and path, come from X-Original-Method and X-Original-URI (nginx,
// with proxy_set_header X-Original-URI $request_uri and X-Original-Method
// $request_method), else X-Forwarded-Method and X-Forwarded-Uri (Traefik,
// Caddy), else the auth request's own method and path (Envoy sends the
// original path, after its path_prefix). WithOriginalHeaders names other
// headers. They are logged only: the decision never depends on them. The
// query is dropped, and each is cut to 512 bytes.
//
// AuthHandler panics if h or src is nil.
func AuthHandler(h *Holder, src ipsource.Extractor, opts ...Option) http.Handler {
	if h == nil {
		panic("guard: AuthHandler called with a nil *Holder")
	}
	if src == nil {
		panic("guard: AuthHandler called with a nil ipsource.Extractor")
	}
	return &authHandler{newGuard(h, src, opts)}
}

// authHandler is the handler that AuthHandler returns.
type authHandler struct {
	g guard
}

func (a *authHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g := &a.g
	client, err := g.src.ClientIP(r)
	d := g.decide(g.holder.Load(), client, err)
	d.OriginalMethod, d.OriginalPath = g.original(r)
	g.report(r, &d)
	if !d.Allowed && !g.reportOnly {
		g.deny.ServeHTTP(w, r.WithContext(withDecision(r.Context(), d)))
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if d.Client.IsValid() {
		h.Set(ClientHeader, d.Client.String())
	}
	if g.ruleHeader && d.Allowed {
		h.Set(RuleHeader, d.Rule.String())
	}
	w.WriteHeader(http.StatusOK)
}

// original returns the method and path of the request that the proxy asks
// about.
func (g *guard) original(r *http.Request) (method, path string) {
	method, uri := g.methodHeader, g.uriHeader
	if method != "" {
		method = r.Header.Get(method)
	} else if method = r.Header.Get(nginxMethod); method == "" {
		method = r.Header.Get(forwardMethod)
	}
	if uri != "" {
		uri = r.Header.Get(uri)
	} else if uri = r.Header.Get(nginxURI); uri == "" {
		uri = r.Header.Get(forwardURI)
	}
	if method == "" {
		method = r.Method
	}
	if uri, _, _ = strings.Cut(uri, "?"); uri == "" && r.URL != nil {
		uri = r.URL.Path
	}
	return clip(method, maxOriginal), clip(uri, maxOriginal)
}
