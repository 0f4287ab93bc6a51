package guard

import (
	"errors"
	"github.com/ipallow/ipallow/allowlist"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// peerExtractor is a stand-in for ipsource.RemoteAddr: the client is the TCP
// peer in r.RemoteAddr, and a RemoteAddr that is not addr:port is an error.
type peerExtractor struct{}

var errBadPeer = errors.New("test: bad RemoteAddr")

func (peerExtractor) ClientIP(r *http.Request) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, errBadPeer
	}
	return ap.Addr().WithZone("").Unmap(), nil
}

// addrCmp lets cmp compare netip values by their text.
var addrCmp = cmp.Options{
	netipCmp,
	cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || errors.Is(b, a) }),
}

// mustSet compiles the prefixes ps into an allowlist.Set.
func mustSet(t testing.TB, ps ...string) *allowlist.Set {
	t.Helper()
	s, err := allowlist.CompilePrefixes(pfx(ps...))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// okHandler answers 200 "ok\n".
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
})

func serve(h http.Handler, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/v1/things?x=1", nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddlewareAllowsAndRefuses(t *testing.T) {
	list := NewHolder(mustSet(t, "192.0.2.0/24", "2001:db8::/32"))
	tests := []struct {
		name   string
		holder *Holder
		remote string
		want   Decision
	}{
		{"listed IPv4", list, "192.0.2.7:4711", Decision{Client: netip.MustParseAddr("192.0.2.7"), Allowed: true}},
		{"listed IPv6", list, "[2001:db8::1]:4711", Decision{Client: netip.MustParseAddr("2001:db8::1"), Allowed: true}},
		{"IPv4-mapped", list, "[::ffff:192.0.2.9]:4711", Decision{Client: netip.MustParseAddr("192.0.2.9"), Allowed: true}},
		{"unlisted IPv4", list, "198.51.100.1:4711", Decision{Client: netip.MustParseAddr("198.51.100.1")}},
		{"unlisted IPv6", list, "[2001:db9::1]:4711", Decision{Client: netip.MustParseAddr("2001:db9::1")}},
		{"next to the range", list, "192.0.3.0:1", Decision{Client: netip.MustParseAddr("192.0.3.0")}},
		{"extractor error", list, "@unix", Decision{Err: errBadPeer}},
		{"empty holder", new(Holder), "192.0.2.7:4711", Decision{Client: netip.MustParseAddr("192.0.2.7"), Err: ErrNoSet}},
		{"holder of nil", NewHolder(nil), "192.0.2.7:4711", Decision{Client: netip.MustParseAddr("192.0.2.7"), Err: ErrNoSet}},
		{"empty set", NewHolder(allowlist.Compile(nil)), "192.0.2.7:4711", Decision{Client: netip.MustParseAddr("192.0.2.7")}},
	}
	for _, tt := range tests {
		for _, cfg := range []struct {
			name   string
			opts   []Option
			attach bool
		}{
			{"plain", nil, false},
			{"context", []Option{WithDecisionInContext()}, true},
			{"hook", []Option{WithDecisionHook(func(*http.Request, Decision) {})}, false},
		} {
			t.Run(tt.name+"/"+cfg.name, func(t *testing.T) {
				var got Decision
				var seen bool
				next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					got, seen = DecisionFrom(r.Context())
					okHandler(w, r)
				})
				deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					got, seen = DecisionFrom(r.Context())
					forbidden(w, r)
				})
				h := Middleware(tt.holder, peerExtractor{}, append(cfg.opts, WithDenyHandler(deny))...)(next)
				w := serve(h, tt.remote)

				wantCode, wantBody := http.StatusForbidden, "forbidden\n"
				if tt.want.Allowed {
					wantCode, wantBody = http.StatusOK, "ok\n"
				}
				if w.Code != wantCode || w.Body.String() != wantBody {
					t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, wantCode, wantBody)
				}
				if wantSeen := !tt.want.Allowed || cfg.attach; seen != wantSeen {
					t.Fatalf("Decision in the context: %v, want %v", seen, wantSeen)
				}
				if !seen {
					return
				}
				if tt.want.Allowed {
					tt.want.Rule, _ = tt.holder.Load().Explain(tt.want.Client)
				}
				if diff := cmp.Diff(tt.want, got, addrCmp); diff != "" {
					t.Errorf("Decision (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestDefaultRefusalRevealsNothing(t *testing.T) {
	h := Middleware(NewHolder(mustSet(t, "192.0.2.0/24")), peerExtractor{})(okHandler)
	for _, remote := range []string{"198.51.100.1:1", "bad", "[2001:db8::1]:2"} {
		w := serve(h, remote)
		res := w.Result()
		got := map[string]string{
			"status":                 res.Status,
			"body":                   w.Body.String(),
			"Content-Type":           res.Header.Get("Content-Type"),
			"X-Content-Type-Options": res.Header.Get("X-Content-Type-Options"),
			"Cache-Control":          res.Header.Get("Cache-Control"),
		}
		want := map[string]string{
			"status":                 "403 Forbidden",
			"body":                   "forbidden\n",
			"Content-Type":           "text/plain; charset=utf-8",
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "no-store",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: refusal (-want +got):\n%s", remote, diff)
		}
		for _, leak := range []string{"192.0.2", "198.51", "2001", "bad"} {
			if strings.Contains(w.Body.String(), leak) {
				t.Errorf("%s: the refusal body %q reveals %q", remote, w.Body, leak)
			}
		}
	}
}

func TestHookCalledOncePerRequest(t *testing.T) {
	type call struct {
		path string
		d    Decision
	}
	var mu sync.Mutex
	var calls []call
	hook := func(r *http.Request, d Decision) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call{r.URL.Path, d})
	}
	var second atomic.Int32
	h := Middleware(NewHolder(mustSet(t, "192.0.2.0/24")), peerExtractor{},
		WithDecisionHook(hook),
		WithDecisionHook(func(*http.Request, Decision) { second.Add(1) }),
		WithDecisionHook(nil),
	)(okHandler)

	remotes := []string{"192.0.2.1:1", "198.51.100.1:1", "junk", "192.0.2.200:1"}
	for i, remote := range remotes {
		r := httptest.NewRequest("GET", "/r/"+string(rune('a'+i)), nil)
		r.RemoteAddr = remote
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	rule := func(a string) allowlist.Rule {
		r, _ := mustSet(t, "192.0.2.0/24").Explain(netip.MustParseAddr(a))
		return r
	}
	want := []call{
		{"/r/a", Decision{Client: netip.MustParseAddr("192.0.2.1"), Allowed: true, Rule: rule("192.0.2.1")}},
		{"/r/b", Decision{Client: netip.MustParseAddr("198.51.100.1")}},
		{"/r/c", Decision{Err: errBadPeer}},
		{"/r/d", Decision{Client: netip.MustParseAddr("192.0.2.200"), Allowed: true, Rule: rule("192.0.2.200")}},
	}
	if diff := cmp.Diff(want, calls, addrCmp, cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("hook calls (-want +got):\n%s", diff)
	}
	if n := second.Load(); n != int32(len(remotes)) {
		t.Errorf("second hook called %d times, want %d", n, len(remotes))
	}
}

