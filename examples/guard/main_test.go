package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
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
	for _, tt := range []struct {
		args []string
		want string // in the message
	}{
		{[]string{"-ranges", "10.0.0.1/8"}, "-ranges: "},
		{[]string{"-policy", "aks"}, "-ranges: "}, // 127.0.0.1 is not global
		{[]string{"-policy", "azure"}, "-policy"},
		{[]string{"-source", "xff"}, "-source xff: "}, // no trusted proxies
		{[]string{"-source", "xff:1"}, "-source"},
		{[]string{"-source", "xff-hops:x"}, "-source xff-hops:x"},
		{[]string{"-source", "remoteaddr", "-trusted", "10.0.0.0/8"}, "-trusted"},
		{[]string{"-source", "carrier-pigeon"}, "-source"},
		{[]string{"-require-header", "a=b"}, "-require-header"},
		{[]string{"-trusted", "10.0.0.1/8"}, "-trusted"},
		{[]string{"-ranges", "1.2.3.4", "-ranges-file", "x"}, "-ranges and -ranges-file"},
		{[]string{"-listen", ""}, "-listen"},
		{[]string{"-log-level", "loud"}, "-log-level"},
		{[]string{"-interval", "0s"}, "-interval"},
		{[]string{"-idle-timeout", "0s"}, "-idle-timeout"},
		{[]string{"-read-header-timeout", "-1s"}, "-read-header-timeout"},
		{[]string{"-shutdown-timeout", "0s"}, "-shutdown-timeout"},
		{[]string{"-accept-check", "-source", "xff", "-trusted", "127.0.0.1"}, "-accept-check"},
		{[]string{"-idle-timeout", "soon"}, "-idle-timeout"},
		{[]string{"-upstream", "ftp://x"}, "-upstream"},
		{[]string{"stray"}, "stray"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out, nil, hooks{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s", err, tt.want)
			}
			var stderr bytes.Buffer
			if code := exitCode(err, &stderr); code != 2 {
				t.Errorf("exit status %d, want 2 for a usage error", code)
			}
			if printed := out.String() + stderr.String(); !strings.Contains(printed, tt.want) {
				t.Errorf("the error is not printed: %q", printed)
			}
		})
	}
}

// TestHelp checks that -h prints the flags and exits 0.
func TestHelp(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, nil, hooks{})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v, want flag.ErrHelp", err)
	}
	if code := exitCode(err, io.Discard); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	for _, f := range []string{"-idle-timeout", "-accept-check", "-pass-rule", "-shutdown-timeout", "-ranges-file"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("the usage lacks %s:\n%s", f, &out)
		}
	}
}

// TestStartupBrokenRangesFile starts with a ranges file that cannot be
// used: the guard says that no list is in force, refuses everyone, and
// applies the file once it is fixed.
func TestStartupBrokenRangesFile(t *testing.T) {
	for name, content := range map[string]string{"invalid": "127.0.0.1/8\n", "missing": ""} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ranges")
			if content != "" {
				replaceFile(t, path, content)
			}
			g, logs := newTestGuard(t, []string{"-ranges-file", path}, nil)
			if want := "no list is in force: every request is refused until the file is fixed"; !strings.Contains(logs.String(), want) {
				t.Errorf("the log lacks %q:\n%s", want, logs)
			}
			if strings.Contains(logs.String(), "last good") {
				t.Errorf("the log claims a last good list:\n%s", logs)
			}
			check(t, g.handler, []request{{"127.0.0.1:1", nil, 403}})
			replaceFile(t, path, "127.0.0.1\n")
			if err := g.watcher.Reload(); err != nil {
				t.Fatal(err)
			}
			check(t, g.handler, []request{{"127.0.0.1:1", nil, 200}})
			replaceFile(t, path, "nonsense\n")
			g.watcher.Reload()
			if want := "the last good list stays in force"; !strings.Contains(logs.String(), want) {
				t.Errorf("the log lacks %q:\n%s", want, logs)
			}
			check(t, g.handler, []request{{"127.0.0.1:1", nil, 200}})
		})
	}
}

// TestUpstreamSeesDecidedClient checks what the upstream is told: the
// decided client in X-Forwarded-For (behind a trusted proxy, the client,
// not the proxy), X-Forwarded-Host and -Proto, and with -pass-rule the
// rule; never a rule header that the client sent.
func TestUpstreamSeesDecidedClient(t *testing.T) {
	seen := make(chan http.Header, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	for _, tt := range []struct {
		args   []string
		remote string
		header map[string]string
		want   map[string]string // "" for absent
	}{
		{[]string{"-source", "xff", "-trusted", "127.0.0.1", "-ranges", "198.51.100.0/24"},
			"127.0.0.1:1", map[string]string{"X-Forwarded-For": "198.51.100.7", ruleHeader: "forged"},
			map[string]string{"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Host": "guard.example", "X-Forwarded-Proto": "http", ruleHeader: ""}},
		{[]string{"-source", "xff", "-trusted", "127.0.0.1", "-ranges", "192.0.2.0/24,198.51.100.0/24", "-pass-rule"},
			"127.0.0.1:1", map[string]string{"X-Forwarded-For": "203.0.113.1, 198.51.100.7", ruleHeader: "forged"},
			map[string]string{"X-Forwarded-For": "198.51.100.7", ruleHeader: "entry 1 198.51.100.0/24"}},
		{[]string{"-ranges", "127.0.0.0/8", "-pass-rule"},
			"[::ffff:127.0.0.9]:1", map[string]string{"X-Forwarded-For": "10.0.0.1"},
			map[string]string{"X-Forwarded-For": "127.0.0.9", ruleHeader: "entry 0 127.0.0.0/8"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			g, err := newGuard(c, u, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer g.transport.CloseIdleConnections()
			r := httptest.NewRequest("GET", "http://guard.example/x", nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			g.handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d %q", w.Code, w.Body)
			}
			h := <-seen
			for k, v := range tt.want {
				if got := strings.Join(h.Values(k), "|"); got != v {
					t.Errorf("the upstream saw %s %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestGuardRangesFile changes the range file and waits for the reload
// events: a valid change is applied, an invalid one keeps the last good list.
func TestGuardRangesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	write := func(s string) { replaceFile(t, path, s) }
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

// replaceFile replaces path with content atomically, as -ranges-file asks.
func replaceFile(t testing.TB, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
