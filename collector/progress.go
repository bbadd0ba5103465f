package collector

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// offsetter is implemented by sources that know how far into their input
// they are (files), for a percentage.
type offsetter interface {
	Offset() int64
}

// startProgress prints a progress line to w twice a second until the
// returned function is called. It does nothing when w is nil.
func startProgress(w io.Writer, src PacketSource, packets *atomic.Int64) func() {
	if w == nil {
		return func() {}
	}
	var size int64
	if f, ok := src.(*File); ok {
		size = f.Size
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		line := func(final bool) {
			n := packets.Load()
			el := time.Since(start).Seconds()
			rate := 0.0
			if el > 0 {
				rate = float64(n) / el
			}
			pct := ""
			if o, ok := src.(offsetter); ok && size > 0 {
				pct = fmt.Sprintf("%5.1f%% ", 100*float64(o.Offset())/float64(size))
				if final {
					pct = "100.0% "
				}
			}
			fmt.Fprintf(w, "\r\033[Kdecoding packets... %s%d packets, %.0f packets/s", pct, n, rate)
			if final {
				fmt.Fprintln(w)
			}
		}
		for {
			select {
			case <-stop:
				line(true)
				return
			case <-t.C:
				line(false)
			}
		}
	}()
	return func() {
		close(stop)
		wg.Wait()
	}
}
