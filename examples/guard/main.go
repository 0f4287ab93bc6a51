// Command guard is a reverse proxy that lets through only the clients that an
// allowlist allows, the way Azure Kubernetes Service guards its API server
// with authorized IP ranges.
//
// With no flags it listens on 127.0.0.1:8080 and [::1]:8080 in front of a
// built-in demo upstream, and allows only 127.0.0.1:
//
//	go run ./examples/guard
//	curl -i http://127.0.0.1:8080/     # 200: 127.0.0.1 is listed
//	curl -i 'http://[::1]:8080/'       # 403: ::1 is not
//
// Usage:
//
//	guard [flags]
//
// The flags:
//
//	-listen addrs            comma-separated addresses to listen on (default "127.0.0.1:8080,[::1]:8080");
//	                         every address given must bind; of the default ones, one that cannot be
//	                         bound (no IPv6 on the host) is skipped with a warning if the other binds
//	-upstream URL            the http:// or https:// server to guard (default: a demo upstream on a
//	                         loopback port, which echoes what it receives)
//	-ranges list             the range list, as the AKS flag takes it (default "127.0.0.1/32")
//	-ranges-file path        read the range list from a file instead, and reload it when it changes
//	                         and on SIGHUP; replace the file atomically (write a temporary file in the
//	                         same directory, then rename it over this one)
//	-interval d              how often to look at -ranges-file (default 2s)
//	-policy name             "general" (IPv4 and IPv6, any range), "aks" (the AKS rules) or
//	                         "providers" (several service tags of any provider's feed)
//	-service-tags files      published ranges that expand the list's tags: comma-separated,
//	                         repeatable, each FILE or FEED:FILE (azure, aws, googlecloud, google,
//	                         github, cloudflare, oracle; detected from the file when not named)
//	-source name             where the client address comes from: remoteaddr, xff, forwarded,
//	                         header:NAME, xff-hops:N or forwarded-hops:N (default remoteaddr)
//	-trusted list            comma-separated prefixes of the proxies in front (for xff, forwarded, header)
//	-require-header h=v      with header:NAME, accept the header only when h has the value v
//	-accept-check            also refuse unlisted TCP peers when they connect, before reading a byte
//	                         (guard.Listener); only with -source remoteaddr, where the peer is the client
//	-pass-rule               tell the upstream which rule allowed the request, in X-Allowlist-Rule
//	-proxy-protocol list     comma-separated prefixes of the load balancers that send PROXY protocol
//	                         headers (v1 or v2, such as HAProxy's send-proxy-v2): connections from
//	                         them must begin with one, and the client it names is the peer; other
//	                         peers connect directly and must not send one
//	-authz                   serve only the decision endpoint for forward-auth proxies (nginx
//	                         auth_request, Traefik forwardAuth, Caddy forward_auth, Envoy ext_authz):
//	                         200 with X-Allowlist-Client, or 403; no upstream
//	-candidate file          a range file evaluated beside the enforced list (a shadow list): each
//	                         client it would decide otherwise is logged and counted, not enforced
//	-metrics addr            serve the counters at http://addr/metrics (Prometheus text format) and
//	                         /debug/vars (expvar), on an address of their own
//	-read-header-timeout d   time to read a request's headers (default 5s)
//	-read-timeout d          time to read a whole request, body included (default 30s)
//	-write-timeout d         time from the end of the request headers to the end of the response
//	                         (default 60s); longer responses from the upstream are cut
//	-idle-timeout d          time a keep-alive connection may wait for its next request (default 60s)
//	-shutdown-timeout d      on SIGINT or SIGTERM, time for requests in flight to finish (default 10s)
//	-log-level level         debug (every decision), info (refusals), warn or error (default debug)
//	-h                       print the flags and exit
//
// Request headers are limited to 64 KiB. The upstream sees the decided
// client, not the TCP peer: the guard sets X-Forwarded-For to the address
// the decision was made on (with -source xff behind a trusted proxy, the
// client the proxy named), X-Forwarded-Host and X-Forwarded-Proto as
// httputil.ReverseProxy's SetXForwarded does, and, with -pass-rule,
// X-Allowlist-Rule to the rule that allowed it (such as "entry 0
// 127.0.0.1/32"). It removes any X-Allowlist-Rule the client sent.
//
// Every decision is logged with log/slog. Decisions are made per HTTP
// request (guard.Middleware); -accept-check adds a cheaper refusal of
// unlisted peers when they connect, before any TLS or HTTP work, whose
// refused connections see the connection closed instead of a 403.
//
// Behind a proxy, take the client from X-Forwarded-For, trusting only the
// proxy (here: curl on this machine plays the proxy):
//
//	go run ./examples/guard -source xff -trusted 127.0.0.1/32 -ranges 198.51.100.0/24
//	curl -i -H 'X-Forwarded-For: 198.51.100.7' http://127.0.0.1:8080/   # 200
//	curl -i -H 'X-Forwarded-For: 203.0.113.9' http://127.0.0.1:8080/    # 403
//
// With -ranges-file, a file that cannot be read or parsed keeps the last
// good list in force; at start-up there is none, so every request is
// refused until the file is fixed (the guard still starts, and applies the
// file once it is good). SIGHUP reads the file again at once.
//
// Signals: SIGHUP reloads -ranges-file; SIGINT and SIGTERM stop accepting
// connections, let requests in flight finish (up to -shutdown-timeout) and
// exit. Exit status: 0 after a clean stop and for -h, 2 for a flag that is
// wrong, 1 for a failure at run time (an address that cannot be bound, a
// shutdown that timed out).
package main

