package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hangTimeout bounds waits that only a hang would exceed; it is not a
// timing check.
const hangTimeout = 30 * time.Second

// running is the program started by startRun.
type running struct {
	addrs   []string
	g       *server
	checked time.Time // the watcher's LastChecked when run got ready, before its Run started
	logs    *syncWriter
	signals chan os.Signal
	done    chan error // run's result
	cancel  context.CancelFunc
}

// startRun runs the program with args until the test ends, and returns
// once it listens.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{logs: new(syncWriter), signals: make(chan os.Signal, 1), done: make(chan error, 1), cancel: cancel}
	ready := make(chan struct{})
	go func() {
		r.done <- run(ctx, args, r.logs, r.signals, hooks{ready: func(addrs []string, g *server) {
			r.addrs, r.g = addrs, g
			if g.watcher != nil {
				r.checked = g.watcher.Status().LastChecked
			}
			close(ready)
		}})
	}()
	select {
	case <-ready:
	case err := <-r.done:
		cancel()
		t.Fatalf("run: %v\n%s", err, r.logs)
	case <-time.After(hangTimeout):
		t.Fatal("run did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(hangTimeout):
			t.Error("run did not stop")
		}
	})
	return r
}

// wait returns run's result.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(hangTimeout):
		t.Fatal("run did not return")
	}
	return nil
}

// waitLog waits until the log holds s.
func (r *running) waitLog(t *testing.T, s string) { t.Helper(); r.waitLogN(t, s, 1) }

// waitLogN waits until the log holds s n times.
func (r *running) waitLogN(t *testing.T, s string, n int) {
	t.Helper()
	for deadline := time.Now().Add(hangTimeout); strings.Count(r.logs.String(), s) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never had %q:\n%s", s, r.logs)
		}
	}
}

// clientFrom returns an HTTP client whose connections come from the
// loopback source address src. It skips the test where the system cannot
// bind src (Linux routes all of 127.0.0.0/8 on lo; others may not).
func clientFrom(t testing.TB, src string) *http.Client {
	t.Helper()
	local := net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(src), 0))
	if ln, err := net.ListenTCP("tcp", local); err != nil {
		t.Skipf("cannot use %s as a source address here: %v", src, err)
	} else {
		ln.Close()
	}
	d := &net.Dialer{LocalAddr: local, Timeout: hangTimeout}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hangTimeout}
}

// get sends GET / to addr with c and returns the status, or 0 and the
// error.
func get(c *http.Client, addr string) (int, string, error) {
	res, err := c.Get("http://" + addr + "/")
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
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
	r := startRun(t, "-listen", listen)
	if !strings.Contains(r.logs.String(), "guard is serving") {
		t.Errorf("ready before the serving line:\n%s", r.logs)
	}
	c := &http.Client{Transport: &http.Transport{}, Timeout: hangTimeout}
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	for _, a := range r.addrs {
		code, body, err := get(c, a)
		if err != nil {
			t.Fatal(err)
		}
		want := http.StatusOK
		if strings.HasPrefix(a, "[::1]") {
			want = http.StatusForbidden
		}
		if code != want {
			t.Errorf("%s: %d %q, want %d", a, code, body, want)
		}
	}
	r.signals <- os.Interrupt
	if err := r.wait(t); err != nil {
		t.Fatalf("run after SIGINT: %v", err)
	}
	if !strings.Contains(r.logs.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", r.logs)
	}
}

// TestRunListenError checks that an explicit -listen address that cannot be
// bound is a run-time error (exit status 1) that names the flag.
func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(context.Background(), []string{"-listen", "127.0.0.1:0," + ln.Addr().String()}, io.Discard, nil, hooks{})
	if err == nil || !strings.HasPrefix(err.Error(), "-listen "+ln.Addr().String()+": ") {
		t.Fatalf("run = %v, want an error naming -listen %s", err, ln.Addr())
	}
	if code := exitCode(err, io.Discard); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
}

