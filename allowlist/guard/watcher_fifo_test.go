//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package guard

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileWatcherFIFO puts a FIFO with no writer at the watched path, which
// a plain open waits on forever: Reload and Rebuild return an error at once,
// keep the last good set, and so does Reload when the FIFO appears between
// its look at the path and its open.
func TestFileWatcherFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	writeFile(t, path, "192.0.2.0/24")
	h := new(Holder)
	w := &FileWatcher{Path: path, Build: prefixBuilder, Holder: h}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() {
		// Let a Reload blocked in open (the bug this test catches) go.
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	for name, call := range map[string]func() error{"Reload": w.Reload, "Rebuild": w.Rebuild} {
		done := make(chan error, 1)
		go func() { done <- call() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "is not a regular file but a FIFO") {
				t.Errorf("%s = %v, want a not-regular error", name, err)
			}
		case <-time.After(30 * time.Second): // a hang, not a timing check
			t.Fatalf("%s blocked on a FIFO", name)
		}
	}
	if !h.Load().Contains(netip.MustParseAddr("192.0.2.1")) {
		t.Error("the FIFO changed the Holder")
	}
	// The open itself does not wait, for a FIFO that replaced the file
	// after Reload looked at it.
	done := make(chan error, 1)
	go func() {
		f, err := openNonBlocking(path)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("openNonBlocking: %v", err)
		}
	case <-time.After(30 * time.Second): // a hang, not a timing check
		t.Fatal("openNonBlocking blocked on a FIFO")
	}
}
