package servicetag

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// server is a scripted document server: each request takes the next
// response from the script (the last one repeats) and records the
// conditional headers it saw.
type server struct {
	mu      sync.Mutex
	script  []func(w http.ResponseWriter, r *http.Request)
	headers []http.Header
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	h := s.script[min(len(s.headers), len(s.script))-1]
	s.mu.Unlock()
	h(w, r)
}

func (s *server) header(i int, key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[i].Get(key)
}

const lastModified = "Mon, 20 Oct 2025 00:00:00 GMT"

func serve(body string, etag string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if etag != "" && r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Last-Modified", lastModified)
		w.Write([]byte(body))
	}
}

var (
	goodBody  = `{"changeNumber": 1, "cloud": "Public", "values": [` + entry("AzureCloud", `"10.0.0.0/8"`) + `]}`
	otherBody = `{"changeNumber": 2, "cloud": "Public", "values": [` + entry("AzureCloud", `"11.0.0.0/8"`) + `]}`
)

func newLoader(t *testing.T, s *server) *Loader {
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	// These tests replace whole documents; the shrink guard has tests of
	// its own (guards_test.go).
	return &Loader{URL: ts.URL, Client: ts.Client(), Timeout: 2 * time.Second, MaxShrink: -1}
}

// mustRefresh runs a Reload that must succeed, and checks whether it
// applied new content.
func mustRefresh(t *testing.T, l *Loader, wantChanged bool) {
	t.Helper()
	before := l.Status().Applied
	if err := l.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if changed := l.Status().Applied > before; changed != wantChanged {
		t.Fatalf("Reload applied new content = %v, want %v", changed, wantChanged)
	}
}

// expectKept runs a Refresh that must fail with target, keeping doc.
func expectKept(t *testing.T, l *Loader, doc *Document, target error) *RefreshError {
	t.Helper()
	before := l.Status()
	err := l.Reload(context.Background())
	var re *RefreshError
	if err == nil || !errors.As(err, &re) {
		t.Fatalf("Reload = %v; want a *RefreshError", err)
	}
	if after := l.Status(); after.Applied != before.Applied || after.Failed != before.Failed+1 {
		t.Errorf("Status after a failure: %+v (before %+v)", after, before)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %v does not match %v", err, target)
	}
	if l.Document() != doc {
		t.Errorf("the last good document was replaced")
	}
	if got := l.Status().Err; got != err {
		t.Errorf("Err() = %v, want %v", got, err)
	}
	return re
}

func TestLoaderOKAndNotModified(t *testing.T) {
	s := &server{script: []func(http.ResponseWriter, *http.Request){serve(goodBody, `"v1"`)}}
	l := newLoader(t, s)
	if l.Document() != nil {
		t.Fatal("document before the first refresh")
	}
	mustRefresh(t, l, true)
	doc := l.Document()
	if doc == nil || doc.ChangeNumber != 1 {
		t.Fatalf("document %+v", doc)
	}
	mustRefresh(t, l, false) // 304
	if l.Document() != doc || l.Status().Err != nil {
		t.Errorf("304 replaced the document or recorded %v", l.Status().Err)
	}
	if got := s.header(1, "If-None-Match"); got != `"v1"` {
		t.Errorf("If-None-Match = %q", got)
	}
	if got := s.header(1, "If-Modified-Since"); got != lastModified {
		t.Errorf("If-Modified-Since = %q", got)
	}
	if got := s.header(0, "If-None-Match"); got != "" {
		t.Errorf("first request sent If-None-Match %q", got)
	}
	st := l.Status()
	if st.Hash != doc.Hash() || st.LastChecked.IsZero() || st.LastApplied.IsZero() || st.Err != nil || st.Applied != 1 {
		t.Errorf("Status = %+v", st)
	}
}

func TestLoaderNewVersionAndRepublication(t *testing.T) {
	republished := strings.Replace(otherBody, `"changeNumber": 2`, `"changeNumber": 3`, 1)
	s := &server{script: []func(http.ResponseWriter, *http.Request){serve(goodBody, `"v1"`), serve(otherBody, `"v2"`), serve(republished, `"v3"`)}}
	l := newLoader(t, s)
	mustRefresh(t, l, true)
	mustRefresh(t, l, true)
	if got := s.header(1, "If-None-Match"); got != `"v1"` {
		t.Errorf("If-None-Match = %q", got)
	}
	mustRefresh(t, l, false) // same content, new changeNumber: installed, not a change
	if l.Document().ChangeNumber != 3 {
		t.Errorf("changeNumber = %d, want 3", l.Document().ChangeNumber)
	}
}

