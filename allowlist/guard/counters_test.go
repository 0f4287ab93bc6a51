package guard

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/ipsource"
)

// caseExtractor decides by the request's path: /peer takes the TCP peer,
// /err/KIND returns an *ipsource.Error of that kind, /wrapped/KIND the
// same wrapped by fmt.Errorf, /other an error of no ipsource kind and
// /none neither an address nor an error.
type caseExtractor struct{}

var testKinds = map[string]error{
	"no-peer": ipsource.ErrNoPeer, "missing": ipsource.ErrHeaderMissing, "repeated": ipsource.ErrHeaderRepeated,
	"malformed": ipsource.ErrMalformed, "no-untrusted": ipsource.ErrNoUntrustedHop, "too-many": ipsource.ErrTooManyHops,
	"companion": ipsource.ErrCompanion,
}

func (caseExtractor) ClientIP(r *http.Request) (netip.Addr, error) {
	p := r.URL.Path
	switch {
	case p == "/other":
		return netip.Addr{}, errors.New("test: some other failure")
	case p == "/none":
		return netip.Addr{}, nil
	case strings.HasPrefix(p, "/err/"):
		return netip.Addr{}, &ipsource.Error{Kind: testKinds[p[len("/err/"):]], Header: "X-Forwarded-For"}
	case strings.HasPrefix(p, "/wrapped/"):
		return netip.Addr{}, fmt.Errorf("test: %w", &ipsource.Error{Kind: testKinds[p[len("/wrapped/"):]]})
	}
	return peerExtractor{}.ClientIP(r)
}

// countingSetup is a list with an entry, a service tag, egress and an
// exception, and one request path for each way a request is counted.
func countingSetup(t testing.TB) (*allowlist.Set, []countCase) {
	l, err := allowlist.Parse("192.0.2.0/24,Office", allowlist.Policy{MaxServiceTags: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := allowlist.Resolver{
		Tags:   allowlist.TagMap{"Office": pfx("198.51.100.0/24")},
		Egress: allowlist.Egress{OutboundIPs: []netip.Addr{netip.MustParseAddr("203.0.113.9")}},
		Except: pfx("192.0.2.128/25"),
	}.Resolve(l)
	if err != nil {
		t.Fatal(err)
	}
	cases := []countCase{
		{"/peer", "192.0.2.1:1", Counters{Allowed: AllowedCounts{Entry: 1}}},
		{"/peer", "198.51.100.1:1", Counters{Allowed: AllowedCounts{ServiceTag: 1}}},
		{"/peer", "203.0.113.9:1", Counters{Allowed: AllowedCounts{Egress: 1}}},
		{"/peer", "203.0.113.10:1", Counters{Refused: RefusedCounts{List: 1}}},
		{"/peer", "192.0.2.200:1", Counters{Refused: RefusedCounts{Exception: 1}}},
		{"/err/no-peer", "192.0.2.1:1", Counters{Refused: RefusedCounts{NoPeer: 1}}},
		{"/err/missing", "192.0.2.1:1", Counters{Refused: RefusedCounts{HeaderMissing: 1}}},
		{"/err/repeated", "192.0.2.1:1", Counters{Refused: RefusedCounts{HeaderRepeated: 1}}},
		{"/err/malformed", "192.0.2.1:1", Counters{Refused: RefusedCounts{Malformed: 1}}},
		{"/err/no-untrusted", "192.0.2.1:1", Counters{Refused: RefusedCounts{NoUntrustedHop: 1}}},
		{"/err/too-many", "192.0.2.1:1", Counters{Refused: RefusedCounts{TooManyHops: 1}}},
		{"/err/companion", "192.0.2.1:1", Counters{Refused: RefusedCounts{Companion: 1}}},
		{"/wrapped/malformed", "192.0.2.1:1", Counters{Refused: RefusedCounts{Malformed: 1}}},
		{"/other", "192.0.2.1:1", Counters{Refused: RefusedCounts{OtherError: 1}}},
		{"/none", "192.0.2.1:1", Counters{Refused: RefusedCounts{OtherError: 1}}},
	}
	return s, cases
}

type countCase struct {
	path, remote string
	want         Counters
}

// add returns c + d, field by field.
func (c Counters) add(d Counters, times uint64) Counters {
	a, b := c.Allowed, d.Allowed
	r, q := c.Refused, d.Refused
	return Counters{
		Allowed: AllowedCounts{Entry: a.Entry + times*b.Entry, ServiceTag: a.ServiceTag + times*b.ServiceTag, Egress: a.Egress + times*b.Egress,
			Disabled: a.Disabled + times*b.Disabled, Set: a.Set + times*b.Set},
		Refused: RefusedCounts{List: r.List + times*q.List, Exception: r.Exception + times*q.Exception, NoSet: r.NoSet + times*q.NoSet,
			NoPeer: r.NoPeer + times*q.NoPeer, HeaderMissing: r.HeaderMissing + times*q.HeaderMissing, HeaderRepeated: r.HeaderRepeated + times*q.HeaderRepeated,
			Malformed: r.Malformed + times*q.Malformed, NoUntrustedHop: r.NoUntrustedHop + times*q.NoUntrustedHop, TooManyHops: r.TooManyHops + times*q.TooManyHops,
			Companion: r.Companion + times*q.Companion, OtherError: r.OtherError + times*q.OtherError},
		ReportOnly:        c.ReportOnly + times*d.ReportOnly,
		ShadowWouldAllow:  c.ShadowWouldAllow + times*d.ShadowWouldAllow,
		ShadowWouldRefuse: c.ShadowWouldRefuse + times*d.ShadowWouldRefuse,
	}
}

func serveCase(h http.Handler, path, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestCountersOneEach counts one request of each kind, alone.
func TestCountersOneEach(t *testing.T) {
	s, cases := countingSetup(t)
	for _, c := range cases {
		for _, opts := range [][]Option{nil, {WithDecisionHook(func(*http.Request, Decision) {})}} {
			m := new(Metrics)
			h := Middleware(NewHolder(s), caseExtractor{}, append(opts, WithMetrics(m))...)(okHandler)
			serveCase(h, c.path, c.remote)
			if diff := cmp.Diff(c.want, m.Snapshot()); diff != "" {
				t.Errorf("%s from %s (hook: %v): counters (-want +got):\n%s", c.path, c.remote, opts != nil, diff)
			}
		}
	}
	m := new(Metrics)
	serveCase(Middleware(new(Holder), caseExtractor{}, WithMetrics(m))(okHandler), "/peer", "192.0.2.1:1")
	if diff := cmp.Diff(Counters{Refused: RefusedCounts{NoSet: 1}}, m.Snapshot()); diff != "" {
		t.Errorf("no Set: counters (-want +got):\n%s", diff)
	}
}

// TestCountersAddUp runs 8 concurrent clients through three handlers that
// share one Metrics (a middleware, one with a hook, an AuthHandler in
// report-only mode) and one with its own, and checks every count.
func TestCountersAddUp(t *testing.T) {
	s, cases := countingSetup(t)
	shared, own := new(Metrics), new(Metrics)
	hs := []http.Handler{
		Middleware(NewHolder(s), caseExtractor{}, WithMetrics(shared))(okHandler),
		Middleware(NewHolder(s), caseExtractor{}, WithMetrics(shared), WithDecisionHook(func(*http.Request, Decision) {}))(okHandler),
		AuthHandler(NewHolder(s), caseExtractor{}, WithMetrics(shared), WithReportOnly()),
	}
	noSet := Middleware(new(Holder), caseExtractor{}, WithMetrics(own))(okHandler)
	const clients, rounds = 8, 100
	var wg sync.WaitGroup
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				for _, c := range cases {
					serveCase(hs[(g+i)%len(hs)], c.path, c.remote)
				}
				serveCase(noSet, "/peer", "192.0.2.1:1")
			}
		}()
	}
	wg.Wait()

	var want Counters
	var refusedPerRound uint64
	for _, c := range cases {
		want = want.add(c.want, clients*rounds)
		refusedPerRound += c.want.Refused.Total()
	}
	// The rounds that ran through the report-only AuthHandler passed
	// their refusals on.
	var reportOnlyRounds uint64
	for g := range clients {
		for i := range rounds {
			if (g+i)%len(hs) == 2 {
				reportOnlyRounds++
			}
		}
	}
	want.ReportOnly = reportOnlyRounds * refusedPerRound
	got := shared.Snapshot()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shared counters (-want +got):\n%s", diff)
	}
	if n := got.Requests(); n != clients*rounds*uint64(len(cases)) {
		t.Errorf("%d requests counted, want %d", n, clients*rounds*len(cases))
	}
	if diff := cmp.Diff(Counters{Refused: RefusedCounts{NoSet: clients * rounds}}, own.Snapshot()); diff != "" {
		t.Errorf("own counters (-want +got):\n%s", diff)
	}
}

