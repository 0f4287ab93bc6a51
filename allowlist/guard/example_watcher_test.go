package guard_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
)

// replaceFile replaces path with content atomically, so that a FileWatcher
// reads either the old list or the new one, never a part of the new one: it
// writes a temporary file in the same directory (a rename is atomic only
// within one file system), flushes it to disk, and renames it over path.
// A program that writes the range file can copy it.
func replaceFile(path string, content []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil { // the content is on disk before the name points at it
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// A FileWatcher must see each version of the file whole: a list cut while
// it is written can be valid and wider than the whole one ("128.0.0.0/16"
// cut after "128.0.0.0/1" allows half of the IPv4 space). Replace the file
// instead of writing it in place.
func ExampleFileWatcher_atomicReplace() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "authorized-ip-ranges")

	w := &guard.FileWatcher{
		Path:   path,
		Build:  guard.RangeFileBuilder(allowlist.Policy{}, allowlist.Resolver{}),
		Holder: new(guard.Holder),
		OnReload: func(e guard.ReloadEvent) {
			fmt.Println("applied:", e.Applied, "gained", e.Change.Gained, "lost", e.Change.Lost)
		},
	}
	for _, list := range []string{"128.0.0.0/16\n", "128.0.0.0/17\n"} {
		if err := replaceFile(path, []byte(list)); err != nil {
			log.Fatal(err)
		}
		if err := w.Reload(); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// applied: true gained [128.0.0.0/16] lost []
	// applied: true gained [] lost [128.0.128.0/17]
}
