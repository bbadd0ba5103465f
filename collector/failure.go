package collector

import (
	"sync"
	"time"
)

// writeFailure holds the first error writing records: it stops the run at
// once (the reader stops, the workers drain) and Run returns it. err is
// read once the workers are done.
type writeFailure struct {
	once sync.Once
	err  error
	done chan struct{}
}

func newWriteFailure() *writeFailure { return &writeFailure{done: make(chan struct{})} }

func (f *writeFailure) set(err error) {
	f.once.Do(func() {
		f.err = err
		close(f.done)
	})
}

// every calls f every interval (wall time) until stop is closed or f
// returns false; nothing when interval is not positive.
func every(interval time.Duration, stop <-chan struct{}, f func() bool) {
	if interval <= 0 {
		return
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if !f() {
					return
				}
			case <-stop:
				return
			}
		}
	}()
}
