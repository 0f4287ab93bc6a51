package guard_test

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
	"github.com/ipallow/ipallow/ipsource"
)

// stableLogger returns a logger at debug level without time stamps, so that
// the examples' output is stable.
func stableLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// mustResolve parses and resolves a range list for the examples.
func mustResolve(s string) *allowlist.Set {
	l, err := allowlist.Parse(s, allowlist.Policy{})
	if err != nil {
		log.Fatal(err)
	}
	set, err := allowlist.Resolver{}.Resolve(l)
	if err != nil {
		log.Fatal(err)
	}
	return set
}

// get sends a GET request from client to h and prints the answer.
func get(h http.Handler, client string) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = client
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Printf("%s: %d %s", client, w.Code, w.Body)
}

func ExampleMiddleware() {
	list, err := allowlist.Parse("203.0.113.0/24, 2001:db8::/32", allowlist.Policy{})
	if err != nil {
		log.Fatal(err)
	}
	set, err := allowlist.Resolver{}.Resolve(list)
	if err != nil {
		log.Fatal(err)
	}
	holder := guard.NewHolder(set)

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})
	handler := guard.Middleware(holder, ipsource.RemoteAddr())(api)
	// http.ListenAndServe(":8080", handler)

	get(handler, "203.0.113.7:50123")
	get(handler, "[2001:db8::1]:50123")
	get(handler, "198.51.100.1:50123")
	// Output:
	// 203.0.113.7:50123: 200 hello
	// [2001:db8::1]:50123: 200 hello
	// 198.51.100.1:50123: 403 forbidden
}

func ExampleHolder() {
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	handler := guard.Middleware(holder, ipsource.RemoteAddr())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	get(handler, "198.51.100.1:1")

	// Swap in a new list while the server runs: the next request sees it.
	next := mustResolve("203.0.113.0/25, 198.51.100.0/24")
	old := holder.Swap(next)
	change := allowlist.Diff(old, next)
	fmt.Println("gained:", change.Gained, "lost:", change.Lost)
	get(handler, "198.51.100.1:1")
	get(handler, "203.0.113.200:1")
	// Output:
	// 198.51.100.1:1: 403 forbidden
	// gained: [198.51.100.0/24] lost: [203.0.113.128/25]
	// 198.51.100.1:1: 200 hello
	// 203.0.113.200:1: 403 forbidden
}

func ExampleDecisionFrom() {
	holder := guard.NewHolder(mustResolve("192.0.2.0/24, 203.0.113.0/24"))
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := guard.DecisionFrom(r.Context())
		fmt.Fprintf(w, "hello %s, allowed by %s\n", d.Client, d.Rule)
	})
	handler := guard.Middleware(holder, ipsource.RemoteAddr(), guard.WithDecisionInContext())(api)
	get(handler, "203.0.113.7:50123")
	// Output:
	// 203.0.113.7:50123: 200 hello 203.0.113.7, allowed by entry 1 203.0.113.0/24
}

func ExampleLogDecisions() {
	// A logger without time stamps, so that the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	handler := guard.Middleware(holder, ipsource.RemoteAddr(),
		guard.WithDecisionHook(guard.LogDecisions(logger)))(http.NotFoundHandler())

	for _, client := range []string{"203.0.113.7:1", "198.51.100.1:1"} {
		r := httptest.NewRequest("GET", "/api", nil)
		r.RemoteAddr = client
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// level=DEBUG msg="allowlist: allowed" client=203.0.113.7 allowed=true rule="entry 0 203.0.113.0/24" peer=203.0.113.7:1 method=GET path=/api
	// level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false peer=198.51.100.1:1 method=GET path=/api
}

