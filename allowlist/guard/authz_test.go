package guard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/ipsource"
)

// TestAuthHandler asks the decision endpoint as nginx, Traefik, Caddy and
// Envoy would, and checks the answer, its headers and the logged record.
func TestAuthHandler(t *testing.T) {
	xff, err := ipsource.XForwardedFor(pfx("10.0.0.0/8"))
	if err != nil {
		t.Fatal(err)
	}
	set := resolveWith(t, "203.0.113.0/24", pfx("203.0.113.128/25"))
	tests := []struct {
		name       string
		src        ipsource.Extractor
		opts       []Option
		method     string
		target     string
		remote     string
		header     http.Header
		wantCode   int
		wantHeader http.Header // the X-Allowlist-* headers of the answer
		wantLog    string
	}{
		{
			name: "nginx auth_request, allowed", src: ipsource.RemoteAddr(), opts: []Option{WithRuleHeader()},
			method: "GET", target: "/auth", remote: "203.0.113.7:50123",
			header:     http.Header{"X-Original-Method": {"POST"}, "X-Original-Uri": {"/api/v1/items?token=abc"}},
			wantCode:   200,
			wantHeader: http.Header{"X-Allowlist-Client": {"203.0.113.7"}, "X-Allowlist-Rule": {"entry 0 203.0.113.0/24"}},
			wantLog:    `level=DEBUG msg="allowlist: allowed" client=203.0.113.7 allowed=true rule="entry 0 203.0.113.0/24" peer=203.0.113.7:50123 method=POST path=/api/v1/items`,
		},
		{
			name: "nginx, refused", src: ipsource.RemoteAddr(), opts: []Option{WithRuleHeader()},
			method: "GET", target: "/auth", remote: "198.51.100.1:50123",
			header:   http.Header{"X-Original-Method": {"DELETE"}, "X-Original-Uri": {"/admin"}},
			wantCode: 403,
			wantLog:  `level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false peer=198.51.100.1:50123 method=DELETE path=/admin`,
		},
		{
			name: "nginx, refused by an exception", src: ipsource.RemoteAddr(),
			method: "GET", target: "/auth", remote: "203.0.113.200:1",
			header:   http.Header{"X-Original-Method": {"GET"}, "X-Original-Uri": {"/"}},
			wantCode: 403,
			wantLog:  `rule="exception 0 203.0.113.128/25" peer=203.0.113.200:1 method=GET path=/`,
		},
		{
			name: "Traefik forwardAuth, allowed", src: xff,
			method: "GET", target: "/", remote: "10.1.2.3:40000",
			header:     http.Header{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Method": {"PUT"}, "X-Forwarded-Uri": {"/things/7?x=1"}, "X-Forwarded-Host": {"app.example"}},
			wantCode:   200,
			wantHeader: http.Header{"X-Allowlist-Client": {"203.0.113.9"}},
			wantLog:    `client=203.0.113.9 allowed=true rule="entry 0 203.0.113.0/24" peer=10.1.2.3:40000 method=PUT path=/things/7`,
		},
		{
			name: "Caddy forward_auth, extractor error", src: xff,
			method: "GET", target: "/", remote: "10.1.2.3:40000",
			header:   http.Header{"X-Forwarded-For": {"unknown"}, "X-Forwarded-Method": {"PATCH"}, "X-Forwarded-Uri": {"/a/b"}},
			wantCode: 403,
			wantLog:  `(the entry must be IPv4, IPv4:port, IPv6, [IPv6] or [IPv6]:port)" header=X-Forwarded-For header_value=unknown peer=10.1.2.3:40000 method=PATCH path=/a/b`,
		},
		{
			name: "Envoy ext_authz: the original request itself", src: xff,
			method: "DELETE", target: "/orders/9?all=1", remote: "10.1.2.3:40000",
			header:     http.Header{"X-Forwarded-For": {"203.0.113.10"}},
			wantCode:   200,
			wantHeader: http.Header{"X-Allowlist-Client": {"203.0.113.10"}},
			wantLog:    `peer=10.1.2.3:40000 method=DELETE path=/orders/9`,
		},
		{
			name: "headers named by the configuration", src: ipsource.RemoteAddr(), opts: []Option{WithOriginalHeaders("X-Auth-Method", "x-auth-uri")},
			method: "GET", target: "/auth", remote: "203.0.113.7:1",
			header:     http.Header{"X-Auth-Method": {"HEAD"}, "X-Auth-Uri": {"/h"}, "X-Original-Uri": {"/not-this"}},
			wantCode:   200,
			wantHeader: http.Header{"X-Allowlist-Client": {"203.0.113.7"}},
			wantLog:    `method=HEAD path=/h`,
		},
		{
			name: "report-only passes a refused client", src: ipsource.RemoteAddr(), opts: []Option{WithReportOnly(), WithRuleHeader()},
			method: "GET", target: "/auth", remote: "198.51.100.1:1",
			wantCode:   200,
			wantHeader: http.Header{"X-Allowlist-Client": {"198.51.100.1"}},
			wantLog:    `client=198.51.100.1 allowed=false report_only=true peer=198.51.100.1:1 method=GET path=/auth`,
		},
		{
			name: "no Set", src: ipsource.RemoteAddr(),
			method: "GET", target: "/auth", remote: "203.0.113.7:1",
			wantCode: 403,
			wantLog:  `error="guard: no set is loaded`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := textLogger()
			holder := NewHolder(set)
			if tt.name == "no Set" {
				holder = new(Holder)
			}
			h := AuthHandler(holder, tt.src, append(tt.opts, WithDecisionHook(LogDecisions(l)))...)
			r := httptest.NewRequest(tt.method, tt.target, nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantCode {
				t.Errorf("status %d, want %d", w.Code, tt.wantCode)
			}
			got := http.Header{}
			for k, v := range w.Header() {
				if strings.HasPrefix(k, "X-Allowlist-") {
					got[k] = v
				}
			}
			if tt.wantHeader == nil {
				tt.wantHeader = http.Header{}
			}
			if diff := cmp.Diff(tt.wantHeader, got); diff != "" {
				t.Errorf("X-Allowlist headers (-want +got):\n%s", diff)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if w.Code == 200 && w.Body.Len() != 0 {
				t.Errorf("body %q, want none", w.Body)
			}
			if w.Code == 403 && w.Body.String() != "forbidden\n" {
				t.Errorf("body %q, want forbidden", w.Body)
			}
			recs := lines(buf)
			if len(recs) != 1 || !strings.Contains(recs[0], tt.wantLog) {
				t.Errorf("records %q, want one holding\n%s", recs, tt.wantLog)
			}
		})
	}
}

// TestAuthHandlerDecision: the hook and the deny handler see the original
// method and path; the decision does not depend on them.
func TestAuthHandlerDecision(t *testing.T) {
	var hooked, denied Decision
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		denied, _ = DecisionFrom(r.Context())
		w.WriteHeader(http.StatusUnauthorized)
	})
	h := AuthHandler(NewHolder(resolveList(t, "203.0.113.0/24")), ipsource.RemoteAddr(), WithDenyHandler(deny),
		WithDecisionHook(func(_ *http.Request, d Decision) { hooked = d }))
	r := httptest.NewRequest("GET", "/auth", nil)
	r.RemoteAddr = "198.51.100.1:1"
	r.Header.Set("X-Original-Uri", "/"+strings.Repeat("p", 600))
	r.Header.Set("X-Forwarded-Method", "POST")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("status %d, want the deny handler's 401", w.Code)
	}
	if hooked.OriginalMethod != "POST" || len(hooked.OriginalPath) != maxOriginal+len(clipMark) || !strings.HasSuffix(hooked.OriginalPath, clipMark) {
		t.Errorf("hooked %q %q (%d bytes), want POST and the path cut to %d bytes and marked", hooked.OriginalMethod, hooked.OriginalPath[:10], len(hooked.OriginalPath), maxOriginal)
	}
	if denied.OriginalMethod != hooked.OriginalMethod || denied.OriginalPath != hooked.OriginalPath || denied.Allowed {
		t.Errorf("deny handler's Decision %+v differs from the hook's", denied)
	}
}

func TestAuthHandlerPanicsOnNil(t *testing.T) {
	for name, f := range map[string]func(){
		"holder":    func() { AuthHandler(nil, ipsource.RemoteAddr()) },
		"extractor": func() { AuthHandler(new(Holder), nil) },
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