// TestIdleTimeout checks that a keep-alive connection that sends no second
// request is closed after -idle-timeout.
func TestIdleTimeout(t *testing.T) {
	r := startRun(t, "-listen", "127.0.0.1:0", "-idle-timeout", "50ms")
	c, err := net.Dial("tcp", r.addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: guard\r\n\r\n")
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Close {
		t.Fatalf("status %d, close %v; want 200 on a kept-alive connection", res.StatusCode, res.Close)
	}
	c.SetReadDeadline(time.Now().Add(hangTimeout))
	n, err := br.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the idle connection was not closed")
	}
	if n != 0 || err == nil {
		t.Fatalf("read %d bytes, %v; want the connection closed", n, err)
	}
}

// TestSIGHUP changes the ranges file while polling is too slow to notice,
// and sends SIGHUP: the new list is in force.
func TestSIGHUP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	replaceFile(t, path, "192.0.2.0/24\n")
	r := startRun(t, "-listen", "127.0.0.1:0", "-ranges-file", path, "-interval", "1h")
	// Let Run's first look at the file pass, so that only SIGHUP can see
	// the change.
	for deadline := time.Now().Add(hangTimeout); !r.g.watcher.Status().LastChecked.After(r.checked); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never looked at the file")
		}
	}
	c := &http.Client{Transport: &http.Transport{}, Timeout: hangTimeout}
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	if code, _, err := get(c, r.addrs[0]); err != nil || code != http.StatusForbidden {
		t.Fatalf("before: %d, %v; want 403", code, err)
	}
	replaceFile(t, path, "127.0.0.1\n")
	r.signals <- syscall.SIGHUP
	r.waitLogN(t, "range list applied", 2) // the first is the start-up load
	if code, _, err := get(c, r.addrs[0]); err != nil || code != http.StatusOK {
		t.Fatalf("after SIGHUP: %d, %v; want 200", code, err)
	}
	if !strings.Contains(r.logs.String(), "SIGHUP") {
		t.Errorf("the log does not mention SIGHUP:\n%s", r.logs)
	}
}

// TestGracefulShutdown sends SIGTERM while a slow request is in flight: the
// request completes, and run returns nil.
func TestGracefulShutdown(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		fmt.Fprint(w, "slow answer")
	}))
	defer up.Close()
	r := startRun(t, "-listen", "127.0.0.1:0", "-upstream", up.URL, "-shutdown-timeout", "1h")
	type result struct {
		code int
		body string
		err  error
	}
	res := make(chan result, 1)
	c := &http.Client{Transport: &http.Transport{}, Timeout: hangTimeout}
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	go func() {
		code, body, err := get(c, r.addrs[0])
		res <- result{code, body, err}
	}()
	select {
	case <-entered:
	case <-time.After(hangTimeout):
		t.Fatal("the request never reached the upstream")
	}
	r.signals <- syscall.SIGTERM
	r.waitLog(t, "shutting down")
	// New connections are no longer accepted.
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(time.Millisecond) {
		c, err := net.Dial("tcp", r.addrs[0])
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the guard still accepts after SIGTERM")
		}
	}
	select {
	case err := <-r.done:
		t.Fatalf("run returned %v with a request in flight", err)
	default:
	}
	close(release)
	got := <-res
	if got.err != nil || got.code != http.StatusOK || got.body != "slow answer" {
		t.Fatalf("the request in flight got %d %q, %v; want 200 slow answer", got.code, got.body, got.err)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("run after SIGTERM: %v", err)
	}
}

// TestAcceptCheck runs with -accept-check: an unlisted peer's connection is
// closed without an answer, a listed one is served.
func TestAcceptCheck(t *testing.T) {
	listed, unlisted := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3")
	r := startRun(t, "-listen", "127.0.0.1:0", "-ranges", "127.0.0.2/32", "-accept-check")
	if code, _, err := get(listed, r.addrs[0]); err != nil || code != http.StatusOK {
		t.Errorf("listed peer: %d, %v; want 200", code, err)
	}
	if code, body, err := get(unlisted, r.addrs[0]); err == nil {
		t.Errorf("unlisted peer: %d %q; want the connection closed", code, body)
	}
	r.waitLog(t, `msg="allowlist: connection refused" peer=127.0.0.3:`)
}
