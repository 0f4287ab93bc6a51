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
// Every decision is logged with log/slog. Flags:
//
//	-listen addrs       comma-separated addresses to listen on (default "127.0.0.1:8080,[::1]:8080")
//	-upstream URL       the server to guard (default: a demo upstream on a loopback port)
//	-ranges list        the range list, as the AKS flag takes it (default "127.0.0.1/32")
//	-ranges-file path   read the range list from a file instead, and reload it when it changes
//	-interval d         how often to look at -ranges-file (default 2s)
//	-policy name        "general" (IPv4 and IPv6, any range) or "aks" (the AKS rules)
//	-source name        where the client address comes from: remoteaddr, xff, forwarded,
//	                    header:NAME, xff-hops:N or forwarded-hops:N (default remoteaddr)
//	-trusted list       comma-separated prefixes of the proxies in front (for xff, forwarded, header)
//	-require-header h=v with header:NAME, accept the header only when h has the value v
//	-log-level level    debug (every decision), info (refusals), warn or error (default debug)
//
// Behind a proxy, take the client from X-Forwarded-For, trusting only the
// proxy (here: curl on this machine plays the proxy):
//
//	go run ./examples/guard -source xff -trusted 127.0.0.1/32 -ranges 198.51.100.0/24
//	curl -i -H 'X-Forwarded-For: 198.51.100.7' http://127.0.0.1:8080/   # 200
//	curl -i -H 'X-Forwarded-For: 203.0.113.9' http://127.0.0.1:8080/    # 403
//
// The guard stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "guard:", err)
		}
		os.Exit(2)
	}
}

// config is what the flags say.
type config struct {
	listen     []string
	upstream   string // "" for the demo upstream
	ranges     string
	rangesFile string
	interval   time.Duration
	policy     allowlist.Policy
	source     string
	trusted    []netip.Prefix
	require    string // NAME=VALUE for -require-header
	logLevel   slog.Level
}

