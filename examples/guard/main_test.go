package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
)

// newTestGuard builds the guard for args in front of an httptest upstream.
func newTestGuard(t *testing.T, args []string, onReload func(guard.ReloadEvent)) (*server, *syncWriter) {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(demoUpstream))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	c, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := new(syncWriter)
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: c.logLevel}))
	g, err := newGuard(c, u, logger, onReload)
	if err != nil {
		t.Fatal(err)
	}
	return g, logs
}

// syncWriter is a log buffer that the handler and the test can share.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

type request struct {
	remote string
	header map[string]string
	want   int
}

func check(t *testing.T, h http.Handler, reqs []request) {
	t.Helper()
	for _, rq := range reqs {
		r := httptest.NewRequest("GET", "/hello", nil)
		r.RemoteAddr = rq.remote
		for k, v := range rq.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != rq.want {
			t.Errorf("%s %v: got %d %q, want %d", rq.remote, rq.header, w.Code, w.Body, rq.want)
		}
		if w.Code == http.StatusOK && !strings.HasPrefix(w.Body.String(), "hello from the demo upstream: GET /hello") {
			t.Errorf("%s: body %q does not come from the upstream", rq.remote, w.Body)
		}
		if w.Code == http.StatusForbidden && w.Body.String() != "forbidden\n" {
			t.Errorf("%s: refusal body %q", rq.remote, w.Body)
		}
	}
}

