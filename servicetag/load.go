package servicetag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// DefaultTimeout is the time a [Loader] allows one reload when its
// Timeout is zero.
const DefaultTimeout = 60 * time.Second

// DefaultInterval is how often a [Loader] with no Interval reloads in Run.
// Providers publish at most a few times a day (Azure weekly), and a
// conditional GET of an unchanged document costs one small request.
const DefaultInterval = time.Hour

// Loader keeps a document fetched from a URL up to date. Reload fetches
// the URL with a conditional GET (If-None-Match with the last ETag,
// If-Modified-Since with the last Last-Modified), and replaces the
// document only when a complete, valid new one arrived: after any failure
// the last good document stays in place and Status says why. Run reloads
// every Interval until its context ends.
//
// A Loader has the shape of every source that ipallow keeps current (the
// guard package's FileWatcher is the other): Reload to look once, Run to
// keep looking, OnReload to hear of each outcome, Status for a snapshot.
// It is an allowlist.TagSource (LookupTag) that answers from its newest
// document, so a Resolver can expand tags from it; call the FileWatcher's
// Rebuild from OnReload when a new document was applied.
//
// Set the fields before the first Reload and do not change them after.
// The methods are safe for concurrent use; reloads are serialised.
//
// The Loader fetches plain URLs (for example a mirror of the weekly
// download); the Discovery API needs Azure credentials, which are the
// caller's business (an http.Client whose Transport adds them works).
type Loader struct {
	// URL is the document's address.
	URL string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one Reload (connect, headers and body); zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxSize bounds the body, also after decompression; zero means
	// DefaultMaxSize.
	MaxSize int64
	// Interval is the time between reloads in Run; zero means
	// DefaultInterval.
	Interval time.Duration
	// OnReload, if not nil, is called with every event: a new document
	// applied, or a failure (reported once until the next success). It is
	// called from Reload with no lock held, so it may call Document,
	// LookupTag and Status, but not Reload.
	OnReload func(ReloadEvent)

	reloadMu sync.Mutex // serialises Reload

	mu           sync.Mutex
	doc          *Document
	hash         Hash
	etag         string
	lastModified string
	err          error
	checked      time.Time
	applied      time.Time
	nApplied     uint64
	nFailed      uint64
}

// ReloadEvent reports one outcome of a Loader's Reload: a new document was
// applied, or the URL could not be fetched or decoded and the Loader kept
// its document.
type ReloadEvent struct {
	URL     string
	Applied bool   // a document with new content is in force
	Change  Change // with Applied: the tags it gained, lost and changed against the one it replaced
	Err     error  // without Applied: why nothing was applied (a *RefreshError); the last good document stays
}

// LoaderStatus is a snapshot of a Loader, for health checks and metrics.
type LoaderStatus struct {
	Hash        Hash      // content of the document in force; zero before the first success
	Applied     uint64    // reloads that applied a document with new content
	Failed      uint64    // reloads that failed
	LastApplied time.Time // when the document in force was applied; zero if none
	LastChecked time.Time // the last successful check (a new document, the same content, or 304 Not Modified)
	Err         error     // the error of the last Reload, nil if it succeeded
}

// Document returns the last good document, or nil before the first
// successful Reload.
func (l *Loader) Document() *Document {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.doc
}

// ErrNoDocument is the error of Loader.LookupTag and Loader.Lookup before
// the first successful Reload.
var ErrNoDocument = errors.New("servicetag: no document loaded yet; call Loader.Reload first")

// Lookup looks name up in the last good document, as Document.Lookup does.
// Before the first successful Reload it fails with ErrNoDocument.
func (l *Loader) Lookup(name string) (Tag, error) {
	d := l.Document()
	if d == nil {
		return Tag{}, fmt.Errorf("servicetag: cannot look up %q: %w", name, ErrNoDocument)
	}
	return d.Lookup(name)
}

// LookupTag looks name up in the last good document, as
// Document.LookupTag does, so a Loader is an allowlist.TagSource that
// answers from the newest document after each reload. Before the first
// successful Reload it fails with ErrNoDocument.
func (l *Loader) LookupTag(name string) (string, []netip.Prefix, error) {
	d := l.Document()
	if d == nil {
		return "", nil, fmt.Errorf("servicetag: cannot look up %q: %w", name, ErrNoDocument)
	}
	return d.LookupTag(name)
}

