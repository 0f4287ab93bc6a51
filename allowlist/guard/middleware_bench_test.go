package guard

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/ipsource"
)

// BenchmarkMiddleware measures the allowed path: the middleware with a
// RemoteAddr extractor in front of an empty handler, against the bare
// handler, for a client in a list of 200 ranges. The hook and context rows
// show the cost of a Decision with its Rule (Explain), and of
// storing it in the request context; the counters row that of counting
// every Decision (an Explain for the rule's source and two atomic adds);
// the shadow row that of asking a second Set; the slog row that of logging
// every Decision with a text handler at debug level that discards its
// output. The refused row is a refused client passed on by a report-only
// middleware.
func BenchmarkMiddleware(b *testing.B) {
	ps := make([]string, 0, 200)
	for i := range 200 {
		ps = append(ps, "20.0."+strconv.Itoa(i)+".0/24")
	}
	l, err := allowlist.Parse(strings.Join(ps, ","), allowlist.AKS)
	if err != nil {
		b.Fatal(err)
	}
	s, err := allowlist.Resolver{}.Resolve(l)
	if err != nil {
		b.Fatal(err)
	}
	h := NewHolder(s)
	candidate, err := allowlist.Resolver{Except: []netip.Prefix{netip.MustParsePrefix("20.0.199.0/24")}}.Resolve(l)
	if err != nil {
		b.Fatal(err)
	}
	shadow := NewHolder(candidate)
	benchExtractor := ipsource.RemoteAddr()
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	empty := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "20.0.150.7:50123" // in the 151st range
	refused := httptest.NewRequest("GET", "/", nil)
	refused.RemoteAddr = "20.1.0.1:50123"
	w := httptest.NewRecorder()
	for _, bm := range []struct {
		name string
		h    http.Handler
		r    *http.Request
	}{
		{"bare", empty, r},
		{"middleware", Middleware(h, benchExtractor)(empty), r},
		{"middleware+counters", Middleware(h, benchExtractor, WithMetrics(new(Metrics)))(empty), r},
		{"middleware+report-only", Middleware(h, benchExtractor, WithReportOnly())(empty), r},
		{"middleware+report-only,refused", Middleware(h, benchExtractor, WithReportOnly())(empty), refused},
		{"middleware+shadow", Middleware(h, benchExtractor, WithShadow(shadow))(empty), r},
		{"middleware+counters+shadow", Middleware(h, benchExtractor, WithShadow(shadow), WithMetrics(new(Metrics)))(empty), r},
		{"middleware+hook", Middleware(h, benchExtractor, WithDecisionHook(func(*http.Request, Decision) {}))(empty), r},
		{"middleware+slog", Middleware(h, benchExtractor, WithDecisionHook(LogDecisions(logger)))(empty), r},
		{"middleware+context", Middleware(h, benchExtractor, WithDecisionInContext())(empty), r},
	} {
		b.Run(bm.name, func(b *testing.B) {
			if rec := serve(bm.h, bm.r.RemoteAddr); rec.Code != http.StatusOK {
				b.Fatalf("got %d, want 200", rec.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				bm.h.ServeHTTP(w, bm.r)
			}
		})
	}
}
