package helmholtz

import (
	"runtime"
	"sync"
)

// parallelGrain is the least work, in elements, that parallel gives a
// goroutine of its own: below it, starting one costs more than it saves.
const parallelGrain = 1 << 15

// parallel calls f on consecutive parts [lo, hi) covering [0, n), on as
// many cores as the work is worth (at most GOMAXPROCS), and returns when
// all are done. Callers make each element's result independent of the
// parts, so the bits do not depend on the number of cores.
func parallel(n int, f func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/parallelGrain)
	if parts <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() { f(n*p/parts, n*(p+1)/parts) })
	}
	f(0, n/parts)
	wg.Wait()
}