func TestMiddlewarePanicsOnNil(t *testing.T) {
	for name, f := range map[string]func(){
		"holder":    func() { Middleware(nil, peerExtractor{}) },
		"extractor": func() { Middleware(new(Holder), nil) },
		"next":      func() { Middleware(new(Holder), peerExtractor{})(nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("nil %s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// zeroExtractor returns neither an address nor an error.
type zeroExtractor struct{}

func (zeroExtractor) ClientIP(*http.Request) (netip.Addr, error) { return netip.Addr{}, nil }

func TestExtractorWithoutAddressIsRefused(t *testing.T) {
	var got Decision
	h := Middleware(NewHolder(mustSet(t, "0.0.0.0/0", "::/0")), zeroExtractor{},
		WithDecisionHook(func(_ *http.Request, d Decision) { got = d }))(okHandler)
	if w := serve(h, "192.0.2.1:1"); w.Code != http.StatusForbidden {
		t.Fatalf("got %d, want 403", w.Code)
	}
	if got.Allowed || got.Err == nil {
		t.Errorf("Decision %+v, want a refusal with an error", got)
	}
}

// TestSwapUnderLoad runs many clients while the Set is swapped thousands of
// times between two lists, and checks that each request was decided by one
// of them. The lists share 10.0.0.0/24 and each has a range of its own:
//
//	client in    list A   list B   no list
//	both         allow    allow    refuse
//	A only       allow    refuse   refuse
//	B only       refuse   allow    refuse
//	neither      refuse   refuse   refuse
//
// so a refused "both" client proves a request decided by no list, an allowed
// "neither" client one decided by something else, and the hook's Rule tells
// which list allowed an "A only" or "B only" client.
func TestSwapUnderLoad(t *testing.T) {
	a := mustSet(t, "10.0.0.0/24", "10.1.0.0/24")
	b := mustSet(t, "10.0.0.0/24", "10.2.0.0/24")
	h := NewHolder(a)

	var hookCalls atomic.Int64
	mw := Middleware(h, peerExtractor{}, WithDecisionHook(func(*http.Request, Decision) { hookCalls.Add(1) }))
	srv := mw(okHandler)
	ctxSrv := Middleware(h, peerExtractor{}, WithDecisionInContext())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := DecisionFrom(r.Context())
		if !ok || !d.Allowed {
			t.Errorf("allowed request without an allowing Decision: %+v %v", d, ok)
		}
		okHandler(w, r)
	}))

	const swaps, minPerClient = 5000, 200
	stop := make(chan struct{})
	var swapper sync.WaitGroup
	swapper.Add(1)
	go func() {
		defer swapper.Done()
		for i := range swaps {
			if i%2 == 0 {
				h.Store(b)
			} else {
				h.Store(a)
			}
			runtime.Gosched() // let requests run between swaps
		}
		close(stop)
	}()

	clients := []struct {
		remote             string
		allowedA, allowedB bool
	}{
		{"10.0.0.5:1", true, true},
		{"10.1.0.5:1", true, false},
		{"10.2.0.5:1", false, true},
		{"10.3.0.5:1", false, false},
	}
	var sawA, sawB atomic.Int64
	var requests, srvRequests atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					if i >= minPerClient {
						return
					}
				default:
				}
				c := clients[(g+i)%len(clients)]
				handler := ctxSrv
				if i%3 != 0 {
					handler = srv
					srvRequests.Add(1)
				}
				w := serve(handler, c.remote)
				requests.Add(1)
				allowed := w.Code == http.StatusOK
				switch {
				case allowed && c.allowedA && !c.allowedB:
					sawA.Add(1)
				case allowed && c.allowedB && !c.allowedA:
					sawB.Add(1)
				case allowed != c.allowedA && allowed != c.allowedB:
					t.Errorf("client %s got %d, which neither list decides", c.remote, w.Code)
					return
				}
			}
		}()
	}
	wg.Wait()
	swapper.Wait()
	t.Logf("%d requests, %d swaps; decided by A only: %d, by B only: %d", requests.Load(), swaps, sawA.Load(), sawB.Load())
	if hookCalls.Load() != srvRequests.Load() {
		t.Errorf("hook called %d times for %d requests", hookCalls.Load(), srvRequests.Load())
	}
}

