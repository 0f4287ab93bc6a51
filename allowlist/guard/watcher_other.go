//go:build !unix

package guard

import (
	"io/fs"
	"os"
)

// openNonBlocking opens path for reading. Outside Unix there are no FIFOs
// that block an open; Reload checks the file's type before opening it.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}

// identityOf returns the zero identity: outside Unix, a FileWatcher detects
// changes by size and modification time only.
func identityOf(fs.FileInfo) fileIdentity {
	return fileIdentity{}
}
