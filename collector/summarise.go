package collector

import (
	"errors"
	"time"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/source"
)

// flushStores has the run-wide stores (profiles, software, services)
// write what they aggregated, unless writing failed already.
func (p *pipeline) flushStores() []error {
	if p.writes.err != nil {
		return nil // nothing more can be written
	}
	var errs []error
	if p.profiles.Active() {
		errs = append(errs, p.flushStore(func(emit decoder.Emit) error { return p.profiles.Flush(emit) }))
		p.sum.Profiles = p.profiles.Stats()
	}
	if p.streams != nil {
		p.sum.StoreDrops = p.streams.Dropped()
		errs = append(errs, p.flushStore(func(emit decoder.Emit) error { return p.streams.Flush(emit) }))
	}
	return errs
}

// flushStore runs one store's flush into an emitter of its own and counts
// its records.
func (p *pipeline) flushStore(flush func(decoder.Emit) error) error {
	em := newCountingEmitter(p.cfg.Sink.NewEmitter())
	err := errors.Join(flush(em.Emit), em.Flush())
	em.addTo(p.sum.Records)
	return err
}

// summarise fills the summary from the workers' counters and returns the
// run's error: a write failure first, then a read error (a truncated
// input is a warning), then the workers' and stores' errors.
func (p *pipeline) summarise(errs []error) (*Summary, error) {
	sum := p.sum
	sum.Packets, sum.Bytes = p.packets.Load(), p.bytes.Load()
	sum.Elapsed = time.Since(p.start)
	for _, w := range p.ws {
		sum.Stats.Add(w.parser.Stats())
		w.em.addTo(sum.Records)
		if w.asm != nil {
			sum.Reassembly.Add(w.asm.Stats())
		}
		sum.Flows.Add(w.flows.Stats())
		errs = append(errs, w.err)
	}
	sum.Defrag = p.defrag.stats
	if p.live != nil {
		st := p.live.Stats()
		sum.Live = &st
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for lt, n := range p.linkTypes {
		sum.LinkType[lt.String()] += n
	}
	if sum.Oversize.Any() {
		p.cfg.Log.Warn(p.name + ": " + sum.Oversize.Warning())
	}
	if p.writes.err != nil {
		return sum, p.writes.err
	}
	if p.readErr != nil {
		if !errors.Is(p.readErr, source.ErrTruncated) {
			return sum, p.readErr
		}
		sum.Warning = p.readErr
	}
	return sum, errors.Join(errs...)
}
