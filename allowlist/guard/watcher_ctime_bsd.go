//go:build darwin || ios || freebsd || netbsd

package guard

import "syscall"

// ctime returns the change time of st.
func ctime(st *syscall.Stat_t) (sec, nsec int64) {
	return int64(st.Ctimespec.Sec), int64(st.Ctimespec.Nsec)
}
