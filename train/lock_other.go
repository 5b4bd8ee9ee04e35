//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package train

import "os"

// lockFile does nothing on systems without a file lock this package
// knows: there, two processes writing one run directory are not stopped.
func lockFile(f *os.File) error { return nil }

// lockHeld reports whether a run's lock file exists: such systems take
// no lock (lockFile), so a file left by a killed run reads as held.
func lockHeld(f files, name string) (bool, error) { return f.exists(name), nil }
