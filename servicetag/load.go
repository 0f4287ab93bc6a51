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

// DefaultTimeout is the time a [Loader] allows one refresh when its
// Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Loader keeps a document fetched from a URL up to date. Refresh fetches
// the URL with a conditional GET (If-None-Match with the last ETag,
// If-Modified-Since with the last Last-Modified), and replaces the
// document only when a complete, valid new one arrived: after any failure
// the last good document stays in place and Err says why.
//
// Set the fields before the first Refresh and do not change them after.
// The methods are safe for concurrent use; refreshes are serialised.
//
// The Loader fetches plain URLs (for example a mirror of the weekly
// download); the Discovery API needs Azure credentials, which are the
// caller's business (an http.Client whose Transport adds them works).
type Loader struct {
	// URL is the document's address.
	URL string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one Refresh (connect, headers and body); zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxSize bounds the body, also after decompression; zero means
	// DefaultMaxSize.
	MaxSize int64

	refreshMu sync.Mutex // serialises Refresh

	mu           sync.Mutex
	doc          *Document
	hash         Hash
	etag         string
	lastModified string
	err          error
	checked      time.Time
}

// Document returns the last good document, or nil before the first
// successful Refresh.
func (l *Loader) Document() *Document {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.doc
}

// ErrNoDocument is the error of Loader.Lookup before the first successful
// Refresh.
var ErrNoDocument = errors.New("servicetag: no document loaded yet; call Loader.Refresh first")

// Lookup looks name up in the last good document, as Document.Lookup does.
// A Loader can so stand wherever a tag source is wanted (such as
// allowlist.Resolver.Tags) and answer from the newest document after each
// Refresh. Before the first successful Refresh it fails with ErrNoDocument.
func (l *Loader) Lookup(name string) (Tag, error) {
	d := l.Document()
	if d == nil {
		return Tag{}, fmt.Errorf("servicetag: cannot look up %q: %w", name, ErrNoDocument)
	}
	return d.Lookup(name)
}

// LookupTag looks name up in the last good document, as
// Document.LookupTag does, so a Loader is an allowlist.TagSource that
// answers from the newest document after each refresh. Before the first
// successful Refresh it fails with ErrNoDocument.
func (l *Loader) LookupTag(name string) (string, []netip.Prefix, error) {
	d := l.Document()
	if d == nil {
		return "", nil, fmt.Errorf("servicetag: cannot look up %q: %w", name, ErrNoDocument)
	}
	return d.LookupTag(name)
}

// Status reports the last good document's content hash, the time of the
// last successful check (a new document or 304 Not Modified), and the
// error of the last Refresh (nil if it succeeded).
func (l *Loader) Status() (hash Hash, checked time.Time, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hash, l.checked, l.err
}

// Err returns the error of the last Refresh, nil if it succeeded.
func (l *Loader) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// RefreshError reports a failed Refresh. The Loader keeps its last good
// document.
type RefreshError struct {
	URL        string
	StatusCode int   // the HTTP status, 0 if none was received
	Err        error // the cause: a transport, size, decode or status error
}

// Error implements the error interface.
func (e *RefreshError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("servicetag: refreshing %s (HTTP %d): %v; keeping the last good document", e.URL, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("servicetag: refreshing %s: %v; keeping the last good document", e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *RefreshError) Unwrap() error { return e.Err }

// ErrNotModifiedWithoutDocument reports a 304 Not Modified answer to a
// Loader that has no document yet (a server bug).
var ErrNotModifiedWithoutDocument = errors.New("server answered 304 Not Modified, but there is no earlier document")

// Refresh fetches the URL once. It reports changed == true when it
// installed a document whose content hash differs from the previous one
// (a republication with the same content is installed, for its new
// ChangeNumber, but is not a change). On any failure (transport error,
// timeout, a status other than 200 or 304, a body over MaxSize, a body
// that does not decode) it returns a [*RefreshError], records it for Err
// and keeps the last good document.
func (l *Loader) Refresh(ctx context.Context) (changed bool, err error) {
	l.refreshMu.Lock()
	defer l.refreshMu.Unlock()
	doc, status, etag, lastMod, err := l.fetch(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.err = &RefreshError{URL: l.URL, StatusCode: status, Err: err}
		return false, l.err
	}
	l.err = nil
	l.checked = time.Now()
	if doc == nil { // 304
		return false, nil
	}
	h := doc.Hash()
	changed = l.doc == nil || h != l.hash
	l.doc, l.hash = doc, h
	l.etag, l.lastModified = etag, lastMod
	return changed, nil
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