import (
	"context"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
	"github.com/ipallow/ipallow/ipsource"
	"github.com/ipallow/ipallow/servicetag"
)

// ruleHeader is the header that -pass-rule sets for the upstream.
const ruleHeader = "X-Allowlist-Rule"

// maxHeaderBytes bounds the request headers the guard reads.
const maxHeaderBytes = 64 << 10

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := run(context.Background(), os.Args[1:], os.Stderr, signals, hooks{})
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err, unless the flag package already did, and returns the
// exit status for it: 0 for none and for -h, 2 for a wrong flag, 1 for the
// rest.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if !ue.printed {
			fmt.Fprintln(stderr, "guard:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "guard:", err)
	return 1
}

// usageError is an error in the command line.
type usageError struct {
	err     error
	printed bool // the flag package printed it, with the usage
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// config is what the flags say.
type config struct {
	listen         []string
	listenExplicit bool   // -listen was given: every address must bind
	upstream       string // "" for the demo upstream
	ranges         string
	rangesFile     string
	interval       time.Duration
	policy         allowlist.Policy
	source         string
	trusted        []netip.Prefix
	require        string // NAME=VALUE for -require-header
	acceptCheck    bool
	passRule       bool
	logLevel       slog.Level
	serviceTags    []string       // -service-tags files, FEED:FILE or FILE
	proxyProtocol  []netip.Prefix // -proxy-protocol: the load balancers that send PROXY headers
	authz          bool           // -authz: serve only the decision endpoint
	metrics        string         // -metrics address, "" for none
	candidate      string         // -candidate file: a shadow list

	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout, shutdownTimeout time.Duration
}

// parseFlags reads the command line into a config. Its errors are
// usageErrors, or flag.ErrHelp for -h.
func parseFlags(args []string, output io.Writer) (config, error) {
	var (
		c                                             config
		listen, policy, trusted, level, proxyProtocol string
	)
	fs := flag.NewFlagSet("guard", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: guard [flags]\n\nA reverse proxy that lets through only the clients an allowlist allows. Flags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&listen, "listen", "127.0.0.1:8080,[::1]:8080", "comma-separated `addresses` to listen on")
	fs.StringVar(&c.upstream, "upstream", "", "the `URL` to guard (default: a built-in demo upstream)")
	fs.StringVar(&c.ranges, "ranges", "127.0.0.1/32", "the range `list` to allow, as the AKS flag takes it")
	fs.StringVar(&c.rangesFile, "ranges-file", "", "a `file` holding the range list, reloaded when it changes and on SIGHUP; replace it atomically")
	fs.DurationVar(&c.interval, "interval", guard.DefaultInterval, "how often to look at -ranges-file")
	fs.StringVar(&policy, "policy", "general", "the parsing `policy`: general, aks, or providers (several tags of any provider's feed)")
	fs.StringVar(&c.source, "source", "remoteaddr", "where the client address comes from: remoteaddr, xff, forwarded, header:NAME, xff-hops:N, forwarded-hops:N")
	fs.StringVar(&trusted, "trusted", "", "comma-separated `prefixes` of trusted proxies (for xff, forwarded and header:NAME)")
	fs.StringVar(&c.require, "require-header", "", "with header:NAME, accept the header only with this companion `NAME=VALUE`")
	fs.BoolVar(&c.acceptCheck, "accept-check", false, "also refuse unlisted TCP peers when they connect (only with -source remoteaddr)")
	fs.BoolVar(&c.passRule, "pass-rule", false, "tell the upstream the rule that allowed the request, in "+ruleHeader)
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 5*time.Second, "time to read a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 30*time.Second, "time to read a whole request, body included")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 60*time.Second, "time from the end of the request headers to the end of the response")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 60*time.Second, "time a keep-alive connection may wait for its next request")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT or SIGTERM, time for requests in flight to finish")
	fs.StringVar(&level, "log-level", "debug", "debug logs every decision, info only refusals; warn or error")
	fs.Func("service-tags", "published ranges that expand the list's tags: comma-separated `files`, each FILE or FEED:FILE (azure, aws, googlecloud, google, github, cloudflare, oracle); repeatable", func(v string) error {
		for _, f := range strings.Split(v, ",") {
			if f = strings.Trim(f, " \t"); f != "" {
				c.serviceTags = append(c.serviceTags, f)
			}
		}
		return nil
	})
	fs.StringVar(&proxyProtocol, "proxy-protocol", "", "comma-separated `prefixes` of the load balancers that send PROXY protocol headers (v1 or v2); connections from them must start with one")
	fs.BoolVar(&c.authz, "authz", false, "serve only the decision endpoint for forward-auth proxies (nginx auth_request, Traefik forwardAuth, Caddy forward_auth, Envoy ext_authz): 200 or 403, no upstream")
	fs.StringVar(&c.metrics, "metrics", "", "serve counters at http://`ADDR`/metrics (Prometheus text) and /debug/vars (expvar)")
	fs.StringVar(&c.candidate, "candidate", "", "a range `file` to evaluate beside the enforced list (a shadow list): every client it would decide otherwise is logged and counted, nothing is enforced")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, &usageError{err: err, printed: true}
	}
	if fs.NArg() > 0 {
		return config{}, usagef("unexpected argument %q; every setting is a flag (see -h)", fs.Arg(0))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if explicit["ranges"] && explicit["ranges-file"] {
		return config{}, usagef("-ranges and -ranges-file both given; use one")
	}
	c.listenExplicit = explicit["listen"]
	for _, a := range strings.Split(listen, ",") {
		if a = strings.Trim(a, " \t"); a != "" {
			c.listen = append(c.listen, a)
		}
	}
	if len(c.listen) == 0 {
		return config{}, usagef("-listen names no address; give host:port, such as 127.0.0.1:8080")
	}
	switch policy {
	case "general":
		c.policy = allowlist.Policy{}
	case "aks":
		c.policy = allowlist.AKS
	case "providers":
		c.policy = allowlist.Providers
	default:
		return config{}, usagef("-policy %q: use general, aks or providers", policy)
	}
	for _, s := range strings.Split(proxyProtocol, ",") {
		if s = strings.Trim(s, " \t"); s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return config{}, usagef("-proxy-protocol: %w", err)
		}
		c.proxyProtocol = append(c.proxyProtocol, p)
	}
	if c.authz && (explicit["upstream"] || c.passRule) {
		return config{}, usagef("-authz serves only the decision endpoint: drop -upstream and -pass-rule")
	}
	for _, s := range strings.Split(trusted, ",") {
		s = strings.Trim(s, " \t")
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return config{}, usagef("-trusted: %w", err)
		}
		c.trusted = append(c.trusted, p)
	}
	if err := c.logLevel.UnmarshalText([]byte(level)); err != nil {
		return config{}, usagef("-log-level %q: use debug, info, warn or error", level)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"interval", c.interval}, {"read-header-timeout", c.readHeaderTimeout}, {"read-timeout", c.readTimeout},
		{"write-timeout", c.writeTimeout}, {"idle-timeout", c.idleTimeout}, {"shutdown-timeout", c.shutdownTimeout},
	} {
		if d.v <= 0 {
			return config{}, usagef("-%s %v: must be positive, such as 5s", d.name, d.v)
		}
	}
	if c.acceptCheck && c.source != "remoteaddr" {
		return config{}, usagef("-accept-check checks the TCP peer, which with -source %s is the proxy, not the client; use it only with -source remoteaddr", c.source)
	}
	return c, nil
}

