package guard

import (
	"context"
	"errors"
	"github.com/ipallow/ipallow/allowlist"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/servicetag"
	"go4.org/netipx"
)

// prefixBuilder is a BuildFunc that does not depend on Parse: the content is
// prefixes separated by commas, with an optional final newline.
func prefixBuilder(content []byte) (*allowlist.Set, error) {
	var b netipx.IPSetBuilder
	for _, f := range strings.Split(strings.TrimSuffix(string(content), "\n"), ",") {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		return nil, err
	}
	return allowlist.Compile(s), nil
}

// writeFile replaces path with content atomically, as FileWatcher asks.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// eventSummary is a ReloadEvent with its error reduced to what the tests
// check.
type eventSummary struct {
	Applied bool
	Change  allowlist.Change
	Err     error // compared with errors.Is
}

func summarize(e ReloadEvent) eventSummary {
	c := e.Change
	if len(c.Gained) == 0 {
		c.Gained = nil
	}
	if len(c.Lost) == 0 {
		c.Lost = nil
	}
	return eventSummary{Applied: e.Applied, Change: c, Err: e.Err}
}

// errAny matches any non-nil error in addrCmp's error comparer.
var errAny = errors.New("any error")

var eventCmp = cmp.Options{
	netipCmp,
	cmp.Comparer(func(a, b error) bool {
		switch {
		case a == nil || b == nil:
			return a == b
		case a == errAny || b == errAny:
			return true
		}
		return errors.Is(a, b) || errors.Is(b, a)
	}),
}

func TestFileWatcherReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges.txt")
	h := new(Holder)
	var events []ReloadEvent
	w := &FileWatcher{Path: path, Build: prefixBuilder, Holder: h, OnReload: func(e ReloadEvent) { events = append(events, e) }}
	gate := Middleware(h, peerExtractor{})(okHandler)

	// step applies one change to the file (nil: none), reloads twice and
	// checks the events of the first reload, that the second one reports
	// nothing, and which clients the middleware lets through.
	step := func(name string, change func(), want []eventSummary, allowed, refused []string) {
		t.Helper()
		if change != nil {
			change()
		}
		events = nil
		err1 := w.Reload()
		got := events
		err2 := w.Reload()
		if len(events) != len(got) {
			t.Errorf("%s: the second Reload reported again: %v", name, events[len(got):])
		}
		if (err1 == nil) != (err2 == nil) {
			t.Errorf("%s: Reload returned %v, then %v", name, err1, err2)
		}
		var sums []eventSummary
		for _, e := range got {
			if e.Path != path {
				t.Errorf("%s: event for %q, want %q", name, e.Path, path)
			}
			if e.Err != nil && !strings.Contains(e.Err.Error(), path) {
				t.Errorf("%s: error %q does not name the file", name, e.Err)
			}
			if e.Err != nil && !errors.Is(err1, e.Err) {
				t.Errorf("%s: Reload returned %v, reported %v", name, err1, e.Err)
			}
			sums = append(sums, summarize(e))
		}
		if diff := cmp.Diff(want, sums, eventCmp); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", name, diff)
		}
		for _, c := range allowed {
			if code := serve(gate, c+":1").Code; code != http.StatusOK {
				t.Errorf("%s: %s got %d, want 200", name, c, code)
			}
		}
		for _, c := range refused {
			if code := serve(gate, c+":1").Code; code != http.StatusForbidden {
				t.Errorf("%s: %s got %d, want 403", name, c, code)
			}
		}
	}

	step("missing at start", nil,
		[]eventSummary{{Err: fs.ErrNotExist}},
		nil, []string{"192.0.2.1", "198.51.100.1", "203.0.113.1"})
	step("created", func() { writeFile(t, path, "192.0.2.0/24\n") },
		[]eventSummary{{Applied: true, Change: allowlist.Change{Gained: pfx("192.0.2.0/24")}}},
		[]string{"192.0.2.1"}, []string{"198.51.100.1"})
	step("rewritten unchanged", func() { writeFile(t, path, "192.0.2.0/24\n") },
		nil,
		[]string{"192.0.2.1"}, []string{"198.51.100.1"})
	step("changed", func() { writeFile(t, path, "192.0.2.0/25,198.51.100.0/24\n") },
		[]eventSummary{{Applied: true, Change: allowlist.Change{Gained: pfx("198.51.100.0/24"), Lost: pfx("192.0.2.128/25")}}},
		[]string{"192.0.2.1", "198.51.100.1"}, []string{"192.0.2.200", "203.0.113.1"})
	step("invalid", func() { writeFile(t, path, "0.0.0.0/0,bogus\n") },
		[]eventSummary{{Err: errAny}},
		[]string{"192.0.2.1", "198.51.100.1"}, []string{"192.0.2.200", "203.0.113.1"})
	step("another invalid", func() { writeFile(t, path, "::/0,bogus2\n") },
		[]eventSummary{{Err: errAny}},
		[]string{"192.0.2.1", "198.51.100.1"}, []string{"192.0.2.200", "203.0.113.1", "2001:db8::1"})
	step("deleted", func() { os.Remove(path) },
		[]eventSummary{{Err: fs.ErrNotExist}},
		[]string{"192.0.2.1", "198.51.100.1"}, []string{"192.0.2.200", "203.0.113.1"})
	step("restored as last applied", func() { writeFile(t, path, "192.0.2.0/25,198.51.100.0/24\n") },
		[]eventSummary{{Applied: true, Change: allowlist.Change{}}},
		[]string{"192.0.2.1", "198.51.100.1"}, []string{"192.0.2.200", "203.0.113.1"})
	step("a directory", func() { os.Remove(path); os.Mkdir(path, 0o755) },
		[]eventSummary{{Err: errAny}},
		[]string{"192.0.2.1"}, []string{"203.0.113.1"})
	step("a file again", func() { os.Remove(path); writeFile(t, path, "203.0.113.0/24") },
		[]eventSummary{{Applied: true, Change: allowlist.Change{Gained: pfx("203.0.113.0/24"), Lost: pfx("192.0.2.0/25", "198.51.100.0/24")}}},
		[]string{"203.0.113.1"}, []string{"192.0.2.1", "198.51.100.1"})

	st := w.Status()
	if st.Applied != 4 || st.Failed != 5 || st.Err != nil || st.LastApplied.IsZero() || st.LastChecked.Before(st.LastApplied) {
		t.Errorf("Status = %+v, want 4 applied, 5 failed, no error", st)
	}
}

func TestFileWatcherBuildWithoutSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	writeFile(t, path, "x")
	h := NewHolder(mustSet(t, "192.0.2.0/24"))
	w := &FileWatcher{Path: path, Build: func([]byte) (*allowlist.Set, error) { return nil, nil }, Holder: h}
	if err := w.Reload(); err == nil {
		t.Fatal("Reload applied a nil Set")
	}
	if !h.Load().Contains(netip.MustParseAddr("192.0.2.1")) {
		t.Fatal("the Holder lost its Set")
	}
}

func TestFileWatcherMaxBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	writeFile(t, path, "192.0.2.0/24")
	w := &FileWatcher{Path: path, Build: prefixBuilder, Holder: new(Holder), MaxBytes: 5}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "larger than 5 bytes") {
		t.Fatalf("Reload = %v, want a size error", err)
	}
	if w.Holder.Load() != nil {
		t.Fatal("a too large file was applied")
	}
}

// closeRacyWindow makes a FileWatcher trust size and times at once after a
// change, for the length of the test, so that a skipped read shows.
func closeRacyWindow(t *testing.T) {
	old := racyWindow
	racyWindow = 0
	t.Cleanup(func() { racyWindow = old })
}

// TestFileWatcherStatShortcut checks that a file whose size and times did
// not change is not read again, and that a write in place that keeps size
// and modification time is still seen, by its change time, where the
// system has one.
func TestFileWatcherStatShortcut(t *testing.T) {
	closeRacyWindow(t)
	path := filepath.Join(t.TempDir(), "f")
	old := time.Now().Add(-time.Hour)
	writeFile(t, path, "192.0.2.0/24")
	os.Chtimes(path, old, old)
	w := &FileWatcher{Path: path, Holder: new(Holder), Build: prefixBuilder}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil || w.reads != 1 {
		t.Fatalf("Reload = %v after %d reads, want nil after 1", err, w.reads)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	before := identityOf(fi)
	if before == (fileIdentity{}) {
		t.Skip("no file identity on this system: only size and modification time are compared")
	}
	// Write in place, keeping size and modification time, as cp -p onto
	// the file does; repeat the Chtimes until the change time moved on
	// (it has the granularity of the kernel's clock tick).
	if err := os.WriteFile(path, []byte("192.0.3.0/24"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		os.Chtimes(path, old, old)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if identityOf(fi).ctime != before.ctime {
			break
		}
		if i == 10000 {
			t.Fatal("the change time never moved")
		}
		time.Sleep(time.Millisecond)
	}
	if err := w.Reload(); err != nil || w.reads != 2 {
		t.Fatalf("Reload = %v after %d reads, want nil after 2", err, w.reads)
	}
	if !w.Holder.Load().Contains(netip.MustParseAddr("192.0.3.1")) {
		t.Fatal("the change written in place was not applied")
	}
}

// TestFileWatcherReplacedKeepingTimes replaces the file by a rename with one
// of the same size whose modification time was set back to the old one's,
// as cp -p, rsync -t and tar x leave it: the replacement is applied (a lost
// revocation would keep a removed range allowed).
func TestFileWatcherReplacedKeepingTimes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	old := time.Now().Add(-time.Hour)
	writeFile(t, path, "192.0.2.0/24,198.51.100.0/24")
	os.Chtimes(path, old, old)
	h := new(Holder)
	w := &FileWatcher{Path: path, Build: prefixBuilder, Holder: h}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if identityOf(fi) == (fileIdentity{}) {
		t.Skip("no file identity on this system: only size and modification time are compared")
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte("192.0.2.0/24,198.51.101.0/24"), 0o644); err != nil { // same size
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if s := h.Load(); s.Contains(netip.MustParseAddr("198.51.100.1")) || !s.Contains(netip.MustParseAddr("198.51.101.1")) {
		t.Fatal("the replacement with the old size and modification time was not applied")
	}
	// The same, with the racy window closed: the identity alone tells.
	closeRacyWindow(t)
	if err := os.WriteFile(tmp, []byte("192.0.2.0/24,198.51.100.0/24"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(tmp, old, old)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if !h.Load().Contains(netip.MustParseAddr("198.51.100.1")) {
		t.Fatal("with the racy window closed, the replacement was not applied")
	}
}

// TestFileWatcherBoundedError builds a file with many bad entries: the error
// returned, reported and kept is at most 4 KiB long and still matches the
// build error's sentinel.
func TestFileWatcherBoundedError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	bad := strings.Repeat("10.0.0.1/8,", 5000) + "10.0.0.0/8\n" // 5000 entries with host bits set
	writeFile(t, path, bad)
	var reported error
	w := &FileWatcher{Path: path, Build: RangeFileBuilder(allowlist.Policy{}, allowlist.Resolver{}), Holder: new(Holder),
		OnReload: func(e ReloadEvent) { reported = e.Err }}
	err := w.Reload()
	for name, err := range map[string]error{"returned": err, "reported": reported, "kept": w.Status().Err} {
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if n := len(err.Error()); n > maxErrorLen {
			t.Errorf("%s: the message is %d bytes long, want at most %d", name, n, maxErrorLen)
		}
		if !errors.Is(err, allowlist.ErrNonCanonical) {
			t.Errorf("%s: %v does not match allowlist.ErrNonCanonical", name, err)
		}
		if errors.Is(err, allowlist.ErrMalformed) {
			t.Errorf("%s: matches allowlist.ErrMalformed, which the file does not break", name)
		}
		if !strings.HasPrefix(err.Error(), "guard: "+path+" was not applied") {
			t.Errorf("%s: the message does not start by naming the file: %.100q", name, err)
		}
	}
	var be *boundedError
	if !errors.As(err, &be) || len(be.leaves) != 1 {
		t.Errorf("the cut error keeps %v, want the one sentinel", be)
	}
	// A short error is kept whole, with everything errors.As can find in it.
	writeFile(t, path, "10.0.0.1/8\n")
	err = w.Reload()
	var le *allowlist.ListError
	if !errors.As(err, &le) {
		t.Errorf("a short error lost its *allowlist.ListError: %v", err)
	}
}

// TestFileWatcherErrorSaysWhatIsInForce checks that a failure before any
// Set was applied does not claim a last good set.
func TestFileWatcherErrorSaysWhatIsInForce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	writeFile(t, path, "bogus")
	w := &FileWatcher{Path: path, Build: prefixBuilder, Holder: new(Holder)}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "no set is in force, so every request is refused until the file is fixed") {
		t.Errorf("first load: %v", err)
	}
	writeFile(t, path, "192.0.2.0/24")
	w.Reload()
	writeFile(t, path, "bogus!")
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "the last good set stays in force") {
		t.Errorf("after a good load: %v", err)
	}
	os.Remove(path)
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "the last good set stays in force") {
		t.Errorf("deleted after a good load: %v", err)
	}
}

