package main

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipallow/ipallow/allowlist"
)

// soakRequests is the number of requests of the short form of TestSoak,
// which runs by default; SOAK_REQUESTS sets another.
const soakRequests = 2000

// openFDs counts the open file descriptors of the process, or returns -1
// where /proc/self/fd does not exist.
func openFDs() int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(es)
}

// TestSoak sends requests from 8 clients, four from 127.0.0.2 and four from
// 127.0.0.3, while the ranges file is replaced every 50 ms between list A
// (127.0.0.2 only) and list B (127.0.0.3 only). Each request must be
// decided as the list in force at its start or at its end says (either
// outcome is right when more than one swap happened during it), every
// response must be a decision (200 or 403), and after the guard stops no
// goroutine or file descriptor may be left over.
//
// It sends 2,000 requests; SOAK_REQUESTS=20000 runs the long form.
func TestSoak(t *testing.T) {
	n := soakRequests
	if s := os.Getenv("SOAK_REQUESTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			t.Fatalf("SOAK_REQUESTS=%q: want a positive number", s)
		}
		n = v
	}
	const clients = 8
	srcA, srcB := netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")
	cs := make([]*http.Client, clients)
	srcs := make([]netip.Addr, clients)
	for i := range cs {
		srcs[i] = srcA
		if i%2 == 1 {
			srcs[i] = srcB
		}
		cs[i] = clientFrom(t, srcs[i].String())
	}
	lists := map[bool]string{true: "127.0.0.2/32\n", false: "127.0.0.3/32\n"} // true: list A

	path := filepath.Join(t.TempDir(), "ranges")
	replaceFile(t, path, lists[true])

	runtime.GC()
	fdsBefore, goBefore := openFDs(), runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		g     *server
		addr  string
		ready = make(chan struct{})
		done  = make(chan error, 1)
		logs  = new(syncWriter)
	)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-ranges-file", path, "-interval", "5ms", "-source", "remoteaddr", "-log-level", "warn"},
			logs, nil, hooks{ready: func(addrs []string, s *server) { g, addr = s, addrs[0]; close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, logs)
	}

	// The writer swaps the lists until the clients are done.
	stop := make(chan struct{})
	var writes int
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		a := true
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			a = !a
			if err := os.WriteFile(path+".tmp", []byte(lists[a]), 0o644); err != nil {
				t.Error(err)
				return
			}
			if err := os.Rename(path+".tmp", path); err != nil {
				t.Error(err)
				return
			}
			writes++
		}
	}()

	// inForce says whether s is list A. Both lists are non-empty, and the
	// watcher never stores nil once a list was applied.
	isA := func(s *allowlist.Set) bool { return s.Contains(srcA) }
	var (
		next, allowed, refused, spanning, wrong, other atomic.Int64
		mu                                             sync.Mutex
		samples                                        []string // the first few failures
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(samples) < 5 {
			samples = append(samples, strings.TrimSpace(fmt.Sprintf(format, args...)))
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				s0 := g.holder.Load()
				code, body, err := get(cs[i], addr)
				s1 := g.holder.Load()
				switch {
				case err != nil:
					other.Add(1)
					fail("from %s: %v", srcs[i], err)
					continue
				case code == http.StatusOK && strings.HasPrefix(body, "hello from the demo upstream"):
					allowed.Add(1)
				case code == http.StatusForbidden && body == "forbidden\n":
					refused.Add(1)
				default:
					other.Add(1)
					fail("from %s: %d %q", srcs[i], code, body)
					continue
				}
				want0 := isA(s0) == (srcs[i] == srcA) // allowed under the list at the start
				want1 := isA(s1) == (srcs[i] == srcA)
				got := code == http.StatusOK
				switch {
				case s0 != s1 && isA(s0) == isA(s1):
					spanning.Add(1) // two swaps or more in flight: both lists were in force
				case got != want0 && got != want1:
					wrong.Add(1)
					fail("from %s: %d under lists A=%v then A=%v", srcs[i], code, isA(s0), isA(s1))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	writer.Wait()
	swaps := g.watcher.Status().Applied - 1 // the first applied the start-up list
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	for _, c := range cs {
		c.Transport.(*http.Transport).CloseIdleConnections()
	}

	// Wait for the goroutines and descriptors of the connections to go.
	var fdsAfter, goAfter int
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		runtime.GC()
		fdsAfter, goAfter = openFDs(), runtime.NumGoroutine()
		if (fdsAfter <= fdsBefore && goAfter <= goBefore) || time.Now().After(deadline) {
			break
		}
	}

	t.Logf("%d requests in %v from %d clients: %d allowed, %d refused, %d across two swaps or more; "+
		"%d list writes, %d swaps applied; fds %d -> %d, goroutines %d -> %d",
		n, elapsed.Round(time.Millisecond), clients, allowed.Load(), refused.Load(), spanning.Load(),
		writes, swaps, fdsBefore, fdsAfter, goBefore, goAfter)
	if got := allowed.Load() + refused.Load() + other.Load(); got != int64(n) {
		t.Errorf("%d requests counted, want %d", got, n)
	}
	if w, o := wrong.Load(), other.Load(); w != 0 || o != 0 {
		t.Errorf("%d requests decided against the list in force, %d not decided; first: %q", w, o, samples)
	}
	if allowed.Load() == 0 || refused.Load() == 0 {
		t.Errorf("%d allowed, %d refused: the soak tests nothing", allowed.Load(), refused.Load())
	}
	if fdsAfter > fdsBefore {
		t.Errorf("%d file descriptors open after the soak, %d before", fdsAfter, fdsBefore)
	}
	if goAfter > goBefore {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the soak, %d before:\n%s", goAfter, goBefore, buf[:runtime.Stack(buf, true)])
	}
	if strings.Contains(logs.String(), "not applied") {
		t.Errorf("a list write was not applied whole:\n%s", logs)
	}
}