// parsePrefix parses a prefix, or an address as its single-address prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.ParsePrefix(s)
}

// extractor builds the ipsource strategy that c names.
func (c config) extractor() (ipsource.Extractor, error) {
	name, arg, _ := strings.Cut(c.source, ":")
	if c.require != "" && name != "header" {
		return nil, errors.New("-require-header works only with -source header:NAME")
	}
	if name == "remoteaddr" || strings.HasSuffix(name, "-hops") {
		if len(c.trusted) > 0 {
			return nil, fmt.Errorf("-trusted has no effect with -source %s; drop it", c.source)
		}
	}
	hops := func() (int, error) {
		n, err := strconv.Atoi(arg)
		if err != nil {
			return 0, fmt.Errorf("-source %s: the hop count must be a number, as in %s:1", c.source, name)
		}
		return n, nil
	}
	switch name {
	case "remoteaddr":
		if arg == "" {
			return ipsource.RemoteAddr(), nil
		}
	case "xff":
		if arg == "" {
			return ipsource.XForwardedFor(c.trusted)
		}
	case "forwarded":
		if arg == "" {
			return ipsource.Forwarded(c.trusted)
		}
	case "xff-hops":
		n, err := hops()
		if err != nil {
			return nil, err
		}
		return ipsource.XForwardedForCount(n)
	case "forwarded-hops":
		n, err := hops()
		if err != nil {
			return nil, err
		}
		return ipsource.ForwardedCount(n)
	case "header":
		var opts []ipsource.HeaderOption
		if c.require != "" {
			k, v, ok := strings.Cut(c.require, "=")
			if !ok {
				return nil, fmt.Errorf("-require-header %q: write NAME=VALUE", c.require)
			}
			opts = append(opts, ipsource.RequireHeader(k, v))
		}
		return ipsource.Header(arg, c.trusted, opts...)
	}
	return nil, fmt.Errorf("-source %q: use remoteaddr, xff, forwarded, header:NAME, xff-hops:N or forwarded-hops:N", c.source)
}

