//go:build unix

package guard

import (
	"io/fs"
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without waiting: O_NONBLOCK makes
// the open of a FIFO (or a device) return at once instead of blocking until
// a writer appears. It has no effect on reading a regular file, which is
// all that Reload goes on to read.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// identityOf returns the identity of the file that fi describes: its device
// and inode, which change when the file is replaced (by a rename over it),
// and its change time, which changes with every write and every change of
// the modification time, and which no program can set back.
func identityOf(fi fs.FileInfo) fileIdentity {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileIdentity{}
	}
	sec, nsec := ctime(st)
	return fileIdentity{dev: uint64(st.Dev), ino: uint64(st.Ino), ctime: sec*1e9 + nsec}
}
