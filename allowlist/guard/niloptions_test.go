package guard

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ipallow/ipallow/ipsource"
)

// TestNilOptions: one option style across the module, and nil handled the
// same way everywhere: a zero option and a nil or zero argument to an
// option leave the default, and nothing panics.
func TestNilOptions(t *testing.T) {
	h := NewHolder(mustSet(t, "192.0.2.0/24"))
	mw := Middleware(h, ipsource.RemoteAddr(), WithDecisionHook(nil), WithDenyHandler(nil), WithShadow(nil), WithMetrics(nil), WithOriginalHeaders("", ""), Option{})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:1"
	w := httptest.NewRecorder()
	mw(http.NotFoundHandler()).ServeHTTP(w, r)
	a := AuthHandler(h, ipsource.RemoteAddr(), WithDecisionHook(nil), WithShadow(nil), WithMetrics(nil))
	a.ServeHTTP(httptest.NewRecorder(), r)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Listener(ln, h, WithRefusedHook(nil), WithCheckTimeout(0), WithMaxChecks(0), ListenerOption{})
	l.Close()
	if _, err := ipsource.ProxyListener(ln, nil, ipsource.WithProxyHook(nil), ipsource.ProxyOption{}); err == nil {
		t.Error("ProxyListener with no trusted prefixes accepted")
	}
}
