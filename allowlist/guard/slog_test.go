package guard

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/ipsource"
)

// textLogger returns a logger at debug level that writes records without
// time stamps to the returned buffer.
func textLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	return l, &buf
}

// lines returns the records in buf and empties it.
func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSuffix(buf.String(), "\n")
	buf.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestAuditRateLimit: refusals of one client are logged at most once a
// second, the next record says how many were held back, other clients and
// allowed requests are not held back.
func TestAuditRateLimit(t *testing.T) {
	l, buf := textLogger()
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	audit := &AuditLog{Logger: l, now: clock.now}
	h := Middleware(NewHolder(mustSet(t, "192.0.2.0/24")), peerExtractor{}, WithDecisionHook(audit.Log))(okHandler)
	get := func(remote string) {
		r := httptest.NewRequest("GET", "/x", nil)
		r.RemoteAddr = remote
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	type step struct {
		advance time.Duration
		remote  string
		want    string // the record, "" for none
	}
	refusedA := `level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false peer=198.51.100.1:1 method=GET path=/x`
	refusedB := `level=INFO msg="allowlist: refused" client=198.51.100.2 allowed=false peer=198.51.100.2:1 method=GET path=/x`
	allowed := `level=DEBUG msg="allowlist: allowed" client=192.0.2.1 allowed=true rule="set 192.0.2.0/24" peer=192.0.2.1:1 method=GET path=/x`
	junk := `level=WARN msg="allowlist: refused" client="" allowed=false error="test: bad RemoteAddr" peer=junk method=GET path=/x`
	steps := []step{
		{0, "198.51.100.1:1", refusedA},
		{0, "198.51.100.1:2", ""},
		{300 * time.Millisecond, "198.51.100.1:3", ""},
		{0, "198.51.100.2:1", refusedB},
		{0, "192.0.2.1:1", allowed},
		{0, "192.0.2.1:1", allowed},
		{0, "junk", junk}, // no client: limited by the peer text, here unparsable: one shared key
		{0, "junk", ""},
		{600 * time.Millisecond, "198.51.100.1:4", ""}, // 0.9 s after the record
		{100 * time.Millisecond, "198.51.100.1:5", refusedA + " suppressed=3"},
		{999 * time.Millisecond, "198.51.100.1:6", ""},
		{time.Millisecond, "198.51.100.1:7", refusedA + " suppressed=1"},
		{5 * time.Second, "198.51.100.1:8", refusedA},
		{0, "junk", junk + " suppressed=1"},
	}
	for i, s := range steps {
		clock.advance(s.advance)
		get(s.remote)
		var want []string
		if s.want != "" {
			want = []string{strings.Replace(s.want, "peer=198.51.100.1:1", "peer="+s.remote, 1)}
		}
		if diff := cmp.Diff(want, lines(buf)); diff != "" {
			t.Errorf("step %d (%s): records (-want +got):\n%s", i, s.remote, diff)
		}
	}
	if n := audit.Suppressed(); n != 5 {
		t.Errorf("Suppressed() = %d, want 5", n)
	}
}

// TestAuditRateLimitEviction: the table remembers a fixed number of
// clients; a client evicted by others is logged again at once.
func TestAuditRateLimitEviction(t *testing.T) {
	l, buf := textLogger()
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	audit := &AuditLog{Logger: l, Clients: 8, now: clock.now} // one bucket of 8
	refuse := func(a string) int {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = a + ":1"
		audit.Log(r, Decision{Client: netip.MustParseAddr(a)})
		return len(lines(buf))
	}
	if n := refuse("198.51.100.1"); n != 1 {
		t.Fatalf("first record: %d lines", n)
	}
	for i := 2; i <= 8; i++ {
		clock.advance(time.Millisecond)
		refuse("198.51.100." + string(rune('0'+i)))
	}
	if n := refuse("198.51.100.1"); n != 0 {
		t.Fatalf("198.51.100.1 logged again while remembered")
	}
	clock.advance(time.Millisecond)
	refuse("198.51.100.9") // evicts the least recently logged: 198.51.100.1
	if n := refuse("198.51.100.1"); n != 1 {
		t.Errorf("198.51.100.1 not logged after its eviction")
	}
	if n := refuse("198.51.100.3"); n != 0 {
		t.Errorf("198.51.100.3 logged again; only the oldest should have been evicted")
	}
}

func TestAuditNoRateLimit(t *testing.T) {
	l, buf := textLogger()
	audit := &AuditLog{Logger: l, Every: -1}
	r := httptest.NewRequest("GET", "/", nil)
	for range 5 {
		audit.Log(r, Decision{Client: netip.MustParseAddr("198.51.100.1")})
	}
	if n := len(lines(buf)); n != 5 {
		t.Errorf("%d records, want 5", n)
	}
}

// TestAuditAttributes checks what a record says about a request: the TCP
// peer, the header at fault and its value (cut and marked), the exception
// that refused, the shadow's verdict, report-only, and the original
// method and path from AuthHandler.
func TestAuditAttributes(t *testing.T) {
	xff, err := ipsource.XForwardedFor(pfx("127.0.0.0/8"))
	if err != nil {
		t.Fatal(err)
	}
	companion, err := ipsource.Header("X-Real-IP", pfx("127.0.0.0/8"), ipsource.RequireHeader("X-Secret", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 100)
	exceptSet := resolveWith(t, "192.0.2.0/24", pfx("192.0.2.128/25"))
	tests := []struct {
		name   string
		src    ipsource.Extractor
		opts   []Option
		header http.Header
		remote string
		want   string
	}{
		{"malformed header", xff, nil, http.Header{"X-Forwarded-For": {"203.0.113.1, " + long}}, "127.0.0.1:4242",
			`level=WARN msg="allowlist: refused" client="" allowed=false error="ipsource: malformed entry: X-Forwarded-For entry 1 from the right \"` + long[:64] + `\": not an IP address (the entry must be IPv4, IPv4:port, IPv6, [IPv6] or [IPv6]:port)" header=X-Forwarded-For header_value="203.0.113.1, ` + long[:51] + `..." peer=127.0.0.1:4242 method=GET path=/api`},
		{"repeated lines joined", xff, nil, http.Header{"X-Forwarded-For": {"203.0.113.1", "bad"}}, "127.0.0.1:4242",
			`header=X-Forwarded-For header_value="203.0.113.1, bad" peer=127.0.0.1:4242`},
		{"missing header", xff, nil, nil, "127.0.0.1:4242",
			`error="ipsource: header missing: X-Forwarded-For (the trusted proxy must set this header; check the proxy's configuration and the header name)" header=X-Forwarded-For peer=127.0.0.1:4242`},
		{"companion value not logged", companion, nil, http.Header{"X-Real-Ip": {"203.0.113.1"}, "X-Secret": {"s3cret", "other"}}, "127.0.0.1:4242",
			`header=X-Secret peer=127.0.0.1:4242`},
		{"exception", peerExtractor{}, nil, nil, "192.0.2.200:1",
			`level=INFO msg="allowlist: refused" client=192.0.2.200 allowed=false rule="exception 0 192.0.2.128/25" peer=192.0.2.200:1 method=GET path=/api`},
		{"report only", peerExtractor{}, []Option{WithReportOnly()}, nil, "198.51.100.1:1",
			`client=198.51.100.1 allowed=false report_only=true peer=`},
		{"shadow would refuse", peerExtractor{}, []Option{WithShadow(NewHolder(resolveList(t, "198.51.100.0/24")))}, nil, "192.0.2.1:1",
			`level=WARN msg="allowlist: allowed" client=192.0.2.1 allowed=true rule="entry 0 192.0.2.0/24" shadow="would refuse" peer=192.0.2.1:1`},
		{"shadow would allow", peerExtractor{}, []Option{WithShadow(NewHolder(resolveList(t, "198.51.100.0/24")))}, nil, "198.51.100.1:1",
			`level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false shadow="would allow" shadow_rule="entry 0 198.51.100.0/24" peer=198.51.100.1:1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := textLogger()
			h := Middleware(NewHolder(exceptSet), tt.src, append(tt.opts, WithDecisionHook(LogDecisions(l)))...)(okHandler)
			r := httptest.NewRequest("GET", "/api?token=secret", nil)
			r.RemoteAddr = tt.remote
			r.Header = tt.header
			if r.Header == nil {
				r.Header = http.Header{}
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			got := lines(buf)
			if len(got) != 1 || !strings.Contains(got[0], tt.want) {
				t.Errorf("records %q, want one holding\n%s", got, tt.want)
			}
			if strings.Contains(buf.String(), "s3cret") || strings.Contains(strings.Join(got, ""), "s3cret") || strings.Contains(strings.Join(got, ""), "token") {
				t.Errorf("records %q reveal a secret", got)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		vs   []string
		max  int
		want string
	}{
		{[]string{"abc"}, 3, "abc"},
		{[]string{"abcd"}, 3, "abc..."},
		{[]string{"ab", "cd"}, 6, "ab, cd"},
		{[]string{"ab", "cd"}, 5, "ab, c..."},
		{[]string{"ab", "cd"}, 3, "ab,..."},
		{[]string{"abc", "d"}, 3, "abc..."},
		{[]string{strings.Repeat("x", 1<<20), "y"}, 4, "xxxx..."},
	}
	for _, tt := range tests {
		if got := joinClip(tt.vs, tt.max); got != tt.want {
			t.Errorf("joinClip(%.10q, %d) = %q, want %q", tt.vs, tt.max, got, tt.want)
		}
	}
}
