package collector

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/layers"
	"go.uber.org/zap"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// pipeline is one run in progress: the source and the reader's state,
// the workers with their queues, the run-wide stores, and the summary
// being filled. Run drives it step by step.
type pipeline struct {
	cfg      Config
	src      source.PacketSource
	name     string
	workers  int
	enabled  decoder.Set // the record types written
	streams  *stream.Run // nil when nothing reads streams
	profiles *profile.Store
	asmCfg   reassembly.Config // per worker
	limits   *Limits

	sum    *Summary
	start  time.Time
	writes *writeFailure

	ws     []*worker
	wg     sync.WaitGroup
	queues []chan *packetBatch
	free   chan *packetBatch

	packets, bytes atomic.Int64
	live           source.LiveSource // nil for files
	filter         *packetFilter     // files only: a live source filters in the kernel
	defrag         *defragmenter

	// The reader runs in its own goroutine so that an interrupt stops the
	// run even while a read blocks (a pipe that stays open, an idle
	// interface). mu guards the batches, queues and reader state below:
	// the reader holds it while it dispatches a packet, not while it
	// reads, and once closed is set a late-waking reader drops what it
	// read.
	mu         sync.Mutex
	closed     bool
	current    []*packetBatch // the batch being filled, per worker
	clock      int64          // the capture's clock: the latest time read
	lastTick   time.Time
	linkTypes  map[layers.LinkType]int64
	readErr    error
	stop       atomic.Bool
	readerDone chan struct{}
	flushDone  chan struct{}
}

// Run reads every packet of src, decodes it and writes the records to
// cfg.Sink. It stops early, flushing everything, when ctx is cancelled.
func Run(ctx context.Context, src source.PacketSource, name string, cfg Config) (*Summary, error) {
	p, err := newPipeline(src, name, cfg)
	if err != nil {
		return nil, err
	}
	if p.limits != nil {
		defer setMemoryLimit(p.limits.MemoryLimit)()
	}
	p.startWorkers()
	if p.cfg.Monitor != nil {
		p.cfg.Monitor.attach(&p.packets, &p.bytes, p.queued, p.workers)
	}
	stopProgress := startProgress(p.cfg, src, &p.packets)
	p.startFlushTimer()
	go p.read()
	p.wait(ctx)
	p.drain()
	stopProgress()
	errs := p.flushStores()
	return p.summarise(errs)
}

// newPipeline checks cfg and prepares the run: the worker count, the
// memory budget's limits, which decoders run, and the run-wide stores.
func newPipeline(src source.PacketSource, name string, cfg Config) (*pipeline, error) {
	if cfg.Sink == nil {
		return nil, errors.New("collector: no record sink")
	}
	if err := registry.Validate(append(append([]string{}, cfg.Include...), cfg.Exclude...)); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	p := &pipeline{src: src, name: name, workers: cfg.Workers}
	if p.workers <= 0 {
		p.workers = runtime.NumCPU()
	}
	p.limits = cfg.applyBudget(p.workers)
	p.cfg = cfg
	p.enabled = registry.Enabled(cfg.Include, cfg.Exclude)
	p.streams = newStreams(cfg, p.enabled)
	p.profiles = newProfiles(cfg, p.enabled)
	p.asmCfg = perWorker(cfg.Reassembly, p.workers)
	p.live, _ = src.(source.LiveSource)
	if cfg.Filter != "" && p.live == nil {
		p.filter = newPacketFilter(cfg.Filter)
	}
	p.defrag = newDefragmenter(cfg.Defrag)
	p.sum = &Summary{Source: name, Workers: p.workers, Limits: p.limits, LinkType: map[string]int64{}, Records: map[string]int64{}}
	p.writes = newWriteFailure()
	p.free = make(chan *packetBatch, p.workers*8)
	p.linkTypes = map[layers.LinkType]int64{}
	p.readerDone, p.flushDone = make(chan struct{}), make(chan struct{})
	p.start, p.lastTick = time.Now(), time.Now()
	return p, nil
}