func ExampleFileWatcher() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "authorized-ip-ranges")
	replaceFile(path, []byte("# the office\n20.0.0.0/16\n")) // replaceFile: see ExampleFileWatcher_atomicReplace

	holder := new(guard.Holder) // refuses everyone until the file is loaded
	w := &guard.FileWatcher{
		Path:   path,
		Build:  guard.RangeFileBuilder(allowlist.AKS, allowlist.Resolver{}),
		Holder: holder,
		OnReload: func(e guard.ReloadEvent) {
			if e.Err != nil {
				fmt.Println("not applied; not global:", errors.Is(e.Err, allowlist.ErrNotGlobal))
				return
			}
			fmt.Println("applied: gained", e.Change.Gained, "lost", e.Change.Lost)
		},
	}
	// In a program: check the first load, then keep watching.
	//
	//	if err := w.Reload(); err != nil { log.Fatal(err) }
	//	go w.Run(ctx)
	w.Reload()
	replaceFile(path, []byte("20.0.0.0/16\n10.0.0.0/8\n")) // not global: rejected by AKS
	w.Reload()
	replaceFile(path, []byte("20.0.0.0/17\n"))
	w.Reload()
	// Output:
	// applied: gained [20.0.0.0/16] lost []
	// not applied; not global: true
	// applied: gained [] lost [20.0.128.0/17]
}

// Roll out a first list without locking anyone out: refused requests are
// served all the same, and logged and counted as refusals.
func ExampleWithReportOnly() {
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	metrics := new(guard.Metrics)
	handler := guard.Middleware(holder, ipsource.RemoteAddr(),
		guard.WithReportOnly(),
		guard.WithMetrics(metrics),
		guard.WithDecisionHook(func(r *http.Request, d guard.Decision) {
			if !d.Allowed {
				fmt.Println("would refuse", d.Client, "report only:", d.ReportOnly)
			}
		}),
	)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	get(handler, "203.0.113.7:1")
	get(handler, "198.51.100.1:1")
	c := metrics.Snapshot()
	fmt.Println("refused:", c.Refused.Total(), "passed on:", c.ReportOnly)
	// Output:
	// 203.0.113.7:1: 200 hello
	// would refuse 198.51.100.1 report only: true
	// 198.51.100.1:1: 200 hello
	// refused: 1 passed on: 1
}

// Check a new list on live traffic before swapping it in: the shadow list
// decides every request beside the list in force, and each request it
// would decide otherwise is reported and counted.
func ExampleWithShadow() {
	current := guard.NewHolder(mustResolve("203.0.113.0/24, 198.51.100.0/24"))
	candidate := guard.NewHolder(mustResolve("203.0.113.0/24, 192.0.2.0/24"))
	metrics := new(guard.Metrics)
	handler := guard.Middleware(current, ipsource.RemoteAddr(),
		guard.WithShadow(candidate),
		guard.WithMetrics(metrics),
		guard.WithDecisionHook(func(r *http.Request, d guard.Decision) {
			switch d.Shadow {
			case guard.ShadowWouldRefuse:
				fmt.Println("the candidate would lock out", d.Client, "allowed now by", d.Rule)
			case guard.ShadowWouldAllow:
				fmt.Println("the candidate would let in", d.Client, "by", d.ShadowRule)
			}
		}),
	)(http.NotFoundHandler())
	for _, client := range []string{"203.0.113.7:1", "198.51.100.1:1", "192.0.2.1:1", "198.51.100.2:1"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = client
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	c := metrics.Snapshot()
	fmt.Println("would refuse:", c.ShadowWouldRefuse, "would allow:", c.ShadowWouldAllow)
	// Output:
	// the candidate would lock out 198.51.100.1 allowed now by entry 1 198.51.100.0/24
	// the candidate would let in 192.0.2.1 by entry 1 192.0.2.0/24
	// the candidate would lock out 198.51.100.2 allowed now by entry 1 198.51.100.0/24
	// would refuse: 2 would allow: 1
}

// Count decisions and serve them to Prometheus at /metrics, with the
// status of the file the list comes from.
func ExampleMetrics() {
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	metrics := &guard.Metrics{List: "api"}
	watcher := &guard.FileWatcher{Path: "/etc/allowlist/ranges", Holder: holder,
		Build: guard.RangeFileBuilder(allowlist.Policy{}, allowlist.Resolver{})}
	metrics.AddSource("ranges", func() guard.SourceStatus { return watcher.Status().SourceStatus() })

	mux := http.NewServeMux()
	mux.Handle("/", guard.Middleware(holder, ipsource.RemoteAddr(), guard.WithMetrics(metrics))(http.NotFoundHandler()))
	mux.Handle("/metrics", guard.MetricsHandler(metrics)) // in a real server, on an internal listener
	// metrics.Publish("allowlist") would publish the same on expvar's /debug/vars.

	for _, client := range []string{"203.0.113.7:1", "203.0.113.8:1", "198.51.100.1:1"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = client
		mux.ServeHTTP(httptest.NewRecorder(), r)
	}
	c := metrics.Snapshot()
	fmt.Println("requests:", c.Requests(), "allowed by entries:", c.Allowed.Entry, "refused by the list:", c.Refused.List)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "# TYPE allowlist_allowed") || strings.Contains(line, `source="entry"`) ||
			strings.Contains(line, `reason="list"`) || strings.HasPrefix(line, "allowlist_source_failing") {
			fmt.Println(line)
		}
	}
	// Output:
	// requests: 3 allowed by entries: 2 refused by the list: 1
	// # TYPE allowlist_allowed_requests_total counter
	// allowlist_allowed_requests_total{list="api",source="entry"} 2
	// allowlist_refused_requests_total{list="api",reason="list"} 1
	// allowlist_source_failing{list="api",source="ranges"} 0
}