// server is the guarded proxy that a config describes, before it listens.
type server struct {
	handler   http.Handler
	holder    *guard.Holder
	watcher   *guard.FileWatcher // nil without -ranges-file
	candidate *guard.FileWatcher // nil without -candidate
	shadow    *guard.Holder      // the candidate's Set
	metrics   *guard.Metrics
	metricsAt string          // the address -metrics listens on, once it does
	transport *http.Transport // to the upstream; nil with -authz
}

// newGuard builds the guarded proxy for upstream. With -ranges-file it loads
// the file once; a file that cannot be used is logged and leaves no list in
// force, so that every request is refused until it is fixed. onReload, if
// not nil, sees every reload event after it is logged.
func newGuard(c config, upstream *url.URL, logger *slog.Logger, onReload func(guard.ReloadEvent)) (*server, error) {
	src, err := c.extractor()
	if err != nil {
		if !strings.HasPrefix(err.Error(), "-") {
			err = fmt.Errorf("-source %s: %w", c.source, err)
		}
		return nil, &usageError{err: err}
	}
	var resolver allowlist.Resolver
	if len(c.serviceTags) > 0 {
		doc, err := servicetag.LoadFiles(c.serviceTags...)
		if err != nil {
			return nil, usagef("-service-tags: %w", err)
		}
		resolver.Tags = doc
		logger.Info("service tags loaded", "files", c.serviceTags, "tags", len(doc.Tags), "content", doc.Hash().String()[:12])
	}
	g := &server{holder: new(guard.Holder), metrics: &guard.Metrics{}}
	watch := func(path, what string, h *guard.Holder, onReload func(guard.ReloadEvent)) *guard.FileWatcher {
		w := &guard.FileWatcher{
			Path:     path,
			Build:    guard.RangeFileBuilder(c.policy, resolver),
			Holder:   h,
			Interval: c.interval,
			OnReload: func(e guard.ReloadEvent) {
				switch {
				case e.Applied:
					logger.Info(what+" applied", "file", e.Path, "gained", e.Change.Gained, "lost", e.Change.Lost)
				case h.Load() == nil: // the watcher never stores nil: nothing was applied yet
					logger.Error(what+" not applied; no list is in force: every request is refused until the file is fixed", "file", e.Path, "error", e.Err)
				default:
					logger.Error(what+" not applied; the last good list stays in force", "file", e.Path, "error", e.Err)
				}
				if onReload != nil {
					onReload(e)
				}
			},
		}
		w.Reload() // a failure is logged by OnReload
		g.metrics.AddSource(path, func() guard.SourceStatus { return w.Status().SourceStatus() })
		return w
	}
	if c.rangesFile != "" {
		g.watcher = watch(c.rangesFile, "range list", g.holder, onReload)
	} else {
		l, err := allowlist.Parse(c.ranges, c.policy)
		if err != nil {
			return nil, usagef("-ranges: %w", err)
		}
		s, err := resolver.Resolve(l)
		if err != nil {
			return nil, usagef("-ranges: %w", err)
		}
		g.holder.Store(s)
	}
	opts := []guard.Option{guard.WithDecisionHook(guard.LogDecisions(logger)), guard.WithMetrics(g.metrics)}
	if c.candidate != "" {
		g.shadow = new(guard.Holder)
		g.candidate = watch(c.candidate, "candidate list", g.shadow, nil)
		opts = append(opts, guard.WithShadow(g.shadow))
	}
	if c.authz {
		g.handler = guard.AuthHandler(g.holder, src, opts...)
		return g, nil
	}
	g.transport = http.DefaultTransport.(*http.Transport).Clone()
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(upstream)
			pr.SetXForwarded()
			// The upstream learns the client the decision was made on, not
			// the TCP peer (a proxy, with -source xff), and never a rule
			// that the client claims.
			pr.Out.Header.Del(ruleHeader)
			if d, ok := guard.DecisionFrom(pr.In.Context()); ok {
				pr.Out.Header.Set("X-Forwarded-For", d.Client.String())
				if c.passRule {
					pr.Out.Header.Set(ruleHeader, d.Rule.String())
				}
			}
		},
		Transport: g.transport,
		ErrorLog:  slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	mw := guard.Middleware(g.holder, src, append(opts, guard.WithDecisionInContext())...)
	g.handler = mw(proxy)
	return g, nil
}