// newStreams returns the stream decoding of the run, or nil when it is
// off or nothing would read the streams (reassembly is then skipped).
func newStreams(cfg Config, enabled decoder.Set) *stream.Run {
	if cfg.NoReassembly {
		return nil
	}
	opts := cfg.Stream
	opts.Enabled = enabled
	protocols, observers := registry.StreamDecoders()
	streams := stream.NewRun(opts, protocols, observers)
	if !streams.Active() {
		return nil
	}
	return streams
}

// newProfiles returns the DeviceProfile and IPProfile store.
func newProfiles(cfg Config, enabled decoder.Set) *profile.Store {
	pc := cfg.Profiles
	pc.Devices, pc.IPs = enabled.Has(types.Type_NC_DeviceProfile), enabled.Has(types.Type_NC_IPProfile)
	return profile.NewStore(pc)
}

// perWorker splits the reassembly bounds, which are for the whole run,
// among the workers.
func perWorker(c reassembly.Config, workers int) reassembly.Config {
	if c.MaxBytes > 0 {
		c.MaxBytes = max(1, c.MaxBytes/workers)
	}
	if c.MaxConns > 0 {
		c.MaxConns = max(1, c.MaxConns/workers)
	}
	if c.MaxClosed > 0 {
		c.MaxClosed = max(1, c.MaxClosed/workers)
	}
	return c
}

// startWorkers starts one goroutine per worker, each with its queue.
func (p *pipeline) startWorkers() {
	p.queues = make([]chan *packetBatch, p.workers)
	p.ws = make([]*worker, p.workers)
	p.current = make([]*packetBatch, p.workers)
	for i := range p.workers {
		p.queues[i] = make(chan *packetBatch, 4)
		w := newWorker(p.cfg, p.enabled, p.streams, p.profiles, p.asmCfg, p.workers)
		w.em.onError, w.failed = p.writes.set, p.writes.done
		if p.cfg.Monitor != nil {
			w.monitor, w.index = p.cfg.Monitor, i
		}
		p.ws[i] = w
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			w.run(p.queues[i], p.free)
		}()
	}
}

// queued counts the batches waiting for the workers.
func (p *pipeline) queued() int {
	n := 0
	for _, q := range p.queues {
		n += len(q)
	}
	return n
}

// startFlushTimer has every worker hand its records to the sink each
// FlushInterval (wall time), the last one pushing the files to disk.
func (p *pipeline) startFlushTimer() {
	every(p.cfg.FlushInterval, p.flushDone, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.closed {
			c := &flushCycle{}
			c.left.Store(int32(p.workers))
			p.mark(batchPacket{flush: c, now: p.clock})
		}
		return !p.closed
	})
}

// wait returns when the reader is done, or stops it when ctx is
// cancelled or writing failed (without waiting long for a blocked read).
func (p *pipeline) wait(ctx context.Context) {
	select {
	case <-p.readerDone:
		return
	case <-ctx.Done():
	case <-p.writes.done:
	}
	p.sum.Stopped = true
	p.stop.Store(true)
	select {
	case <-p.readerDone:
	case <-time.After(500 * time.Millisecond):
		p.cfg.Log.Info("input blocked in a read; stopping without it")
	}
}

// drain sends the last batches, closes the queues and waits for the
// workers to write what they hold.
func (p *pipeline) drain() {
	if f, ok := p.src.(*source.File); ok {
		p.sum.InputOffset, p.sum.InputSize = f.Offset(), f.Size
	}
	p.mu.Lock()
	p.closed = true
	close(p.flushDone)
	for i := range p.workers {
		if p.current[i] != nil && len(p.current[i].pkts) > 0 {
			p.send(i)
		}
		// The workers write what timed out by the capture's last
		// time before the rest, whichever packets they saw last, so the
		// reasons records give do not depend on the worker count.
		p.ws[i].endClock = p.clock
		close(p.queues[i])
	}
	p.mu.Unlock()
	p.wg.Wait()
}
