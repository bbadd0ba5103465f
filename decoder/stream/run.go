package stream

import (
	"errors"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Run is the stream decoding of a whole capture: the options, and the
// stores shared by all workers, which aggregate over the run and write
// their records at the end (Flush) so that the records do not depend on
// how flows were spread over workers.
type Run struct {
	opts      Options
	protocols []Protocol
	observers []Observer

	mu        sync.Mutex
	finishers []func(emit decoder.Emit) error
	drops     []dropCounter
	sw        *SoftwareStore
	files     fileStore
}

// dropCounter is what a bounded store dropped, by record type name.
type dropCounter struct {
	name  string
	count func() int64
}

// NewRun prepares stream decoding. protocols are asked in order whether a
// conversation is theirs (those that usually serve its port first), and
// are kept when their record type, or one they feed, is enabled;
// observers are made in order and see every connection in that order.
func NewRun(opts Options, protocols []Protocol, observers []NewObserver) *Run {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 16 << 20
	}
	if opts.MaxSoftware <= 0 {
		opts.MaxSoftware = DefaultMaxSoftware
	}
	r := &Run{opts: opts}
	for _, p := range protocols {
		if r.Enabled(p.Info().Type) || r.derivedEnabled() {
			r.protocols = append(r.protocols, p)
		}
	}
	for _, o := range observers {
		if ob := o(r); ob != nil {
			r.observers = append(r.observers, ob)
		}
	}
	return r
}

// derivedTypes are the record types that protocols feed: files,
// credentials, mails, software, and what services and vulnerability
// matching make of the conversations.
var derivedTypes = []types.Type{
	types.Type_NC_File, types.Type_NC_Credentials, types.Type_NC_Mail, types.Type_NC_Software,
	types.Type_NC_Service, types.Type_NC_Vulnerability, types.Type_NC_Exploit,
}

// derivedEnabled reports whether any record type that protocols feed is
// enabled.
func (r *Run) derivedEnabled() bool {
	return slices.ContainsFunc(derivedTypes, r.Enabled)
}

// Enabled reports whether records of type t are written.
func (r *Run) Enabled(t types.Type) bool { return r.opts.Enabled.Has(t) }

// Active reports whether anything needs reassembled streams: when not,
// the collector skips reassembly altogether.
func (r *Run) Active() bool { return len(r.protocols) > 0 || len(r.observers) > 0 }

// Options returns the options.
func (r *Run) Options() *Options { return &r.opts }

// OnFlush registers work for the end of the run (shared stores writing
// their aggregated records); Flush does it in the order registered.
func (r *Run) OnFlush(f func(emit decoder.Emit) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finishers = append(r.finishers, f)
}

// Flush writes the records the shared stores aggregated. Call it once,
// after every worker has flushed its assembler.
func (r *Run) Flush(emit decoder.Emit) error {
	r.mu.Lock()
	fs := slices.Clone(r.finishers)
	r.mu.Unlock()
	var errs []error
	for _, f := range fs {
		errs = append(errs, f(emit))
	}
	return errors.Join(errs...)
}

// OnDropped registers a bounded store's count of what it dropped (the
// entries past its bound), reported by Dropped under name, the record
// type the store writes.
func (r *Run) OnDropped(name string, count func() int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drops = append(r.drops, dropCounter{name, count})
}

// Dropped returns, by record type, what the bounded run-wide stores had to
// drop (services and software products past their bounds).
func (r *Run) Dropped() map[string]int64 {
	r.mu.Lock()
	drops := slices.Clone(r.drops)
	r.mu.Unlock()
	out := map[string]int64{}
	for _, d := range drops {
		if n := d.count(); n > 0 {
			out[d.name] += n
		}
	}
	return out
}

// byPort returns the protocols, those that usually serve port first.
func (r *Run) byPort(port uint16) []Protocol {
	for i, p := range r.protocols {
		if slices.Contains(p.Ports(), port) && i > 0 {
			out := append([]Protocol{p}, r.protocols[:i]...)
			return append(out, r.protocols[i+1:]...)
		}
	}
	return r.protocols
}

// Worker is one worker's view of the run: its emitter.
type Worker struct {
	run  *Run
	emit decoder.Emit
	err  error
}

// Worker returns the stream decoding of one worker, writing to emit.
func (r *Run) Worker(emit decoder.Emit) *Worker { return &Worker{run: r, emit: emit} }

// Factory returns the connection handler factory for the worker's
// assembler.
func (w *Worker) Factory() reassembly.Factory {
	return func(info reassembly.ConnInfo) reassembly.Handler { return newConn(w, info) }
}

// Emit writes a record of an enabled type; the first error is kept.
func (w *Worker) Emit(t types.Type, r proto.Message) {
	if !w.run.Enabled(t) {
		return
	}
	if err := w.emit(t, r); err != nil && w.err == nil {
		w.err = err
	}
}

// Err returns the first error writing a record.
func (w *Worker) Err() error { return w.err }
