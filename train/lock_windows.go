package train

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive lock on f without waiting, reporting
// errLocked if another process holds it. The system releases it when the
// process ends, however it ends.
func lockFile(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}

// lockHeld reports whether a run's lock file exists (a run removes the
// lock file it made when it ends, but not when it is killed).
func lockHeld(f files, name string) (bool, error) { return f.exists(name), nil }
