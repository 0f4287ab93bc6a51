package ipsource

import (
	"bufio"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// outcome is what a test compares: the address as text, or the error kind.
type outcome struct {
	Addr string
	Kind string
}

var kinds = []error{ErrNoPeer, ErrHeaderMissing, ErrHeaderRepeated, ErrMalformed, ErrNoUntrustedHop, ErrTooManyHops, ErrCompanion}

func kindName(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "unexpected: " + err.Error()
}

func ok(addr string) outcome  { return outcome{Addr: addr} }
func fail(kind error) outcome { return outcome{Kind: kind.Error()} }

// run calls x and checks the result's invariants: an address is valid,
// unzoned and unmapped; an error is an *Error and yields no address.
func run(t testing.TB, x Extractor, r *http.Request) outcome {
	t.Helper()
	a, err := x.ClientIP(r)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
		if a.IsValid() {
			t.Fatalf("error %v came with address %v", err, a)
		}
		if len(e.Entry) > maxEntryText {
			t.Fatalf("error entry has %d bytes", len(e.Entry))
		}
		_ = e.Error()
		return outcome{Kind: kindName(err)}
	}
	checkAddr(t, a)
	return outcome{Addr: a.String()}
}

func checkAddr(t testing.TB, a netip.Addr) {
	t.Helper()
	if !a.IsValid() || a.Zone() != "" || a.Is4In6() || a.IsUnspecified() {
		t.Fatalf("returned address %v: valid %v, zone %q, mapped %v, unspecified %v", a, a.IsValid(), a.Zone(), a.Is4In6(), a.IsUnspecified())
	}
}

// newReq builds a request from a peer and header field lines given as
// name, value pairs; a name given twice gives two field lines, in order.
// Names are canonicalised as net/http does for incoming requests.
func newReq(remote string, kv ...string) *http.Request {
	r := &http.Request{Method: "GET", RemoteAddr: remote, Header: http.Header{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k := http.CanonicalHeaderKey(kv[i])
		r.Header[k] = append(r.Header[k], kv[i+1])
	}
	return r
}

// lines builds a request with the header name on one field line per value.
func lines(remote, name string, values ...string) *http.Request {
	r := newReq(remote)
	if values != nil {
		r.Header[http.CanonicalHeaderKey(name)] = values
	}
	return r
}

// wire parses a raw HTTP/1.1 request head as net/http's server does, so a
// test sees the canonicalisation and line merging of the real server.
func wire(t testing.TB, remote, head string) *http.Request {
	t.Helper()
	head = strings.ReplaceAll(head, "\n", "\r\n") + "\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
	if err != nil {
		t.Fatalf("ReadRequest: %v", err)
	}
	r.RemoteAddr = remote
	return r
}

func pfx(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func must(x Extractor, err error) Extractor {
	if err != nil {
		panic(err)
	}
	return x
}

func diff(t *testing.T, want, got outcome) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// trustedNets is the trusted proxy list of most tests.
var trustedNets = pfx("10.0.0.0/8", "192.168.0.0/16", "2001:db8:ffff::/48")