// TestFileWatcherRun drives the polling loop and waits on its events.
func TestFileWatcherRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges.txt")
	writeFile(t, path, "192.0.2.0/24")
	h := new(Holder)
	events := make(chan ReloadEvent, 16)
	w := &FileWatcher{Path: path, Build: prefixBuilder, Holder: h, Interval: 2 * time.Millisecond,
		OnReload: func(e ReloadEvent) { events <- e }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	}()

	next := func(what string) ReloadEvent {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(30 * time.Second): // a hang, not a timing check
			t.Fatalf("no event after %s", what)
		}
		panic("unreachable")
	}
	expect := func(what string, want eventSummary) {
		t.Helper()
		if diff := cmp.Diff(want, summarize(next(what)), eventCmp); diff != "" {
			t.Fatalf("after %s (-want +got):\n%s", what, diff)
		}
	}
	expect("start", eventSummary{Applied: true, Change: allowlist.Change{Gained: pfx("192.0.2.0/24")}})
	writeFile(t, path, "198.51.100.0/24")
	expect("a change", eventSummary{Applied: true, Change: allowlist.Change{Gained: pfx("198.51.100.0/24"), Lost: pfx("192.0.2.0/24")}})
	writeFile(t, path, "nonsense")
	expect("an invalid change", eventSummary{Err: errAny})
	os.Remove(path)
	expect("deletion", eventSummary{Err: fs.ErrNotExist})
	if !h.Load().Contains(netip.MustParseAddr("198.51.100.1")) || h.Load().Contains(netip.MustParseAddr("192.0.2.1")) {
		t.Fatal("the Holder does not hold the last good set")
	}
	writeFile(t, path, "203.0.113.0/24")
	expect("recreation", eventSummary{Applied: true, Change: allowlist.Change{Gained: pfx("203.0.113.0/24"), Lost: pfx("198.51.100.0/24")}})
	select {
	case e := <-events:
		t.Fatalf("unexpected event %+v", e)
	default:
	}
}

