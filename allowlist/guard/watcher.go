package guard

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/internal/reload"
	"io"
	"net/netip"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ipallow/ipallow/allowlist"
)

// DefaultInterval is how often a FileWatcher with no Interval looks at its
// file.
const DefaultInterval = 2 * time.Second

// DefaultMaxBytes is the largest file a FileWatcher with no MaxBytes reads.
const DefaultMaxBytes = 16 << 20

// racyWindow is how long after its last modification or change a file is
// re-read even if its size and times look unchanged: a second write within
// the file system's timestamp granularity can leave them all as they were.
// It is a variable so that tests can close the window.
var racyWindow = 3 * time.Second

// maxErrorLen is the longest error message that a FileWatcher keeps and
// reports; a longer one is cut (see boundedError).
const maxErrorLen = 4 << 10

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
// does not open the door. So is anything at Path that is not a regular file
// (a directory, a FIFO, a device): it is refused without being read, and a
// FIFO never blocks Reload.
//
// Changes are detected by size, modification time and, on Unix, the file's
// identity (device and inode) and change time, and confirmed with a SHA-256
// of the content, so rewriting a file with the same content is not a change,
// and replacing it with one of the same size whose modification time was
// kept from an older copy (cp -p, rsync -t, tar x) is. For a few seconds
// after a change the file is read at every look, since a second write within
// the file system's timestamp granularity can leave size and times as they
// were. Outside Unix only size and modification time are compared.
//
// The file must be replaced atomically. A reader can see a file half-written,
// and a half-written range list can be valid and wider than the whole one:
// "128.0.0.0/16" cut after "128.0.0.0/1" allows half of the IPv4 space, and
// nothing in the content tells that it was cut. Write the new list to a
// temporary file in the same directory, flush it to disk (File.Sync), close
// it and rename it over the watched file (see the example), as Kubernetes
// does for mounted ConfigMaps; never write the watched file in place.
//
// The file is one of the sources of the Set; a service-tag document and the
// egress addresses, which the BuildFunc's Resolver reads, are the others.
// When they change, Rebuild applies them.
//
// Errors that a FileWatcher returns, reports and keeps are bounded: a message
// longer than 4 KiB (a build error listing every bad line of a large file) is
// cut, and errors.Is still finds the sentinels of the original error, such as
// allowlist.ErrMalformed or fs.ErrNotExist.
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
	reads      int      // times the content was read, for tests
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

// fileStat is what a FileWatcher compares to tell whether a file may have
// changed since it was read.
type fileStat struct {
	mod  int64 // modification time, Unix nanoseconds
	size int64
	id   fileIdentity
}

// fileIdentity tells a file from its replacement where the system says
// (identityOf); its zero value says nothing.
type fileIdentity struct {
	dev, ino uint64
	ctime    int64 // change time, Unix nanoseconds
}

// statOf returns the fileStat of fi.
func statOf(fi os.FileInfo) fileStat {
	return fileStat{mod: fi.ModTime().UnixNano(), size: fi.Size(), id: identityOf(fi)}
}