func TestMetricsNil(t *testing.T) {
	var m *Metrics
	if c := m.Snapshot(); c != (Counters{}) {
		t.Errorf("nil Snapshot = %+v", c)
	}
	if s := m.Sources(); len(s) != 0 {
		t.Errorf("nil Sources = %v", s)
	}
}

func TestAddSource(t *testing.T) {
	m := new(Metrics)
	st := func() SourceStatus { return SourceStatus{Applied: 2} }
	if err := m.AddSource("ranges", st); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    func() SourceStatus
		msg  string
	}{
		{"", st, "empty name"},
		{"x", nil, "nil status func"},
		{"ranges", st, `a source named "ranges" was already added`},
	} {
		if err := m.AddSource(tt.name, tt.f); err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "guard: ") {
			t.Errorf("AddSource(%q) = %v, want an error about %q", tt.name, err, tt.msg)
		}
	}
	if diff := cmp.Diff(map[string]SourceStatus{"ranges": {Applied: 2}}, m.Sources()); diff != "" {
		t.Errorf("Sources (-want +got):\n%s", diff)
	}
}

func TestWatcherStatusSourceStatus(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	err := errors.New("x")
	got := WatcherStatus{Applied: 1, Failed: 2, LastApplied: now, LastChecked: now.Add(time.Second), Err: err}.SourceStatus()
	want := SourceStatus{Applied: 1, Failed: 2, LastApplied: now, LastChecked: now.Add(time.Second), Err: err}
	if got != want {
		t.Errorf("SourceStatus() = %+v, want %+v", got, want)
	}
}