// The decision endpoint for nginx auth_request:
//
//	location = /allowlist-auth {
//	    internal;
//	    proxy_pass http://127.0.0.1:9000;
//	    proxy_pass_request_body off;
//	    proxy_set_header Content-Length "";
//	    proxy_set_header X-Original-URI $request_uri;
//	    proxy_set_header X-Original-Method $request_method;
//	}
//	location / {
//	    auth_request /allowlist-auth;
//	    auth_request_set $allowlist_client $upstream_http_x_allowlist_client;
//	    proxy_set_header X-Allowlist-Client $allowlist_client;
//	    proxy_pass http://app;
//	}
//
// The subrequest runs on the client's own connection, so the TCP peer is
// the client. Behind Traefik (forwardAuth), Caddy (forward_auth) or Envoy
// (ext_authz), take the client from X-Forwarded-For, trusting only the
// proxy: ipsource.XForwardedFor(proxyPrefixes).
func ExampleAuthHandler() {
	// nginx asks from 127.0.0.4 (proxy_bind 127.0.0.4), with the client in
	// X-Forwarded-For (proxy_set_header X-Forwarded-For $remote_addr).
	nginx := []netip.Prefix{netip.MustParsePrefix("127.0.0.4/32")}
	src, err := ipsource.XForwardedFor(nginx)
	if err != nil {
		log.Fatal(err)
	}
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	auth := guard.AuthHandler(holder, src,
		guard.WithRuleHeader(),
		guard.WithDecisionHook(guard.LogDecisions(stableLogger())))
	// http.ListenAndServe("127.0.0.1:9000", auth)

	for _, client := range []string{"203.0.113.7", "198.51.100.1"} {
		r := httptest.NewRequest("GET", "/allowlist-auth", nil)
		r.RemoteAddr = "127.0.0.4:50123"
		r.Header.Set("X-Forwarded-For", client)
		r.Header.Set("X-Original-Method", "POST")
		r.Header.Set("X-Original-URI", "/api/orders?id=7")
		w := httptest.NewRecorder()
		auth.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get(guard.ClientHeader), w.Header().Get(guard.RuleHeader))
	}
	// Output:
	// level=DEBUG msg="allowlist: allowed" client=203.0.113.7 allowed=true rule="entry 0 203.0.113.0/24" peer=127.0.0.4:50123 method=POST path=/api/orders
	// 200 203.0.113.7 entry 0 203.0.113.0/24
	// level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false peer=127.0.0.4:50123 method=POST path=/api/orders
	// 403
}

