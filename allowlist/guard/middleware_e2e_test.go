package guard_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
	"github.com/ipallow/ipallow/ipsource"
)

// TestEndToEnd runs the middleware in a real HTTP server (so r.RemoteAddr is
// the loopback peer 127.0.0.1) with every ipsource strategy, and checks the
// response, the Decision the hook got (once per request) and the Decision
// the wrapped handler read from the request context.
//
// The list never holds 127.0.0.1 for the header strategies, so a strategy
// that fell back to the peer would refuse where the test expects an allowed
// request.
func TestEndToEnd(t *testing.T) {
	mustParse := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	must := func(e ipsource.Extractor, err error) ipsource.Extractor {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	list, err := allowlist.Parse("203.0.113.0/24,2001:db8::/32", allowlist.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := allowlist.Resolver{}.Resolve(list)
	if err != nil {
		t.Fatal(err)
	}
	loopbackSet, err := allowlist.Resolver{}.Resolve(allowlist.List{Mode: allowlist.Restricted, Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	elsewhere := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}

	type request struct {
		name    string
		header  http.Header
		allowed bool
		client  string // the address decided; "" for none
		err     error  // the kind of error, for errors.Is
	}
	tests := []struct {
		name     string
		src      ipsource.Extractor
		set      *allowlist.Set
		requests []request
	}{
		{"RemoteAddr, loopback listed", ipsource.RemoteAddr(), loopbackSet, []request{
			{"peer", nil, true, "127.0.0.1", nil},
			{"headers ignored", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, true, "127.0.0.1", nil},
		}},
		{"RemoteAddr", ipsource.RemoteAddr(), set, []request{
			{"peer not listed", nil, false, "127.0.0.1", nil},
			{"forged X-Forwarded-For", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, false, "127.0.0.1", nil},
		}},
		{"XForwardedFor", must(ipsource.XForwardedFor(loopback)), set, []request{
			{"listed", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, true, "203.0.113.9", nil},
			{"listed with port", http.Header{"X-Forwarded-For": {"203.0.113.9:50123"}}, true, "203.0.113.9", nil},
			{"listed IPv6", http.Header{"X-Forwarded-For": {"[2001:db8::7]:1"}}, true, "2001:db8::7", nil},
			{"not listed", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, false, "198.51.100.1", nil},
			{"spoofed left entry ignored", http.Header{"X-Forwarded-For": {"198.51.100.1, 203.0.113.9"}}, true, "203.0.113.9", nil},
			{"rightmost decides", http.Header{"X-Forwarded-For": {"203.0.113.9", "198.51.100.1"}}, false, "198.51.100.1", nil},
			{"trusted hop skipped", http.Header{"X-Forwarded-For": {"203.0.113.9, 127.0.0.1"}}, true, "203.0.113.9", nil},
			{"missing", nil, false, "", ipsource.ErrHeaderMissing},
			{"garbage", http.Header{"X-Forwarded-For": {"unknown"}}, false, "", ipsource.ErrMalformed},
			{"only trusted", http.Header{"X-Forwarded-For": {"127.0.0.1"}}, false, "", ipsource.ErrNoUntrustedHop},
		}},
		{"XForwardedFor, peer untrusted", must(ipsource.XForwardedFor(elsewhere)), set, []request{
			{"header not read", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, false, "127.0.0.1", nil},
		}},
		{"XForwardedForCount", must(ipsource.XForwardedForCount(2)), set, []request{
			{"listed", http.Header{"X-Forwarded-For": {"198.51.100.1, 203.0.113.9, 10.0.0.1"}}, true, "203.0.113.9", nil},
			{"not listed", http.Header{"X-Forwarded-For": {"203.0.113.9, 198.51.100.1, 10.0.0.1"}}, false, "198.51.100.1", nil},
			{"too short", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, false, "", ipsource.ErrNoUntrustedHop},
		}},
		{"Forwarded", must(ipsource.Forwarded(loopback)), set, []request{
			{"listed", http.Header{"Forwarded": {"for=203.0.113.9;proto=https"}}, true, "203.0.113.9", nil},
			{"listed IPv6", http.Header{"Forwarded": {`for="[2001:db8::1]:4711"`}}, true, "2001:db8::1", nil},
			{"not listed", http.Header{"Forwarded": {"for=203.0.113.9, for=198.51.100.1"}}, false, "198.51.100.1", nil},
			{"obfuscated", http.Header{"Forwarded": {"for=_hidden"}}, false, "", ipsource.ErrMalformed},
			{"missing", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, false, "", ipsource.ErrHeaderMissing},
		}},
		{"Forwarded, peer untrusted", must(ipsource.Forwarded(elsewhere)), set, []request{
			{"header not read", http.Header{"Forwarded": {"for=203.0.113.9"}}, false, "127.0.0.1", nil},
		}},
		{"ForwardedCount", must(ipsource.ForwardedCount(1)), set, []request{
			{"listed", http.Header{"Forwarded": {"for=198.51.100.1, for=203.0.113.9"}}, true, "203.0.113.9", nil},
			{"not listed", http.Header{"Forwarded": {"for=203.0.113.9, for=198.51.100.1"}}, false, "198.51.100.1", nil},
		}},
		{"Header", must(ipsource.Header("X-Real-IP", loopback)), set, []request{
			{"listed", http.Header{"X-Real-Ip": {"203.0.113.9"}}, true, "203.0.113.9", nil},
			{"not listed", http.Header{"X-Real-Ip": {"198.51.100.1"}}, false, "198.51.100.1", nil},
			{"repeated", http.Header{"X-Real-Ip": {"203.0.113.9", "203.0.113.10"}}, false, "", ipsource.ErrHeaderRepeated},
			{"missing", http.Header{"X-Forwarded-For": {"203.0.113.9"}}, false, "", ipsource.ErrHeaderMissing},
		}},
		{"Header with RequireHeader", must(ipsource.Header("X-Azure-SocketIP", loopback, ipsource.RequireHeader("X-Azure-FDID", "my-front-door"))), set, []request{
			{"listed", http.Header{"X-Azure-Socketip": {"203.0.113.9"}, "X-Azure-Fdid": {"my-front-door"}}, true, "203.0.113.9", nil},
			{"other front door", http.Header{"X-Azure-Socketip": {"203.0.113.9"}, "X-Azure-Fdid": {"their-front-door"}}, false, "", ipsource.ErrCompanion},
			{"no FDID", http.Header{"X-Azure-Socketip": {"203.0.113.9"}}, false, "", ipsource.ErrCompanion},
		}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var hooked []guard.Decision
			var inHandler *guard.Decision
			hook := func(_ *http.Request, d guard.Decision) {
				mu.Lock()
				defer mu.Unlock()
				hooked = append(hooked, d)
			}
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				d, ok := guard.DecisionFrom(r.Context())
				if !ok {
					t.Error("the wrapped handler found no Decision")
				}
				mu.Lock()
				inHandler = &d
				mu.Unlock()
				io.WriteString(w, "hello from upstream\n")
			})
			srv := httptest.NewServer(guard.Middleware(guard.NewHolder(tt.set), tt.src,
				guard.WithDecisionHook(hook), guard.WithDecisionInContext())(next))
			defer srv.Close()

			for _, rq := range tt.requests {
				mu.Lock()
				hooked, inHandler = nil, nil
				mu.Unlock()
				req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
				for k, vs := range rq.header {
					req.Header[k] = vs
				}
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()

				wantCode, wantBody := http.StatusForbidden, "forbidden\n"
				if rq.allowed {
					wantCode, wantBody = http.StatusOK, "hello from upstream\n"
				}
				if res.StatusCode != wantCode || string(body) != wantBody {
					t.Errorf("%s: got %d %q, want %d %q", rq.name, res.StatusCode, body, wantCode, wantBody)
				}
				mu.Lock()
				if len(hooked) != 1 {
					t.Errorf("%s: hook called %d times, want once", rq.name, len(hooked))
					mu.Unlock()
					continue
				}
				d := hooked[0]
				if rq.allowed && (inHandler == nil || !cmp.Equal(*inHandler, d, cmp.Comparer(func(a, b error) bool { return a == b }), cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }))) {
					t.Errorf("%s: the handler's Decision %+v differs from the hook's %+v", rq.name, inHandler, d)
				}
				if !rq.allowed && inHandler != nil {
					t.Errorf("%s: a refused request reached the handler", rq.name)
				}
				mu.Unlock()

				var want netip.Addr
				if rq.client != "" {
					want = mustParse(rq.client)
				}
				if d.Allowed != rq.allowed || d.Client != want || (d.Err == nil) != (rq.err == nil) || (rq.err != nil && !errors.Is(d.Err, rq.err)) {
					t.Errorf("%s: Decision{Client: %v, Allowed: %v, Err: %v}, want {%v %v %v}", rq.name, d.Client, d.Allowed, d.Err, want, rq.allowed, rq.err)
				}
				if d.Allowed {
					if rule, _ := tt.set.Explain(d.Client); d.Rule != rule || !d.Rule.Prefix.Contains(d.Client) {
						t.Errorf("%s: Rule %v, want %v", rq.name, d.Rule, rule)
					}
				}
			}
		})
	}
}