func TestGuardDefaults(t *testing.T) {
	g, logs := newTestGuard(t, nil, nil)
	check(t, g.handler, []request{
		{"127.0.0.1:50000", nil, 200},
		{"[::1]:50000", nil, 403},
		{"127.0.0.2:50000", nil, 403},
		{"127.0.0.2:50000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, 403},
	})
	for _, want := range []string{
		`level=DEBUG msg="allowlist: allowed" client=127.0.0.1`,
		`level=INFO msg="allowlist: refused" client=::1`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
}

func TestGuardSources(t *testing.T) {
	tests := []struct {
		args []string
		reqs []request
	}{
		{[]string{"-source", "xff", "-trusted", "127.0.0.1", "-ranges", "198.51.100.0/24"}, []request{
			{"127.0.0.1:1", map[string]string{"X-Forwarded-For": "198.51.100.7"}, 200},
			{"127.0.0.1:1", map[string]string{"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}, 403},
			{"127.0.0.1:1", nil, 403},
			{"198.51.100.7:1", nil, 200}, // an untrusted peer is the client
			{"203.0.113.9:1", map[string]string{"X-Forwarded-For": "198.51.100.7"}, 403}, // and its header is not read
		}},
		{[]string{"-source", "forwarded", "-trusted", "127.0.0.0/8", "-ranges", "198.51.100.0/24,2001:db8::/32"}, []request{
			{"127.0.0.1:1", map[string]string{"Forwarded": `for="[2001:db8::1]:80"`}, 200},
			{"127.0.0.1:1", map[string]string{"Forwarded": "for=203.0.113.9"}, 403},
		}},
		{[]string{"-source", "header:X-Azure-SocketIP", "-trusted", "127.0.0.1/32", "-require-header", "X-Azure-FDID=abc", "-ranges", "198.51.100.0/24"}, []request{
			{"127.0.0.1:1", map[string]string{"X-Azure-SocketIP": "198.51.100.7", "X-Azure-FDID": "abc"}, 200},
			{"127.0.0.1:1", map[string]string{"X-Azure-SocketIP": "198.51.100.7", "X-Azure-FDID": "xyz"}, 403},
		}},
		{[]string{"-source", "xff-hops:1", "-ranges", "198.51.100.0/24"}, []request{
			{"127.0.0.1:1", map[string]string{"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}, 200},
		}},
		{[]string{"-source", "forwarded-hops:2", "-ranges", "198.51.100.0/24"}, []request{
			{"127.0.0.1:1", map[string]string{"Forwarded": "for=198.51.100.7, for=10.0.0.1"}, 200},
			{"127.0.0.1:1", map[string]string{"Forwarded": "for=10.0.0.1"}, 403},
		}},
		{[]string{"-policy", "aks", "-ranges", "20.0.0.0/8"}, []request{
			{"20.1.2.3:1", nil, 200},
			{"127.0.0.1:1", nil, 403},
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			g, _ := newTestGuard(t, tt.args, nil)
			check(t, g.handler, tt.reqs)
		})
	}
}

func TestGuardBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-ranges", "10.0.0.1/8"},
		{"-policy", "aks"}, // 127.0.0.1 is not global
		{"-policy", "azure"},
		{"-source", "xff"}, // no trusted proxies
		{"-source", "xff:1"},
		{"-source", "xff-hops:x"},
		{"-source", "remoteaddr", "-trusted", "10.0.0.0/8"},
		{"-source", "carrier-pigeon"},
		{"-require-header", "a=b"},
		{"-trusted", "10.0.0.1/8"},
		{"-ranges", "1.2.3.4", "-ranges-file", "x"},
		{"-ranges-file", "/nonexistent/ranges"},
		{"-listen", ""},
		{"-log-level", "loud"},
		{"-interval", "0s"},
		{"stray"},
	} {
		c, err := parseFlags(args, io.Discard)
		if err == nil {
			_, err = newGuard(c, &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, slog.New(slog.DiscardHandler), nil)
		}
		if err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestGuardRangesFile changes the range file and waits for the reload
// events: a valid change is applied, an invalid one keeps the last good list.
func TestGuardRangesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	write := func(s string) {
		if err := os.WriteFile(path+".tmp", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	write("127.0.0.1\n")
	events := make(chan guard.ReloadEvent, 8)
	g, logs := newTestGuard(t, []string{"-ranges-file", path, "-interval", "2ms"}, func(e guard.ReloadEvent) { events <- e })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.watcher.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wait := func() guard.ReloadEvent {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(30 * time.Second): // a hang, not a timing check
			t.Fatal("no reload event")
		}
		return guard.ReloadEvent{}
	}
	if e := wait(); !e.Applied { // the first load, in newGuard
		t.Fatalf("first load: %+v", e)
	}
	check(t, g.handler, []request{{"127.0.0.1:1", nil, 200}, {"127.0.0.2:1", nil, 403}})
	write("127.0.0.2\n")
	if e := wait(); !e.Applied {
		t.Fatalf("valid change: %+v", e)
	}
	check(t, g.handler, []request{{"127.0.0.1:1", nil, 403}, {"127.0.0.2:1", nil, 200}})
	write("127.0.0.3/8\n")
	if e := wait(); e.Applied || !errors.Is(e.Err, allowlist.ErrNonCanonical) {
		t.Fatalf("invalid change: %+v", e)
	}
	check(t, g.handler, []request{{"127.0.0.1:1", nil, 403}, {"127.0.0.2:1", nil, 200}})
	if !strings.Contains(logs.String(), "range list not applied") {
		t.Errorf("the failed reload was not logged:\n%s", logs)
	}
}

// TestRun starts the program on loopback port 0 with no other flag, sends
// a request through each listener to the demo upstream, and stops it as
// SIGINT would.
func TestRun(t *testing.T) {
	listen := "127.0.0.1:0"
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		ln.Close()
		listen += ",[::1]:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan []string, 1)
	done := make(chan error, 1)
	logs := new(syncWriter)
	go func() {
		done <- run(ctx, []string{"-listen", listen}, logs, func(a []string) { addrs <- a })
	}()
	var as []string
	select {
	case as = <-addrs:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	for _, a := range as {
		res, err := http.Get("http://" + a + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := http.StatusOK
		if strings.HasPrefix(a, "[::1]") {
			want = http.StatusForbidden
		}
		if res.StatusCode != want {
			t.Errorf("%s: %d %q, want %d", a, res.StatusCode, body, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", logs)
	}
}