// parseFlags reads the command line into a config.
func parseFlags(args []string, output io.Writer) (config, error) {
	var (
		c                              config
		listen, policy, trusted, level string
	)
	fs := flag.NewFlagSet("guard", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&listen, "listen", "127.0.0.1:8080,[::1]:8080", "comma-separated `addresses` to listen on")
	fs.StringVar(&c.upstream, "upstream", "", "the `URL` to guard (default: a built-in demo upstream)")
	fs.StringVar(&c.ranges, "ranges", "127.0.0.1/32", "the range `list` to allow, as the AKS flag takes it")
	fs.StringVar(&c.rangesFile, "ranges-file", "", "a `file` holding the range list, reloaded when it changes")
	fs.DurationVar(&c.interval, "interval", guard.DefaultInterval, "how often to look at -ranges-file")
	fs.StringVar(&policy, "policy", "general", "the parsing `policy`: general or aks")
	fs.StringVar(&c.source, "source", "remoteaddr", "where the client address comes from: remoteaddr, xff, forwarded, header:NAME, xff-hops:N, forwarded-hops:N")
	fs.StringVar(&trusted, "trusted", "", "comma-separated `prefixes` of trusted proxies (for xff, forwarded and header:NAME)")
	fs.StringVar(&c.require, "require-header", "", "with header:NAME, accept the header only with this companion `NAME=VALUE`")
	fs.StringVar(&level, "log-level", "debug", "debug logs every decision, info only refusals; warn or error")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q; every setting is a flag (see -help)", fs.Arg(0))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if explicit["ranges"] && explicit["ranges-file"] {
		return config{}, errors.New("-ranges and -ranges-file both given; use one")
	}
	for _, a := range strings.Split(listen, ",") {
		if a = strings.Trim(a, " \t"); a != "" {
			c.listen = append(c.listen, a)
		}
	}
	if len(c.listen) == 0 {
		return config{}, errors.New("-listen names no address")
	}
	switch policy {
	case "general":
		c.policy = allowlist.Policy{}
	case "aks":
		c.policy = allowlist.AKS
	default:
		return config{}, fmt.Errorf("-policy %q: use general or aks", policy)
	}
	for _, s := range strings.Split(trusted, ",") {
		s = strings.Trim(s, " \t")
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return config{}, fmt.Errorf("-trusted: %w", err)
		}
		c.trusted = append(c.trusted, p)
	}
	if err := c.logLevel.UnmarshalText([]byte(level)); err != nil {
		return config{}, fmt.Errorf("-log-level %q: use debug, info, warn or error", level)
	}
	if c.interval <= 0 {
		return config{}, fmt.Errorf("-interval %v: must be positive", c.interval)
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

// guard is the proxy that a config describes, before it listens.
type server struct {
	handler http.Handler
	holder  *guard.Holder
	watcher *guard.FileWatcher // nil without -ranges-file
}

// newGuard builds the guarded proxy for upstream. With -ranges-file it loads
// the file once and fails if it cannot; onReload, if not nil, sees every
// later reload event after it is logged.
func newGuard(c config, upstream *url.URL, logger *slog.Logger, onReload func(guard.ReloadEvent)) (*server, error) {
	src, err := c.extractor()
	if err != nil {
		return nil, err
	}
	g := &server{holder: new(guard.Holder)}
	if c.rangesFile != "" {
		g.watcher = &guard.FileWatcher{
			Path:     c.rangesFile,
			Build:    guard.RangeFileBuilder(c.policy, allowlist.Resolver{}),
			Holder:   g.holder,
			Interval: c.interval,
			OnReload: func(e guard.ReloadEvent) {
				if e.Err != nil {
					logger.Error("range list not applied, the last good list stays in force", "file", e.Path, "error", e.Err)
				} else {
					logger.Info("range list applied", "file", e.Path, "gained", e.Change.Gained, "lost", e.Change.Lost)
				}
				if onReload != nil {
					onReload(e)
				}
			},
		}
		if err := g.watcher.Reload(); err != nil {
			return nil, err
		}
	} else {
		l, err := allowlist.Parse(c.ranges, c.policy)
		if err != nil {
			return nil, fmt.Errorf("-ranges: %w", err)
		}
		s, err := allowlist.Resolver{}.Resolve(l)
		if err != nil {
			return nil, fmt.Errorf("-ranges: %w", err)
		}
		g.holder.Store(s)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(upstream)
			pr.SetXForwarded()
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	mw := guard.Middleware(g.holder, src, guard.WithDecisionHook(guard.LogDecisions(logger)))
	g.handler = mw(proxy)
	return g, nil
}

// demoUpstream is the handler of the built-in upstream.
func demoUpstream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "hello from the demo upstream: %s %s reached me (X-Forwarded-For: %s)\n",
		r.Method, r.URL.Path, r.Header.Get("X-Forwarded-For"))
}

// run runs the guard until ctx ends. ready, if not nil, gets the addresses
// it listens on once it serves.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addrs []string)) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: c.logLevel}))

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	upstream := c.upstream
	if upstream == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("demo upstream: %w", err)
		}
		demo := &http.Server{Handler: http.HandlerFunc(demoUpstream), ReadHeaderTimeout: 10 * time.Second}
		wg.Add(1)
		go func() { defer wg.Done(); demo.Serve(ln) }()
		defer demo.Close()
		upstream = "http://" + ln.Addr().String()
	}
	target, err := url.Parse(upstream)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return fmt.Errorf("-upstream %q: want an http:// or https:// URL", upstream)
	}

	g, err := newGuard(c, target, logger, nil)
	if err != nil {
		return err
	}
	if g.watcher != nil {
		wg.Add(1)
		go func() { defer wg.Done(); g.watcher.Run(ctx) }()
	}

	srv := &http.Server{Handler: g.handler, ReadHeaderTimeout: 10 * time.Second}
	var addrs []string
	errc := make(chan error, len(c.listen))
	for _, a := range c.listen {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			logger.Warn("cannot listen", "addr", a, "error", err)
			continue
		}
		addrs = append(addrs, ln.Addr().String())
		go func() { errc <- srv.Serve(ln) }()
	}
	if len(addrs) == 0 {
		return errors.New("could not listen on any -listen address")
	}
	logger.Info("guard is serving", "listen", addrs, "upstream", upstream, "source", c.source,
		"ranges", rangesText(c))
	if ready != nil {
		ready(addrs)
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		srv.Close()
		return err
	}
	logger.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return nil
}

// rangesText says where the list comes from, for the start-up log line.
func rangesText(c config) string {
	if c.rangesFile != "" {
		return "file " + c.rangesFile
	}
	return strconv.Quote(c.ranges)
}