// settled reports whether st was last changed more than racyWindow before
// now, so that a later write would show in its size or times.
func (st fileStat) settled(now time.Time) bool {
	last := max(st.mod, st.id.ctime)
	return now.UnixNano()-last > int64(racyWindow)
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

	// Look before opening: opening a FIFO for reading waits for a writer,
	// with the lock held. openNonBlocking covers a FIFO put in place
	// between the look and the open.
	fi, err := os.Stat(w.Path)
	if err != nil {
		return w.failRead(err)
	}
	if !fi.Mode().IsRegular() {
		return w.failRead(w.notRegular(fi))
	}
	f, err := openNonBlocking(w.Path)
	if err != nil {
		return w.failRead(err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return w.failRead(err)
	}
	if !fi.Mode().IsRegular() {
		return w.failRead(w.notRegular(fi))
	}
	st := statOf(fi)
	if w.haveStat && !w.readFailed && st == w.stat && st.settled(time.Now()) {
		if w.err == nil {
			w.checked = time.Now()
		}
		return w.err
	}
	limit := w.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	w.reads++
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
		w.err = bound(fmt.Errorf("guard: %s was not applied; %s: %w", w.Path, w.inForce(), err))
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
	err = bound(fmt.Errorf("guard: cannot read %s; %s: %w", w.Path, w.inForce(), err))
	w.haveStat = false
	if w.readFailed && w.err != nil && w.err.Error() == err.Error() {
		return w.err
	}
	w.err, w.readFailed = err, true
	w.nFailed++
	w.report(ReloadEvent{Path: w.Path, Err: err})
	return err
}

// inForce says what the Holder enforces while the file cannot be applied.
func (w *FileWatcher) inForce() string {
	if w.Holder.Load() == nil {
		return "no set is in force, so every request is refused until the file is fixed"
	}
	return "the last good set stays in force"
}

// notRegular is the error for a Path that names something other than a
// regular file.
func (w *FileWatcher) notRegular(fi os.FileInfo) error {
	return fmt.Errorf("guard: %s is not a regular file but %s; point the watcher at the file that holds the list", w.Path, fileKind(fi.Mode()))
}

// fileKind names the type of a file that is not regular.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}

// boundedError is an error whose message was cut to maxErrorLen bytes. It
// keeps, for errors.Is and errors.As, the distinct errors at the ends of the
// original's chain (sentinels such as allowlist.ErrMalformed, or the
// syscall.Errno under an fs.PathError), at most maxErrorLeaves of them, so
// that neither its message nor what it holds grows with the input.
type boundedError struct {
	msg    string
	leaves []error
}

// maxErrorLeaves is how many end errors a boundedError keeps.
const maxErrorLeaves = 32

func (e *boundedError) Error() string   { return e.msg }
func (e *boundedError) Unwrap() []error { return e.leaves }

// bound returns err if its message is at most maxErrorLen bytes long, and
// otherwise a boundedError with the message cut.
func bound(err error) error {
	msg := err.Error()
	if len(msg) <= maxErrorLen {
		return err
	}
	const more = "... (the message is cut here)"
	cut := maxErrorLen - len(more)
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	b := &boundedError{msg: msg[:cut] + more}
	b.collect(err)
	return b
}

// collect adds the end errors of err's chain to e.leaves.
func (e *boundedError) collect(err error) {
	if err == nil || len(e.leaves) == maxErrorLeaves {
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		e.collect(u.Unwrap())
		return
	case interface{ Unwrap() []error }:
		for _, err := range u.Unwrap() {
			e.collect(err)
		}
		return
	}
	for _, l := range e.leaves {
		if errors.Is(l, err) { // errors.Is compares only comparable errors
			return
		}
	}
	e.leaves = append(e.leaves, err)
}

func (w *FileWatcher) report(e ReloadEvent) {
	if w.OnReload != nil {
		w.OnReload(e)
	}
}

// Run calls Reload at once and then every Interval until ctx is done, and
// returns ctx's error. Failures are reported to OnReload, not returned.
func (w *FileWatcher) Run(ctx context.Context) error {
	return reload.Every(ctx, w.Interval, DefaultInterval, func() { w.Reload() })
}

// RangeFileBuilder returns a BuildFunc for a range file, read as
// allowlist.ParseLines reads it with policy p: entries one or several a
// line (commas and line breaks both separate them), # comments, blank
// lines, CRLF line endings and a leading byte order mark; a one-line
// comma-separated list, as the flag takes it, reads the same. The policy's
// limits (AKS: 200 entries, one service tag) apply to the whole file, and
// errors give the line and column of each problem. The list is resolved
// with r, which expands its service tags, adds the implicit egress and
// removes the exceptions (the zero Resolver handles lists without tags and
// adds no egress); call r.Lint where the findings are read.
//
// A file with no entries (empty, or only comments) is an error, never a
// disabled allowlist: a file truncated while it is written must not open
// the door. To allow everyone, list 0.0.0.0/0 and ::/0 under a policy that
// permits them. A file cut inside its last entry can still parse, and to a
// wider list (128.0.0.0/16 cut to 128.0.0.0/1): replace the file
// atomically, never write it in place (see FileWatcher).
func RangeFileBuilder(p allowlist.Policy, r allowlist.Resolver) BuildFunc {
	return func(content []byte) (*allowlist.Set, error) {
		l, err := allowlist.ParseLines(string(content), p)
		if err != nil {
			return nil, err
		}
		s, err := r.Resolve(l)
		if err != nil {
			return nil, err
		}
		// The first Explain of a resolved Set builds its rule table. Do it
		// here, on the reload path, rather than in the first request after
		// the swap (hooks, logging and counters explain every request).
		s.Explain(netip.IPv4Unspecified())
		return s, nil
	}
}
