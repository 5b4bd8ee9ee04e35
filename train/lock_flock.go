//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package train

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f without waiting, reporting
// errLocked if another process holds it. The system releases it when the
// process ends, however it ends.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

// lockHeld reports whether a process holds the lock on file name of f,
// without taking it (a process starting a run at that moment must not
// find it taken): on Linux by /proc/locks, elsewhere by the file's
// presence (a run removes the lock file it made when it ends, but not
// when it is killed).
func lockHeld(f files, name string) (bool, error) {
	fi, err := f.stat(name)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	locks, err := os.ReadFile("/proc/locks")
	if !ok || err != nil {
		return true, nil
	}
	return heldIn(string(locks), uint64(st.Ino)), nil
}