func TestLoaderFailuresKeepLastGood(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request)
		target  error
		status  int
	}{
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, target: context.DeadlineExceeded},
		{name: "timeout in the body", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(goodBody[:20]))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, target: context.DeadlineExceeded, status: 200},
		{name: "oversize with Content-Length", handler: func(w http.ResponseWriter, r *http.Request) {
			body := goodBody + strings.Repeat(" ", 2000)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write([]byte(body))
		}, target: ErrTooLarge, status: 200},
		{name: "oversize chunked", handler: func(w http.ResponseWriter, r *http.Request) {
			for range 30 {
				w.Write([]byte(strings.Repeat(" ", 100)))
				w.(http.Flusher).Flush()
			}
		}, target: ErrTooLarge, status: 200},
		{name: "broken body", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(otherBody)))
			w.Write([]byte(otherBody[:len(otherBody)/2])) // the connection closes early
		}, status: 200},
		{name: "truncated JSON", handler: serve(otherBody[:len(otherBody)-3], ""), target: ErrTruncated, status: 200},
		{name: "not a service-tag file", handler: serve(`{"hello": "world"}`, ""), target: ErrMissingField, status: 200},
		{name: "bad prefix", handler: serve(strings.Replace(otherBody, "11.0.0.0/8", "11.0.0.1/8", 1), ""), target: ErrNonCanonicalPrefix, status: 200},
		{name: "server error", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &server{script: []func(http.ResponseWriter, *http.Request){serve(goodBody, ""), tt.handler, serve(otherBody, "")}}
			l := newLoader(t, s)
			l.Timeout = 300 * time.Millisecond
			l.MaxSize = 1500
			mustRefresh(t, l, true)
			good := l.Document()
			re := expectKept(t, l, good, tt.target)
			if re.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", re.StatusCode, tt.status)
			}
			t.Log(re)
			// The next good response is installed and clears the error.
			mustRefresh(t, l, true)
			if l.Status().Err != nil || l.Document().ChangeNumber != 2 {
				t.Errorf("after recovery: %v, %+v", l.Status().Err, l.Document())
			}
		})
	}
}

func TestLoaderNotModifiedWithoutDocument(t *testing.T) {
	s := &server{script: []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}}}
	l := newLoader(t, s)
	expectKept(t, l, nil, ErrNotModifiedWithoutDocument)
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "tags.json")
	gz := filepath.Join(dir, "tags.json.gz")
	os.WriteFile(plain, []byte(goodBody), 0o644)
	os.WriteFile(gz, gzipBytes([]byte(goodBody)), 0o644)
	a, err := LoadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadFile(gz)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != b.Hash() {
		t.Error("gzip and plain files decode differently")
	}
	os.WriteFile(plain, []byte(goodBody[:40]), 0o644)
	if _, err := LoadFile(plain); !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), plain) {
		t.Errorf("LoadFile of a truncated file: %v", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile of a missing file: %v", err)
	}
}

func TestLoaderLookup(t *testing.T) {
	s := &server{script: []func(http.ResponseWriter, *http.Request){serve(goodBody, ""), serve(otherBody, "")}}
	l := newLoader(t, s)
	if _, err := l.Lookup("AzureCloud"); !errors.Is(err, ErrNoDocument) {
		t.Fatalf("Lookup before Refresh: %v, want ErrNoDocument", err)
	}
	for _, want := range []string{"10.0.0.0/8", "11.0.0.0/8"} {
		mustRefresh(t, l, true)
		tag, err := l.Lookup("azurecloud")
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tag.Prefixes); got != "["+want+"]" {
			t.Errorf("after Refresh: prefixes %s, want [%s]", got, want)
		}
	}
	if _, err := l.Lookup("AzureClod"); !errors.Is(err, ErrUnknownTag) {
		t.Errorf("unknown tag: %v, want ErrUnknownTag", err)
	}
}

// TestLoaderEventsAndRun: OnReload hears of each applied document with its
// Change, and of a failure once until the next success; Run reloads until
// its context ends.
func TestLoaderEventsAndRun(t *testing.T) {
	s := &server{script: []func(http.ResponseWriter, *http.Request){
		serve(goodBody, `"v1"`),
		func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) },
		func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) },
		serve(otherBody, `"v2"`),
	}}
	l := newLoader(t, s)
	var (
		mu     sync.Mutex
		events []ReloadEvent
	)
	l.OnReload = func(e ReloadEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	l.Interval = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for l.Status().Applied < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, e := range events {
		switch {
		case e.Applied:
			got = append(got, fmt.Sprintf("applied gained=%d lost=%d changed=%d", len(e.Change.Gained), len(e.Change.Lost), len(e.Change.Changed)))
		default:
			var re *RefreshError
			got = append(got, fmt.Sprintf("failed %v", errors.As(e.Err, &re)))
		}
	}
	want := []string{
		"applied gained=1 lost=0 changed=0", // AzureCloud appears
		"failed true",                       // the second identical failure is not reported again
		"applied gained=0 lost=0 changed=1", // AzureCloud moves from 10.0.0.0/8 to 11.0.0.0/8
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if st := l.Status(); st.Failed != 2 || st.Applied != 2 || st.Err != nil {
		t.Errorf("Status = %+v, want 2 applied, 2 failed, no error", st)
	}
}