func TestRangeFileBuilder(t *testing.T) {
	egress := allowlist.Resolver{Egress: allowlist.Egress{OutboundIPs: []netip.Addr{netip.MustParseAddr("20.1.2.3")}}}
	general := allowlist.Policy{}
	tests := []struct {
		name    string
		content string
		p       allowlist.Policy
		r       allowlist.Resolver
		wantErr error // errAny for any error
		allowed []string
		refused []string
	}{
		{"one line", "192.0.2.0/24", general, allowlist.Resolver{}, nil, []string{"192.0.2.1"}, []string{"192.0.3.1"}},
		{"final newline", "192.0.2.0/24,2001:db8::/32\n", general, allowlist.Resolver{}, nil, []string{"192.0.2.1", "2001:db8::1"}, []string{"192.0.3.1"}},
		{"final CRLF", "192.0.2.0/24\r\n", general, allowlist.Resolver{}, nil, []string{"192.0.2.1"}, nil},
		{"spaces around entries", " 192.0.2.0/24 ,\t198.51.100.7\n", general, allowlist.Resolver{}, nil, []string{"192.0.2.1", "198.51.100.7"}, []string{"198.51.100.8"}},
		{"AKS global", "20.0.0.0/8\n", allowlist.AKS, allowlist.Resolver{}, nil, []string{"20.9.9.9"}, []string{"10.0.0.1"}},
		{"AKS with egress", "20.0.0.0/8\n", allowlist.AKS, egress, nil, []string{"20.1.2.3"}, []string{"21.0.0.1"}},
		{"egress only", "0.0.0.0/32\n", allowlist.AKS, egress, nil, []string{"20.1.2.3"}, []string{"20.1.2.4"}},
		{"egress only, none known", "0.0.0.0/32\n", allowlist.AKS, allowlist.Resolver{}, nil, nil, []string{"20.1.2.3", "0.0.0.0"}},
		{"empty", "", general, allowlist.Resolver{}, errAny, nil, nil},
		{"blank line", "\n", general, allowlist.Resolver{}, errAny, nil, nil},
		{"spaces", " \t \n", general, allowlist.Resolver{}, errAny, nil, nil},
		{"two newlines", "192.0.2.0/24\n\n", general, allowlist.Resolver{}, nil, []string{"192.0.2.1"}, []string{"192.0.3.1"}},
		{"one entry per line", "192.0.2.0/24\n198.51.100.0/24\n", general, allowlist.Resolver{}, nil, []string{"192.0.2.1", "198.51.100.1"}, []string{"192.0.3.1"}},
		{"comments, BOM, CRLF", "\ufeff# office\r\n192.0.2.0/24 # HQ\r\n\r\n198.51.100.0/24, 203.0.113.0/24\r\n", general, allowlist.Resolver{}, nil, []string{"192.0.2.1", "198.51.100.1", "203.0.113.1"}, []string{"192.0.3.1"}},
		{"only comments", "# nothing yet\n\n", general, allowlist.Resolver{}, allowlist.ErrNoEntries, nil, nil},
		{"AKS limit over the whole file", strings.Repeat("20.0.0.0/24\n", 201), allowlist.AKS, allowlist.Resolver{}, allowlist.ErrTooMany, nil, nil},
		{"broken line", "192.0.2.0/24\n198.51.100.300/24\n", general, allowlist.Resolver{}, allowlist.ErrMalformed, nil, nil},
		{"AKS non-global", "10.0.0.1\n", allowlist.AKS, allowlist.Resolver{}, allowlist.ErrNotGlobal, nil, nil},
		{"non-canonical", "192.0.2.7/24\n", general, allowlist.Resolver{}, allowlist.ErrNonCanonical, nil, nil},
		{"tag without source", "AzureCloud\n", allowlist.AKS, allowlist.Resolver{}, allowlist.ErrNoTagSource, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := RangeFileBuilder(tt.p, tt.r)([]byte(tt.content))
			if tt.wantErr != nil {
				if err == nil || (tt.wantErr != errAny && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				if s != nil {
					t.Fatalf("a Set beside the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tt.allowed {
				if !s.Contains(netip.MustParseAddr(a)) {
					t.Errorf("%s refused", a)
				}
			}
			for _, a := range tt.refused {
				if s.Contains(netip.MustParseAddr(a)) {
					t.Errorf("%s allowed", a)
				}
			}
		})
	}
}

// TestFileWatcherRangeFile runs a FileWatcher with RangeFileBuilder under
// the allowlist.AKS policy: a valid change is applied, an invalid one is reported and
// keeps the last good set.
func TestFileWatcherRangeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "authorized-ip-ranges")
	h := new(Holder)
	var last ReloadEvent
	w := &FileWatcher{Path: path, Build: RangeFileBuilder(allowlist.AKS, allowlist.Resolver{}), Holder: h, OnReload: func(e ReloadEvent) { last = e }}

	writeFile(t, path, "20.0.0.0/16,52.0.0.1\n")
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "20.0.0.0/16,10.0.0.0/8,52.0.0.1/31\n") // 10/8 is not global; 52.0.0.1/31 has host bits set
	err := w.Reload()
	if !errors.Is(err, allowlist.ErrNotGlobal) || !errors.Is(err, allowlist.ErrNonCanonical) || last.Applied || !errors.Is(last.Err, allowlist.ErrNotGlobal) {
		t.Fatalf("Reload = %v, event %+v; want both problems reported", err, last)
	}
	if !h.Load().Contains(netip.MustParseAddr("52.0.0.1")) || h.Load().Contains(netip.MustParseAddr("10.0.0.1")) {
		t.Fatal("the invalid list changed the Holder")
	}
	writeFile(t, path, "20.0.0.0/16\n")
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allowlist.Change{Lost: pfx("52.0.0.1/32")}, summarize(last).Change, eventCmp); diff != "" {
		t.Errorf("Change (-want +got):\n%s", diff)
	}
}