// Status returns a snapshot of the Loader.
func (l *Loader) Status() LoaderStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LoaderStatus{Hash: l.hash, Applied: l.nApplied, Failed: l.nFailed,
		LastApplied: l.applied, LastChecked: l.checked, Err: l.err}
}

// RefreshError reports a failed Reload. The Loader keeps its last good
// document.
type RefreshError struct {
	URL        string
	StatusCode int   // the HTTP status, 0 if none was received
	Err        error // the cause: a transport, size, decode or status error
}

// Error implements the error interface.
func (e *RefreshError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("servicetag: refreshing %s (HTTP %d): %s; keeping the last good document", e.URL, e.StatusCode, cause(e.Err))
	}
	return fmt.Sprintf("servicetag: refreshing %s: %s; keeping the last good document", e.URL, cause(e.Err))
}

// Unwrap returns the cause.
func (e *RefreshError) Unwrap() error { return e.Err }

// ErrNotModifiedWithoutDocument reports a 304 Not Modified answer to a
// Loader that has no document yet (a server bug).
var ErrNotModifiedWithoutDocument = errors.New("servicetag: the server answered 304 Not Modified, but there is no earlier document")

// Reload fetches the URL once and applies the document if it is complete,
// valid and new. A republication with the same content (a new
// ChangeNumber only) is installed but is not reported as applied. On any
// failure (transport error, timeout, a status other than 200 or 304, a
// body over MaxSize, a body that does not decode) it returns a
// [*RefreshError], records it in Status and keeps the last good document.
// It returns nil when the document in force is the URL's current one.
func (l *Loader) Reload(ctx context.Context) error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	doc, status, etag, lastMod, err := l.fetch(ctx)
	l.mu.Lock()
	if err != nil {
		err = &RefreshError{URL: l.URL, StatusCode: status, Err: err}
		repeat := l.err != nil && l.err.Error() == err.Error()
		l.err = err
		l.nFailed++
		l.mu.Unlock()
		if !repeat {
			l.report(ReloadEvent{URL: l.URL, Err: err})
		}
		return err
	}
	l.err = nil
	now := time.Now()
	l.checked = now
	if doc == nil { // 304
		l.mu.Unlock()
		return nil
	}
	h := doc.Hash()
	old := l.doc
	changed := old == nil || h != l.hash
	l.doc, l.hash = doc, h
	l.etag, l.lastModified = etag, lastMod
	if changed {
		l.applied = now
		l.nApplied++
	}
	l.mu.Unlock()
	if changed {
		l.report(ReloadEvent{URL: l.URL, Applied: true, Change: Diff(old, doc)})
	}
	return nil
}

func (l *Loader) report(e ReloadEvent) {
	if l.OnReload != nil {
		l.OnReload(e)
	}
}

// Run calls Reload at once and then every Interval until ctx is done, and
// returns ctx's error. Failures are reported to OnReload and Status, not
// returned.
func (l *Loader) Run(ctx context.Context) error {
	iv := l.Interval
	if iv <= 0 {
		iv = DefaultInterval
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		l.Reload(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (l *Loader) fetch(ctx context.Context) (doc *Document, status int, etag, lastMod string, err error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL, nil)
	if err != nil {
		return nil, 0, "", "", err
	}
	l.mu.Lock()
	if l.doc != nil {
		if l.etag != "" {
			req.Header.Set("If-None-Match", l.etag)
		}
		if l.lastModified != "" {
			req.Header.Set("If-Modified-Since", l.lastModified)
		}
	}
	hasDoc := l.doc != nil
	l.mu.Unlock()
	client := l.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, "", "", err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		if !hasDoc {
			return nil, resp.StatusCode, "", "", ErrNotModifiedWithoutDocument
		}
		return nil, resp.StatusCode, "", "", nil
	default:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, resp.StatusCode, "", "", fmt.Errorf("unexpected status %q", resp.Status)
	}
	max := l.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	if resp.ContentLength > max {
		return nil, resp.StatusCode, "", "", &TooLargeError{Limit: max, What: "response body (Content-Length)"}
	}
	doc, err = DecodeOptions{MaxSize: max}.Decode(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, "", "", err
	}
	return doc, resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), nil
}
