package stream

import (
	"errors"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Protocols lists the stream protocols. Adding one adds a line here.
var Protocols = []Protocol{}

// Run is the stream decoding of a whole capture: the options, and the
// stores shared by all workers, which aggregate over the run and write
// their records at the end (Flush) so that the records do not depend on
// how flows were spread over workers.
type Run struct {
	opts      Options
	protocols []Protocol
	observers []Observer

	mu        sync.Mutex
	finishers []func(emit Emitter) error
	sw        *softwareStore
	services  *svStore
	files     fileStore
}

// Dropped returns, by record type, what the bounded run-wide stores had to
// drop (services and software products past their bounds).
func (r *Run) Dropped() map[string]int64 {
	out := map[string]int64{}
	if st := r.services; st != nil {
		st.mu.Lock()
		if st.dropped > 0 {
			out["Service"] = st.dropped
		}
		st.mu.Unlock()
	}
	r.mu.Lock()
	sw := r.sw
	r.mu.Unlock()
	if sw != nil {
		sw.mu.Lock()
		if sw.dropped > 0 {
			out["Software"] = sw.dropped
		}
		sw.mu.Unlock()
	}
	return out
}

// NewRun prepares stream decoding with the protocols whose record types
// are enabled.
func NewRun(opts Options) *Run {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 16 << 20
	}
	if opts.MaxServices <= 0 {
		opts.MaxServices = DefaultMaxServices
	}
	if opts.MaxSoftware <= 0 {
		opts.MaxSoftware = DefaultMaxSoftware
	}
	r := &Run{opts: opts}
	for _, p := range Protocols {
		if opts.enabled(p.Name()) || r.derivedEnabled() {
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

// observers make the run's observers; each returns nil when not needed.
var observers []func(*Run) Observer

// derivedEnabled reports whether any record type that protocols feed
// (files, credentials, mails, software, services) is enabled.
func (r *Run) derivedEnabled() bool {
	for _, n := range []string{"File", "Credentials", "Mail", "Software", "Service", "Vulnerability", "Exploit"} {
		if r.opts.enabled(n) {
			return true
		}
	}
	return false
}

// Active reports whether anything needs reassembled streams: when not,
// the collector skips reassembly altogether.
func (r *Run) Active() bool { return len(r.protocols) > 0 || len(r.observers) > 0 }

// Options returns the options.
func (r *Run) Options() *Options { return &r.opts }

// OnFlush registers work for the end of the run (shared stores writing
// their aggregated records).
func (r *Run) OnFlush(f func(emit Emitter) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finishers = append(r.finishers, f)
}

// Flush writes the records the shared stores aggregated. Call it once,
// after every worker has flushed its assembler.
func (r *Run) Flush(emit Emitter) error {
	r.mu.Lock()
	fs := slices.Clone(r.finishers)
	r.mu.Unlock()
	var errs []error
	for _, f := range fs {
		errs = append(errs, f(emit))
	}
	return errors.Join(errs...)
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
	emit Emitter
	err  error
}

// Worker returns the stream decoding of one worker, writing to emit.
func (r *Run) Worker(emit Emitter) *Worker { return &Worker{run: r, emit: emit} }

// Factory returns the connection handler factory for the worker's
// assembler.
func (w *Worker) Factory() reassembly.Factory {
	return func(info reassembly.ConnInfo) reassembly.Handler { return newConn(w, info) }
}

// Emit writes a record of an enabled type; the first error is kept.
func (w *Worker) Emit(t types.Type, r proto.Message) {
	if !w.run.opts.enabled(t.Name()) {
		return
	}
	if err := w.emit(t, r); err != nil && w.err == nil {
		w.err = err
	}
}

// Err returns the first error writing a record.
func (w *Worker) Err() error { return w.err }