// swapTags is an allowlist.TagSource whose document can be replaced, as a
// servicetag.Loader's is by Refresh.
type swapTags struct {
	cur atomic.Pointer[allowlist.TagMap]
}

func (s *swapTags) LookupTag(name string) (string, []netip.Prefix, error) {
	return s.cur.Load().LookupTag(name)
}

// A servicetag.Loader is an allowlist.TagSource that follows its newest document.
var _ allowlist.TagSource = (*servicetag.Loader)(nil)

func TestFileWatcherRebuild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "authorized-ip-ranges")
	writeFile(t, path, "AzureCloud,20.20.20.20\n")
	tags := new(swapTags)
	tags.cur.Store(&allowlist.TagMap{"AzureCloud": pfx("20.33.0.0/16")})
	h := new(Holder)
	var events []ReloadEvent
	w := &FileWatcher{Path: path, Build: RangeFileBuilder(allowlist.AKS, allowlist.Resolver{Tags: tags}), Holder: h,
		OnReload: func(e ReloadEvent) { events = append(events, e) }}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	// The tag's document changes; the file does not.
	tags.cur.Store(&allowlist.TagMap{"AzureCloud": pfx("20.34.0.0/16")})
	if err := w.Reload(); err != nil || len(events) != 1 {
		t.Fatalf("Reload of an unchanged file: %v, %d events; want nothing new", err, len(events))
	}
	if err := w.Rebuild(); err != nil {
		t.Fatal(err)
	}
	want := allowlist.Change{Gained: pfx("20.34.0.0/16"), Lost: pfx("20.33.0.0/16")}
	if diff := cmp.Diff(want, events[len(events)-1].Change, eventCmp); diff != "" {
		t.Errorf("Rebuild's allowlist.Change (-want +got):\n%s", diff)
	}
	if !h.Load().Contains(netip.MustParseAddr("20.34.1.1")) || h.Load().Contains(netip.MustParseAddr("20.33.1.1")) {
		t.Error("the Holder does not follow the new document")
	}
	// A document that lost the tag fails the rebuild; the last good set stays.
	tags.cur.Store(&allowlist.TagMap{})
	if err := w.Rebuild(); !errors.Is(err, allowlist.ErrUnknownTag) {
		t.Fatalf("Rebuild with the tag gone: %v, want allowlist.ErrUnknownTag", err)
	}
	if !h.Load().Contains(netip.MustParseAddr("20.34.1.1")) {
		t.Error("a failed rebuild changed the Holder")
	}
}

