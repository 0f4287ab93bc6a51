package guard

import (
	"github.com/ipallow/ipallow/allowlist"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ipallow/ipallow/ipsource"
)

// BenchmarkMiddleware measures the allowed path: the middleware with a
// RemoteAddr extractor in front of an empty handler, against the bare
// handler, for a client in a list of 200 ranges. The hook and context rows
// show the cost of a Decision with its allowlist.Rule (Explain), and of storing it in
// the request context.
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
	benchExtractor := ipsource.RemoteAddr()
	empty := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "20.0.150.7:50123" // in the 151st range
	w := httptest.NewRecorder()
	for _, bm := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", empty},
		{"middleware", Middleware(h, benchExtractor)(empty)},
		{"middleware+hook", Middleware(h, benchExtractor, WithDecisionHook(func(*http.Request, Decision) {}))(empty)},
		{"middleware+context", Middleware(h, benchExtractor, WithDecisionInContext())(empty)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			if rec := serve(bm.h, r.RemoteAddr); rec.Code != http.StatusOK {
				b.Fatalf("got %d, want 200", rec.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				bm.h.ServeHTTP(w, r)
			}
		})
	}
}
