package guard

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/allowlist"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultInterval is how often a FileWatcher with no Interval looks at its
// file.
const DefaultInterval = 2 * time.Second

// DefaultMaxBytes is the largest file a FileWatcher with no MaxBytes reads.
const DefaultMaxBytes = 16 << 20

// racyWindow is how long after its modification time a file is re-read even
// if its size and modification time look unchanged: a second write within
// the file system's timestamp granularity can leave both as they were.
const racyWindow = 3 * time.Second

// A BuildFunc builds a Set from the content of a file. It returns an error,
// and no Set, for content it cannot use; RangeFileBuilder is one.
type BuildFunc func(content []byte) (*allowlist.Set, error)

// ReloadEvent reports one outcome of a FileWatcher: a new Set was applied,
// or the file could not be read or built and the Holder kept its Set.
type ReloadEvent struct {
	Path    string
	Applied bool             // a Set built from the file's current content is in the Holder
	Change  allowlist.Change // with Applied: what the new Set gained and lost against the one it replaced
	Err     error            // without Applied: why the file was not applied; the Holder kept its Set
}

// FileWatcher keeps the Set in a Holder in step with a file. Reload reads the
// file and, when its content changed, builds a Set with Build and stores it in
// Holder; Run does so every Interval until its context ends.
//
// A change that cannot be read or built never reaches the Holder: the last
// good Set stays in place (the Holder keeps whatever it held, which is no Set
// at all, refusing everyone, if nothing was ever applied), and the failure is
// reported. A deleted or unreadable file is reported the same way, once, and
// does not open the door.
//
// Changes are detected by size and modification time, and confirmed with a
// SHA-256 of the content, so rewriting a file with the same content is not a
// change. Readers may see a file half-written: replace the file atomically
// (write a temporary file in the same directory, then rename it over the
// watched one), as Kubernetes does for mounted ConfigMaps.
//
// The file is one of the sources of the Set; a service-tag document and the
// egress addresses, which the BuildFunc's Resolver reads, are the others.
// When they change, Rebuild applies them.
//
// Path, Build and Holder must be set before the first call to Reload or Run
// and not changed afterwards. A FileWatcher must not be copied after first
// use; its methods are safe for concurrent use.
type FileWatcher struct {
	Path     string            // the watched file
	Build    BuildFunc         // builds a Set from the file's content
	Holder   *Holder           // receives each new Set
	Interval time.Duration     // time between looks at the file in Run; 0 means DefaultInterval
	MaxBytes int64             // a larger file is an error; 0 means DefaultMaxBytes
	OnReload func(ReloadEvent) // if not nil, called with every event, from Reload, with no lock held by the Holder

	mu         sync.Mutex
	stat       fileStat // what the file looked like when last read
	haveStat   bool
	sum        [sha256.Size]byte // content last built
	haveSum    bool
	err        error // the last failure reported, nil after an applied change
	readFailed bool  // err is a failure to read the file

	// For Status.
	nApplied, nFailed uint64
	applied, checked  time.Time
}

// WatcherStatus is a snapshot of a FileWatcher, for health checks and
// metrics. It has the fields of servicetag.LoaderStatus that apply to a
// file.
type WatcherStatus struct {
	Applied     uint64    // events that applied a new Set
	Failed      uint64    // events that reported a failure (the last good Set stayed); a failure that repeats is counted once
	LastApplied time.Time // when the Set in force was applied; zero if none was
	LastChecked time.Time // the last look at the file that found it readable and its content built or unchanged
	Err         error     // the current failure, nil when the Set in force is built from the file's current content
}

// Status returns a snapshot of w.
func (w *FileWatcher) Status() WatcherStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	return WatcherStatus{Applied: w.nApplied, Failed: w.nFailed, LastApplied: w.applied, LastChecked: w.checked, Err: w.err}
}

type fileStat struct {
	mod  int64 // modification time, Unix nanoseconds
	size int64
}