// FuzzRangeFileBuilder checks that the range-file builder never panics,
// never allows anything for a file without entries, and agrees with
// allowlist.ParseLines on the content.
func FuzzRangeFileBuilder(f *testing.F) {
	for _, s := range []string{"", "\n", " \t\r\n", "192.0.2.0/24\n", "192.0.2.0/24\r\n", "192.0.2.0/24\n\n",
		"10.0.0.0/8,2001:db8::/32", "0.0.0.0/32\n", "AzureCloud\n", "1.2.3.4/24\n", "a\nb\n", "\r\n",
		"\ufeff# c\n192.0.2.0/24 # x\n", "# only\n"} {
		f.Add([]byte(s))
	}
	build := RangeFileBuilder(allowlist.Policy{}, allowlist.Resolver{})
	f.Fuzz(func(t *testing.T, content []byte) {
		s, err := build(content)
		if (s == nil) == (err == nil) {
			t.Fatalf("Set %v with error %v", s, err)
		}
		l, perr := allowlist.ParseLines(string(content), allowlist.Policy{})
		if (perr == nil) != (err == nil) && !errors.Is(err, allowlist.ErrNoTagSource) {
			t.Fatalf("builder error %v, ParseLines error %v", err, perr)
		}
		if err == nil && l.Mode == allowlist.Disabled {
			t.Fatalf("file %q disabled the allowlist", content)
		}
		if err != nil || l.Mode != allowlist.Restricted {
			return
		}
		for _, p := range l.Prefixes {
			if !s.Contains(p.Addr()) {
				t.Fatalf("listed %s not in the Set", p)
			}
		}
	})
}
