package collector

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netcap-go/netcap/source"
)

// offsetter is implemented by sources that know how far into their input
// they are (files), for a percentage.
type offsetter interface {
	Offset() int64
}

// startProgress prints a progress line to cfg.Progress twice a second
// (or, with ProgressLines, a line every ProgressInterval) until the
// returned function is called. It does nothing without a writer.
func startProgress(cfg Config, src source.PacketSource, packets *atomic.Int64) func() {
	w := cfg.Progress
	if w == nil {
		return func() {}
	}
	every := 500 * time.Millisecond
	if cfg.ProgressLines {
		every = cfg.ProgressInterval
		if every <= 0 {
			every = 10 * time.Second
		}
	}
	live, _ := src.(source.LiveSource)
	var size int64
	if f, ok := src.(*source.File); ok {
		size = f.Size
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		t := time.NewTicker(every)
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
			drops := ""
			if live != nil {
				st := live.Stats()
				drops = fmt.Sprintf(", kernel drops %d, interface drops %d", st.KernelDrops, st.IfaceDrops)
			}
			if cfg.ProgressLines {
				fmt.Fprintf(w, "%s %s%d packets, %.0f packets/s%s\n", time.Now().UTC().Format(time.RFC3339), pct, n, rate, drops)
				return
			}
			fmt.Fprintf(w, "\r\033[Kdecoding packets... %s%d packets, %.0f packets/s%s", pct, n, rate, drops)
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
