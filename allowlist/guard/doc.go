// Package guard enforces allowlist Sets in a running program: it holds the
// current Set, decides requests and connections by their client address,
// reports what it decided, and keeps the Set in step with its sources.
//
// The allowlist package turns text into a Set and answers questions about
// it; guard is the layer that runs it, as net/http/httputil runs what
// net/http defines.
//
// # Holding and enforcing
//
//   - [Holder] holds the Set in force and swaps it atomically while
//     requests are in flight; each request is decided by the one Set it
//     loaded.
//   - [Middleware] refuses every HTTP request whose client address (decided
//     by an ipsource.Extractor) is not in the Set, with 403 and a body that
//     reveals nothing, and adds no allocation on the allowed path.
//   - [AuthHandler] is the same decision as an endpoint for forward-auth
//     proxies (nginx auth_request, Traefik forwardAuth, Caddy forward_auth,
//     Envoy ext_authz): 200 with the decided client in X-Allowlist-Client,
//     or 403.
//   - [Listener] refuses TCP connections at accept time, before any byte is
//     read or written, for servers that are not HTTP (gRPC, databases) or
//     to refuse before TLS; stacked on ipsource.ProxyListener it decides by
//     the client that a load balancer's PROXY header names.
//
// Everything fails closed: a Holder without a Set, an extractor error, a
// peer without an address, and a file that cannot be read or built all
// refuse, never allow.
//
// # Rolling out a list safely
//
//   - [WithReportOnly] passes refused requests on while every report says
//     they were refused: try a list on live traffic before enforcing it.
//   - [WithShadow] evaluates a candidate Set beside the enforced one and
//     reports each client whose outcome would change, which way and by
//     which rule: the lock-out check of allowlist.Diff run on real clients
//     before the swap.
//   - [Metrics] counts decisions (allowed by rule source, refused by reason,
//     report-only passes, shadow disagreements) with lock-free counters that
//     cost no allocation, and the status of the sources; read it as a
//     [Counters] snapshot, through expvar ([Metrics.Publish]) or in the
//     Prometheus text format ([MetricsHandler]).
//   - [LogDecisions] and [AuditLog] log every decision with log/slog: the
//     TCP peer, method and path, the decided client, the rule, and for a bad
//     header its name and value, cut to a bound; refusals are rate-limited
//     per client, with the number held back reported.
//   - [Decision] carries all of it to hooks ([WithDecisionHook]) and, with
//     [WithDecisionInContext], to the wrapped handler ([DecisionFrom]).
//
// # Keeping the Set current
//
// [FileWatcher] and [RangeFileBuilder] keep the Set in step with a range
// file (entries one or several a line, # comments), keeping the last good
// Set when a change cannot be read or built. servicetag.Loader keeps a
// provider's published ranges current in the same shape (Reload, Run,
// OnReload, Status); call [FileWatcher.Rebuild] when it applies a new
// document, so that several lists share one tag refresh.
//
// # Conventions
//
// Functions that wrap something (Middleware, AuthHandler, Listener) take
// functional options; a zero option and a nil argument to an option leave
// the default. Things that are configured once and kept (FileWatcher,
// AuditLog, Metrics) are structs whose zero fields mean the documented
// defaults.
package guard