// A flood of refused requests from one client is logged once per Every,
// and the next record says how many were held back (suppressed=N).
func ExampleAuditLog() {
	audit := &guard.AuditLog{Logger: stableLogger(), Every: time.Minute}
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	handler := guard.Middleware(holder, ipsource.RemoteAddr(), guard.WithDecisionHook(audit.Log))(http.NotFoundHandler())
	for range 100 {
		r := httptest.NewRequest("GET", "/login", nil)
		r.RemoteAddr = "198.51.100.1:4000"
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	fmt.Println("held back:", audit.Suppressed())
	// Output:
	// level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false peer=198.51.100.1:4000 method=GET path=/login
	// held back: 99
}

// Two routes guarded by two lists: /admin from the office ranges, /hooks
// from the GitHub.hooks service tag. Both lists are resolved with one tag
// source; when it is refreshed, one rebuild resolves both again and stores
// the new Sets in their Holders. With a *servicetag.Loader as the tag
// source, call rebuild from the Loader's OnReload when an event says
// Applied (or, with a FileWatcher per list, each watcher's Rebuild).
func Example_severalLists() {
	tags := allowlist.TagMap{"GitHub.hooks": {netip.MustParsePrefix("192.30.252.0/22")}} // stands in for a service-tag document
	policy := allowlist.Policy{MaxServiceTags: 1}
	type route struct {
		list   allowlist.List
		holder *guard.Holder
	}
	routes := map[string]*route{}
	for path, text := range map[string]string{"/admin": "203.0.113.0/24, 2001:db8:1::/48", "/hooks": "GitHub.hooks"} {
		l, err := allowlist.Parse(text, policy)
		if err != nil {
			log.Fatal(err)
		}
		routes[path] = &route{list: l, holder: new(guard.Holder)}
	}
	// rebuild resolves every list with the current tags. A list that fails
	// keeps its last good Set.
	rebuild := func(src allowlist.TagSource) {
		for path, rt := range routes {
			set, err := allowlist.Resolver{Tags: src}.Resolve(rt.list)
			if err != nil {
				log.Printf("%s: keeping the last good set: %v", path, err)
				continue
			}
			rt.holder.Store(set)
		}
	}
	rebuild(tags)

	mux := http.NewServeMux()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })
	for path, rt := range routes {
		mux.Handle(path, guard.Middleware(rt.holder, ipsource.RemoteAddr())(hello))
	}
	try := func(path, client string) {
		r := httptest.NewRequest("POST", path, nil)
		r.RemoteAddr = client
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Printf("%s from %s: %d\n", path, client, w.Code)
	}
	try("/admin", "203.0.113.7:1")
	try("/admin", "192.30.252.1:1")
	try("/hooks", "192.30.252.1:1")
	try("/hooks", "203.0.113.7:1")

	// The tag source is refreshed: GitHub moved its hooks.
	rebuild(allowlist.TagMap{"GitHub.hooks": {netip.MustParsePrefix("140.82.112.0/20")}})
	try("/hooks", "192.30.252.1:1")
	try("/hooks", "140.82.112.5:1")
	try("/admin", "203.0.113.7:1")
	// Output:
	// /admin from 203.0.113.7:1: 200
	// /admin from 192.30.252.1:1: 403
	// /hooks from 192.30.252.1:1: 200
	// /hooks from 203.0.113.7:1: 403
	// /hooks from 192.30.252.1:1: 403
	// /hooks from 140.82.112.5:1: 200
	// /admin from 203.0.113.7:1: 200
}