// TestReportOnly: a report-only middleware passes refused requests on, and
// the hook, the wrapped handler and the counters still see refusals.
func TestReportOnly(t *testing.T) {
	m := new(Metrics)
	var hooked []Decision
	var handled []Decision
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := DecisionFrom(r.Context())
		if !ok {
			d = Decision{Allowed: true, Client: netip.MustParseAddr("0.0.0.1")} // marks "no Decision in the context"
		}
		handled = append(handled, d)
		okHandler(w, r)
	})
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the deny handler was called for %s in report-only mode", r.RemoteAddr)
	})
	h := Middleware(NewHolder(mustSet(t, "192.0.2.0/24")), peerExtractor{}, WithReportOnly(), WithMetrics(m), WithDenyHandler(deny),
		WithDecisionHook(func(_ *http.Request, d Decision) { hooked = append(hooked, d) }))(next)
	for _, remote := range []string{"192.0.2.1:1", "198.51.100.1:1", "junk"} {
		if w := serve(h, remote); w.Code != http.StatusOK || w.Body.String() != "ok\n" {
			t.Errorf("%s: got %d %q, want 200 ok", remote, w.Code, w.Body)
		}
	}
	rule, _ := mustSet(t, "192.0.2.0/24").Explain(netip.MustParseAddr("192.0.2.1"))
	wantHooked := []Decision{
		{Client: netip.MustParseAddr("192.0.2.1"), Allowed: true, Rule: rule, ReportOnly: true},
		{Client: netip.MustParseAddr("198.51.100.1"), ReportOnly: true},
		{Err: errBadPeer, ReportOnly: true},
	}
	if diff := cmp.Diff(wantHooked, hooked, addrCmp); diff != "" {
		t.Errorf("hook Decisions (-want +got):\n%s", diff)
	}
	// The allowed request carries no Decision (no WithDecisionInContext);
	// the refused ones passed on do.
	wantHandled := []Decision{{Allowed: true, Client: netip.MustParseAddr("0.0.0.1")}, wantHooked[1], wantHooked[2]}
	if diff := cmp.Diff(wantHandled, handled, addrCmp); diff != "" {
		t.Errorf("Decisions in the wrapped handler (-want +got):\n%s", diff)
	}
	want := Counters{Allowed: AllowedCounts{Set: 1}, Refused: RefusedCounts{List: 1, OtherError: 1}, ReportOnly: 2}
	if diff := cmp.Diff(want, m.Snapshot()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

// TestRefusedByException: a refusal by an exception names the exception in
// the Decision and is counted apart from other refusals.
func TestRefusedByException(t *testing.T) {
	l, err := allowlist.Parse("192.0.2.0/24", allowlist.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := allowlist.Resolver{Except: pfx("192.0.2.128/25")}.Resolve(l)
	if err != nil {
		t.Fatal(err)
	}
	m := new(Metrics)
	var got Decision
	for _, opts := range [][]Option{
		{WithMetrics(m)},
		{WithMetrics(m), WithDecisionHook(func(_ *http.Request, d Decision) { got = d })},
	} {
		h := Middleware(NewHolder(s), peerExtractor{}, opts...)(okHandler)
		if w := serve(h, "192.0.2.1:1"); w.Code != http.StatusOK {
			t.Errorf("got %d, want 200", w.Code)
		}
		if w := serve(h, "192.0.2.200:1"); w.Code != http.StatusForbidden {
			t.Errorf("got %d, want 403", w.Code)
		}
	}
	want := Decision{Client: netip.MustParseAddr("192.0.2.200"), Rule: allowlist.Rule{Source: allowlist.FromException, Index: 0, Prefix: netip.MustParsePrefix("192.0.2.128/25")}}
	if diff := cmp.Diff(want, got, addrCmp); diff != "" {
		t.Errorf("Decision (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Counters{Allowed: AllowedCounts{Entry: 2}, Refused: RefusedCounts{Exception: 2}}, m.Snapshot()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}
