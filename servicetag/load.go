package servicetag

import (
	"context"
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/internal/reload"
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
	// Feed is the format of the document at URL; the zero value is Azure's.
	// A Cloudflare Loader reads the API's JSON (one URL for both families).
	Feed Feed
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one Reload (connect, headers and body); zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxSize bounds the body, also after decompression, and the bodies of
	// all the Discovery API's pages together; zero means DefaultMaxSize.
	MaxSize int64
	// Interval is the time between reloads in Run; zero means
	// DefaultInterval.
	Interval time.Duration
	// MaxShrink is the largest share of the IPv4 or of the IPv6 addresses
	// in force that one new document may remove; a document that removes
	// more is held back (a *ShrinkError) until Accept applies it. Zero
	// means DefaultMaxShrink; a negative value turns the check off.
	MaxShrink float64
	// MaxAge, if positive, is how old the document in force may grow
	// before every Reload reports it as stale (ErrStale). Its age is taken
	// from the response's Last-Modified header, or from when it was
	// applied, unless the document states its own creation time
	// (Document.Created). Azure says new ranges of its weekly file are not used for
	// at least a week; choose what is too old for you.
	MaxAge time.Duration
	// MaxPages bounds the Discovery API's nextLink pages followed in one
	// Reload; zero means DefaultMaxPages.
	MaxPages int
	// RedirectToOtherHosts lets a redirect go to another host (host and
	// port); by default such a redirect fails the Reload.
	RedirectToOtherHosts bool
	// RedirectToHTTP lets a redirect go from https to http; by default such
	// a redirect fails the Reload.
	RedirectToHTTP bool
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
	docTime      time.Time
	nApplied     uint64
	nFailed      uint64
	pending      *Document // a new document held back by the shrink guard
	pendingHash  Hash
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
	Hash         Hash      // content of the document in force; zero before the first success
	Applied      uint64    // reloads that applied a document with new content
	Failed       uint64    // reloads that failed
	LastApplied  time.Time // when the document in force was applied; zero if none
	LastChecked  time.Time // the last successful check (a new document, the same content, or 304 Not Modified)
	DocumentTime time.Time // when the document in force was made: its Created time, else the response's Last-Modified, else when it was applied
	Pending      Hash      // a document held back by the shrink guard, zero if none; see Accept
	Err          error     // the error of the last Reload, nil if it succeeded
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
		LastApplied: l.applied, LastChecked: l.checked, DocumentTime: l.docTime,
		Pending: l.pendingHash, Err: l.err}
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

// Reload fetches the URL once (and the Discovery API's nextLink pages) and
// applies the document if it is complete, valid, new and passes the
// guards: its version must not be older than the one in force, it must
// not remove more than MaxShrink of a family's addresses, and redirects
// stay on the same host and on https. A republication with the same
// content (a new ChangeNumber only) is installed but not reported as
// applied.
//
// On any failure (transport error, timeout, a status other than 200 or
// 304, a body over MaxSize, a body that does not decode, a guard) it
// returns a [*RefreshError], records it in Status, reports it to OnReload
// (once, until it changes) and keeps the last good document. With MaxAge
// set it also fails, with ErrStale, while the document in force is too
// old. It returns nil when the document in force is the URL's current one.
func (l *Loader) Reload(ctx context.Context) error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	f, err := l.fetch(ctx)
	now := time.Now()
	if err != nil {
		if ctx.Err() != nil {
			// The caller gave up (Run is stopping): not the source's failure.
			return &RefreshError{URL: l.URL, StatusCode: f.status, Err: err}
		}
		return l.fail(&RefreshError{URL: l.URL, StatusCode: f.status, Err: err})
	}
	l.mu.Lock()
	cur := l.doc
	curHash := l.hash
	l.mu.Unlock()
	var h Hash
	if f.doc != nil {
		h = f.doc.Hash()
		if err := checkVersion(cur, f.doc); err != nil {
			return l.fail(&RefreshError{URL: l.URL, StatusCode: f.status, Err: err})
		}
		if cur != nil && h != curHash {
			max := l.MaxShrink
			if max == 0 {
				max = DefaultMaxShrink
			}
			if err := checkShrink(cur, f.doc, h, max); err != nil {
				l.mu.Lock()
				l.pending, l.pendingHash = f.doc, h
				l.mu.Unlock()
				return l.fail(&RefreshError{URL: l.URL, StatusCode: f.status, Err: err})
			}
		}
	}

	l.mu.Lock()
	l.checked = now
	changed := false
	if f.doc != nil {
		changed = cur == nil || h != curHash
		l.install(f.doc, h, now)
		l.etag, l.lastModified = f.etag, f.lastMod
		if !f.doc.Created.IsZero() {
			l.docTime = f.doc.Created
		} else if t, err := http.ParseTime(f.lastMod); err == nil {
			l.docTime = t
		} else if changed {
			l.docTime = now
		}
	}
	stale := l.staleErr(now)
	l.mu.Unlock()
	if changed {
		l.report(ReloadEvent{URL: l.URL, Applied: true, Change: Diff(cur, f.doc)})
	}
	if stale != nil {
		return l.fail(stale)
	}
	l.mu.Lock()
	l.err = nil
	l.mu.Unlock()
	return nil
}

// install makes doc the document in force; l.mu is held.
func (l *Loader) install(doc *Document, h Hash, now time.Time) {
	if l.doc == nil || h != l.hash {
		l.applied = now
		l.nApplied++
	}
	l.doc, l.hash = doc, h
	l.pending, l.pendingHash = nil, Hash{}
}

// staleErr returns an ErrStale error if the document in force is older
// than MaxAge; l.mu is held.
func (l *Loader) staleErr(now time.Time) error {
	if l.MaxAge <= 0 || l.doc == nil || l.docTime.IsZero() {
		return nil
	}
	if age := now.Sub(l.docTime); age > l.MaxAge {
		return fmt.Errorf("%w: the document from %s is in force, %s old, more than Loader.MaxAge %s; the last good document stays in force",
			ErrStale, l.URL, age.Round(time.Minute), l.MaxAge)
	}
	return nil
}

// fail records err and reports it unless it repeats the last failure.
func (l *Loader) fail(err error) error {
	l.mu.Lock()
	repeat := l.err != nil && l.err.Error() == err.Error()
	l.err = err
	l.nFailed++
	l.mu.Unlock()
	if !repeat {
		l.report(ReloadEvent{URL: l.URL, Err: err})
	}
	return err
}

// ErrNotPending is the error of Accept when no document with the given
// hash is held back.
var ErrNotPending = errors.New("servicetag: no document with that hash is held back")

// Accept applies the document that the shrink guard held back, whose
// content hash (ShrinkError.Hash, LoaderStatus.Pending) is h: the caller
// has checked that the shrink is meant. It fails with ErrNotPending when
// no such document is held back (a later Reload may have replaced it).
func (l *Loader) Accept(h Hash) error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	l.mu.Lock()
	if l.pending == nil || l.pendingHash != h {
		l.mu.Unlock()
		return fmt.Errorf("%w: %s; Status().Pending names the document held back now, if any (a later Reload replaces it)", ErrNotPending, h.String()[:12])
	}
	cur, doc := l.doc, l.pending
	now := time.Now()
	l.install(doc, h, now)
	l.docTime = now
	l.err = nil
	l.mu.Unlock()
	l.report(ReloadEvent{URL: l.URL, Applied: true, Change: Diff(cur, doc)})
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
	return reload.Every(ctx, l.Interval, DefaultInterval, func() { l.Reload(ctx) })
}
