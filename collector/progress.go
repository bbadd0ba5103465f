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
	if cfg.Progress == nil {
		return func() {}
	}
	every := 500 * time.Millisecond
	if cfg.ProgressLines {
		every = cfg.ProgressInterval
		if every <= 0 {
			every = 10 * time.Second
		}
	}
	p := &progress{cfg: cfg, src: src, packets: packets, start: time.Now()}
	p.live, _ = src.(source.LiveSource)
	if f, ok := src.(*source.File); ok {
		p.size = f.Size
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				p.line(true)
				return
			case <-t.C:
				p.line(false)
			}
		}
	}()
	return func() {
		close(stop)
		wg.Wait()
	}
}

// progress is the state of the progress line.
type progress struct {
	cfg     Config
	src     source.PacketSource
	live    source.LiveSource // nil for files
	size    int64             // of a file, for a percentage
	packets *atomic.Int64
	start   time.Time
}

// line prints the progress line (rewritten in place on a terminal, a new
// line each time with ProgressLines); final ends it.
func (p *progress) line(final bool) {
	w := p.cfg.Progress
	n := p.packets.Load()
	el := time.Since(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(n) / el
	}
	pct := ""
	if o, ok := p.src.(offsetter); ok && p.size > 0 {
		pct = fmt.Sprintf("%5.1f%% ", 100*float64(o.Offset())/float64(p.size))
		if final {
			pct = "100.0% "
		}
	}
	drops := ""
	if p.live != nil {
		st := p.live.Stats()
		drops = fmt.Sprintf(", kernel drops %d, interface drops %d", st.KernelDrops, st.IfaceDrops)
	}
	if p.cfg.ProgressLines {
		fmt.Fprintf(w, "%s %s%d packets, %.0f packets/s%s\n", time.Now().UTC().Format(time.RFC3339), pct, n, rate, drops)
		return
	}
	fmt.Fprintf(w, "\r\033[Kdecoding packets... %s%d packets, %.0f packets/s%s", pct, n, rate, drops)
	if final {
		fmt.Fprintln(w)
	}
}