// httpServer returns an http.Server for h with the timeouts of c.
func (c config) httpServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: c.readHeaderTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// demoUpstream is the handler of the built-in upstream.
func demoUpstream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "hello from the demo upstream: %s %s reached me (X-Forwarded-For: %s)\n",
		r.Method, r.URL.Path, r.Header.Get("X-Forwarded-For"))
}

// hooks let tests watch run; the zero hooks watch nothing.
type hooks struct {
	// ready, if not nil, gets the addresses the guard listens on and the
	// guard itself, once it listens and before it serves.
	ready func(addrs []string, g *server)
}

// run runs the guard until ctx ends or SIGINT or SIGTERM arrives on
// signals; SIGHUP on signals reloads -ranges-file. It logs to stderr.
func run(ctx context.Context, args []string, stderr io.Writer, signals <-chan os.Signal, h hooks) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: c.logLevel}))

	var target *url.URL
	if c.upstream != "" {
		target, err = url.Parse(c.upstream)
		if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
			return usagef("-upstream %q: want an http:// or https:// URL, such as http://127.0.0.1:9000", c.upstream)
		}
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	if target == nil && !c.authz {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("demo upstream: %w", err)
		}
		demo := c.httpServer(http.HandlerFunc(demoUpstream), logger)
		wg.Add(1)
		go func() { defer wg.Done(); demo.Serve(ln) }()
		defer demo.Close()
		target = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	}

	g, err := newGuard(c, target, logger, nil)
	if err != nil {
		return err
	}
	if g.transport != nil {
		defer g.transport.CloseIdleConnections()
	}

	// Bind every address first, then say so, then serve.
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	for _, a := range c.listen {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			if c.listenExplicit {
				closeAll()
				return fmt.Errorf("-listen %s: %w", a, err)
			}
			logger.Warn("skipping a default listen address", "addr", a, "error", err)
			continue
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return fmt.Errorf("-listen: could not listen on any of %s; name an address this host has", strings.Join(c.listen, ","))
	}
	addrs := make([]string, len(lns))
	for i, ln := range lns {
		addrs[i] = ln.Addr().String()
		if len(c.proxyProtocol) > 0 {
			pl, err := ipsource.ProxyListener(ln, c.proxyProtocol, ipsource.WithProxyHook(func(peer netip.AddrPort, err error) {
				logger.Warn("allowlist: PROXY protocol connection closed", "peer", peer.String(), "error", err.Error())
			}))
			if err != nil {
				closeAll()
				return usagef("-proxy-protocol: %w", err)
			}
			lns[i] = pl
		}
		if c.acceptCheck {
			lns[i] = guard.Listener(lns[i], g.holder, guard.WithRefusedHook(func(peer netip.AddrPort, reason error) {
				logger.Info("allowlist: connection refused", "peer", peer.String(), "error", reason.Error())
			}))
		}
	}
	srv := c.httpServer(g.handler, logger)
	var msrv *http.Server
	if c.metrics != "" {
		mln, err := net.Listen("tcp", c.metrics)
		if err != nil {
			closeAll()
			return fmt.Errorf("-metrics %s: %w", c.metrics, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", guard.MetricsHandler(g.metrics))
		mux.Handle("/debug/vars", expvar.Handler())
		if err := g.metrics.Publish("allowlist"); err != nil {
			logger.Warn("expvar: counters not published", "error", err)
		}
		msrv = c.httpServer(mux, logger)
		wg.Add(1)
		go func() { defer wg.Done(); msrv.Serve(mln) }()
		defer msrv.Close()
		g.metricsAt = mln.Addr().String()
		logger.Info("serving metrics", "addr", g.metricsAt, "paths", []string{"/metrics", "/debug/vars"})
	}
	upstream := "none (-authz: the decision endpoint)"
	if target != nil {
		upstream = target.String()
	}
	logger.Info("guard is serving", "listen", addrs, "upstream", upstream, "source", c.source,
		"ranges", rangesText(c), "accept-check", c.acceptCheck, "proxy-protocol", len(c.proxyProtocol) > 0,
		"candidate", c.candidate)
	if h.ready != nil {
		h.ready(addrs, g)
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- srv.Serve(ln) }()
	}
	for _, w := range []*guard.FileWatcher{g.watcher, g.candidate} {
		if w != nil {
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(ctx) }()
		}
	}

	for {
		select {
		case <-ctx.Done():
			return shutdown(srv, c, logger, "context done")
		case err := <-errc:
			srv.Close()
			return fmt.Errorf("serving: %w", err)
		case sig := <-signals:
			if sig != syscall.SIGHUP {
				return shutdown(srv, c, logger, sig.String())
			}
			if g.candidate != nil {
				logger.Info("SIGHUP: reading the candidate file again", "file", c.candidate)
				g.candidate.Rebuild() // the outcome is logged by OnReload
			}
			if g.watcher == nil {
				logger.Warn("SIGHUP: the list comes from -ranges, which only a restart changes")
				continue
			}
			logger.Info("SIGHUP: reading the range file again", "file", c.rangesFile)
			g.watcher.Rebuild() // the outcome is logged by OnReload
		}
	}
}

// shutdown stops srv gracefully: it stops accepting and waits, up to
// -shutdown-timeout, for the requests in flight.
func shutdown(srv *http.Server, c config, logger *slog.Logger, why string) error {
	logger.Info("shutting down", "cause", why, "timeout", c.shutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: requests still in flight after -shutdown-timeout %v were cut: %w", c.shutdownTimeout, err)
	}
	logger.Info("stopped")
	return nil
}

// rangesText says where the list comes from, for the start-up log line.
func rangesText(c config) string {
	if c.rangesFile != "" {
		return "file " + c.rangesFile
	}
	return strconv.Quote(c.ranges)
}