// Reload looks at the file once and, if its content changed since it was last
// built, builds a Set from it and stores the Set in the Holder. It reports an
// event to OnReload when it applied a Set, when the new content could not be
// built, and when the file became unreadable (once, until it is readable
// again). It returns the current failure: nil if the Set in the Holder was
// built from the file's current content.
//
// OnReload is called by Reload, so it must not call Reload or Run.
func (w *FileWatcher) Reload() error {
	w.mu.Lock()
	defer w.mu.Unlock()

	f, err := os.Open(w.Path)
	if err != nil {
		return w.failRead(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return w.failRead(err)
	}
	if !fi.Mode().IsRegular() {
		return w.failRead(fmt.Errorf("guard: %s is not a regular file; point the watcher at the file that holds the list", w.Path))
	}
	st := fileStat{mod: fi.ModTime().UnixNano(), size: fi.Size()}
	if w.haveStat && !w.readFailed && st == w.stat && time.Since(fi.ModTime()) > racyWindow {
		if w.err == nil {
			w.checked = time.Now()
		}
		return w.err
	}
	limit := w.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	content, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return w.failRead(err)
	}
	if int64(len(content)) > limit {
		return w.failRead(fmt.Errorf("guard: %s is larger than %d bytes; raise FileWatcher.MaxBytes if it is meant to be", w.Path, limit))
	}
	w.stat, w.haveStat = st, true
	sum := sha256.Sum256(content)
	if w.haveSum && sum == w.sum && !w.readFailed {
		if w.err == nil {
			w.checked = time.Now()
		}
		return w.err // the same content as last built: nothing new to report
	}
	w.sum, w.haveSum = sum, true
	w.readFailed = false

	s, err := w.Build(content)
	if err == nil && s == nil {
		err = errors.New("the build function returned no Set and no error")
	}
	if err != nil {
		w.err = fmt.Errorf("guard: %s was not applied, the last good set stays in place: %w", w.Path, err)
		w.nFailed++
		w.report(ReloadEvent{Path: w.Path, Err: w.err})
		return w.err
	}
	old := w.Holder.Swap(s)
	w.err = nil
	w.nApplied++
	w.applied = time.Now()
	w.checked = w.applied
	w.report(ReloadEvent{Path: w.Path, Applied: true, Change: allowlist.Diff(old, s)})
	return nil
}

// Rebuild reads the file and builds a Set from it as Reload does, even if
// the file did not change. Call it when something else the BuildFunc reads
// changed: a service-tag document (with a *servicetag.Loader as the
// Resolver's Tags, from the Loader's OnReload when an event says Applied)
// or the egress addresses. Like Reload, it keeps the last good Set when the
// build fails.
func (w *FileWatcher) Rebuild() error {
	w.mu.Lock()
	w.haveStat, w.haveSum = false, false
	w.mu.Unlock()
	return w.Reload()
}

// failRead records that the file could not be read, and reports it unless
// the same failure was the last one reported.
func (w *FileWatcher) failRead(err error) error {
	err = fmt.Errorf("guard: cannot read %s, the last good set stays in place: %w", w.Path, err)
	w.haveStat = false
	if w.readFailed && w.err != nil && w.err.Error() == err.Error() {
		return w.err
	}
	w.err, w.readFailed = err, true
	w.nFailed++
	w.report(ReloadEvent{Path: w.Path, Err: err})
	return err
}

func (w *FileWatcher) report(e ReloadEvent) {
	if w.OnReload != nil {
		w.OnReload(e)
	}
}

// Run calls Reload at once and then every Interval until ctx is done, and
// returns ctx's error. Failures are reported to OnReload, not returned.
func (w *FileWatcher) Run(ctx context.Context) error {
	iv := w.Interval
	if iv <= 0 {
		iv = DefaultInterval
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		w.Reload()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// errEmptyRangeFile is the error of RangeFileBuilder for a blank file.
var errEmptyRangeFile = errors.New("the range file is empty; a file cannot disable the allowlist (a half-written file could), so list the ranges to allow, or 0.0.0.0/0,::/0 under a policy that allows them to allow everyone")

// RangeFileBuilder returns a BuildFunc for a file that holds a range list:
// the text of the flag, as Parse reads it with policy p, followed by at most
// one line ending ("\n" or "\r\n"), which is removed. There is nothing else:
// no comments, and a line break inside the list is an error, as it would be
// in the flag. The list is resolved with r, which expands its service tags
// and adds the implicit egress (the zero Resolver handles lists without
// tags and adds no egress); lint findings are dropped.
//
// Unlike Parse, the builder rejects a file that is empty or holds only
// spaces and tabs, instead of disabling the allowlist: a file truncated
// while it is written must not open the door. To allow everyone, list
// 0.0.0.0/0 and ::/0 under a policy that permits them.
func RangeFileBuilder(p allowlist.Policy, r allowlist.Resolver) BuildFunc {
	return func(content []byte) (*allowlist.Set, error) {
		s := string(content)
		if t, ok := strings.CutSuffix(s, "\r\n"); ok {
			s = t
		} else {
			s = strings.TrimSuffix(s, "\n")
		}
		if strings.Trim(s, " \t") == "" {
			return nil, errEmptyRangeFile
		}
		l, err := allowlist.Parse(s, p)
		if err != nil {
			return nil, err
		}
		set, err := r.Resolve(l)
		if err != nil {
			return nil, err
		}
		return set, nil
	}
}
