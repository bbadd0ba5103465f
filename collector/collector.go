// Package collector runs the capture pipeline: a packet source feeds a
// dispatcher that pins every flow to one worker by a symmetric flow hash;
// each worker owns its own layer parser and record emitter, so the hot
// path takes no lock.
package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/stream"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Config configures a run.
type Config struct {
	Workers int      // packet workers; <= 0 means runtime.NumCPU()
	Include []string // decoder names to run (empty: all)
	Exclude []string // decoder names not to run
	Options packet.Options
	Sink    ncio.RecordSink
	Log     *zap.Logger
	// Progress, when set, receives a progress line twice a second
	// (rewritten in place), or with ProgressLines a line every
	// ProgressInterval (default 10 s), for logs.
	Progress         io.Writer
	ProgressLines    bool
	ProgressInterval time.Duration
	// Filter is a pcap-filter expression applied to the packets of
	// sources that are not live (a live source filters in the kernel).
	Filter string
	// Count stops the run after this many packets (0: no limit).
	Count int64
	// Stream configures the decoding of reassembled streams; Reassembly
	// bounds it (MaxBytes, MaxConns and MaxClosed are for the whole run,
	// split among the workers). NoReassembly turns both off.
	Stream       stream.Options
	Reassembly   reassembly.Config
	NoReassembly bool
	// Flows configures the connection tables; MaxFlows is for the whole
	// run, split among the workers. Emit is set per worker.
	Flows flow.Config
	// Profiles configures the DeviceProfile and IPProfile store (GeoIP,
	// bounds); which records it writes follows Include/Exclude.
	Profiles profile.Config
	// Defrag bounds the IP datagrams waiting for their fragments.
	Defrag DefragConfig
	// MemoryBudget, when above zero, is the run's memory in bytes: it sets
	// every table limit above left at zero (BudgetLimits) and the Go
	// runtime's soft memory limit while the run lasts.
	MemoryBudget int64
	// Monitor, when set, shows the run's counters while it goes.
	Monitor *Monitor
	// FlushInterval, when positive, is how often (wall time) every
	// worker hands its buffered records to the sink and the sink pushes
	// its files to disk (ncio.Syncer): a killed run leaves readable
	// files holding every record written before the last flush.
	FlushInterval time.Duration
}

// Summary is what a run did.
type Summary struct {
	Source  string
	Packets int64
	Bytes   int64
	Elapsed time.Duration
	Workers int
	Stats   packet.Stats
	Warning error // input ended early (a truncated file); records up to it were written
	Stopped bool  // the run stopped before the end of input (context cancelled, write error)
	// InputOffset and InputSize are how far into its file a file source
	// got and the file's size (0 for other sources).
	InputOffset, InputSize int64
	// StopReason (what stopped the run: "interrupted by SIGINT") and
	// InputPackets (the input's packets, 0 when unknown) are for
	// StopLine; the caller sets them.
	StopReason   string
	InputPackets int64
	LinkType     map[string]int64
	// Limits are the table limits the memory budget set (nil without
	// a budget).
	Limits *Limits
	// Reassembly and Defrag count what stream reassembly and IP
	// defragmentation did.
	Reassembly reassembly.Stats
	Defrag     DefragStats
	// StoreDrops counts records the bounded run-wide stores dropped.
	StoreDrops map[string]int64
	// Records counts the records written, by type.
	Records map[string]int64
	// Flows counts what the connection tables did.
	Flows flow.Stats
	// Filtered counts packets the filter rejected (file sources).
	Filtered int64
	// Live holds the live source's counters at the end (nil for files).
	Live *LiveStats
	// Profiles counts what the profile store did.
	Profiles profile.Stats
	// Oversize counts frames of a capture file captured longer than
	// their original length or the snap length (decoded as captured).
	Oversize Oversize
}

// PacketsPerSecond returns the decode rate.
func (s *Summary) PacketsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Packets) / s.Elapsed.Seconds()
}

// Infos describes every decoder, for listings.
func Infos() []decoder.Info { return allInfos() }

// ValidateDecoders checks include/exclude names against the decoders.
func ValidateDecoders(names []string) error {
	var unknown []string
	for _, n := range names {
		if n == "" {
			continue
		}
		if !knownDecoder(n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown decoder(s): %s (net capture -decoders lists them)", strings.Join(unknown, ", "))
	}
	return nil
}

// allInfos describes every decoder: layer, packet, stream and abstract.
func allInfos() []decoder.Info {
	out := append(packet.Infos(), flow.Infos...)
	out = append(out, profile.Infos...)
	return append(out, streamInfos()...)
}

func knownDecoder(name string) bool {
	for _, i := range allInfos() {
		if i.Matches(name) {
			return true
		}
	}
	return false
}

// enabledFunc turns include/exclude lists (names or aliases) into a
// predicate on decoder names.
func enabledFunc(include, exclude []string) func(string) bool {
	infos := allInfos()
	matches := func(list []string, name string) bool {
		for _, i := range infos {
			if i.Name != name {
				continue
			}
			for _, n := range list {
				if i.Matches(n) {
					return true
				}
			}
		}
		return false
	}
	return func(name string) bool {
		if len(include) > 0 && !matches(include, name) {
			return false
		}
		return !matches(exclude, name)
	}
}

const (
	batchPackets = 256
	batchBytes   = 512 << 10
)

type batchPacket struct {
	off, n int
	ci     CaptureInfo
	// defragOff/defragN locate the payload of the datagram this fragment
	// completed, in the batch's arena; defragN is 0 for other packets.
	defragOff, defragN int
	// now is the capture's clock at this packet: the latest time read so
	// far (stream timeouts use it, see reassembly.Assembler.Advance).
	now int64
	// tick marks no packet: the clock moved on (live capture).
	tick bool
	// flush marks no packet: hand the buffered records to the sink; the
	// last worker to see the cycle syncs the sink.
	flush *flushCycle
}

// flushCycle is one periodic flush, shared by the workers' markers.
type flushCycle struct {
	left atomic.Int32
}

// packetBatch carries packets to one worker: one channel operation per
// batch, not per packet, and one copy of each frame into the arena.
type packetBatch struct {
	data []byte
	pkts []batchPacket
}

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

// Run reads every packet of src, decodes it and writes the records to
// cfg.Sink. It stops early, flushing everything, when ctx is cancelled.
func Run(ctx context.Context, src PacketSource, name string, cfg Config) (*Summary, error) {
	if cfg.Sink == nil {
		return nil, errors.New("collector: no record sink")
	}
	if err := ValidateDecoders(append(append([]string{}, cfg.Include...), cfg.Exclude...)); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	limits := cfg.applyBudget(workers)
	if limits != nil {
		defer setMemoryLimit(limits.MemoryLimit)()
	}
	enabled := enabledFunc(cfg.Include, cfg.Exclude)
	streamOpts := cfg.Stream
	streamOpts.Enabled = enabledSet(enabled)
	protocols, observers := streamDecoders()
	streams := stream.NewRun(streamOpts, protocols, observers)
	if cfg.NoReassembly {
		streams = nil
	} else if !streams.Active() {
		streams = nil // nothing reads streams: skip reassembly
	}
	pc := cfg.Profiles
	pc.Devices, pc.IPs = enabled("DeviceProfile"), enabled("IPProfile")
	profiles := profile.NewStore(pc)
	asmCfg := cfg.Reassembly
	if asmCfg.MaxBytes > 0 {
		asmCfg.MaxBytes = max(1, asmCfg.MaxBytes/workers) // the bound is for the run
	}
	if asmCfg.MaxConns > 0 {
		asmCfg.MaxConns = max(1, asmCfg.MaxConns/workers)
	}
	if asmCfg.MaxClosed > 0 {
		asmCfg.MaxClosed = max(1, asmCfg.MaxClosed/workers)
	}

	sum := &Summary{Source: name, Workers: workers, Limits: limits, LinkType: map[string]int64{}, Records: map[string]int64{}}
	start := time.Now()
	writes := newWriteFailure()

	free := make(chan *packetBatch, workers*8)
	queues := make([]chan *packetBatch, workers)
	ws := make([]*worker, workers)
	var wg sync.WaitGroup
	for i := range workers {
		queues[i] = make(chan *packetBatch, 4)
		ws[i] = newWorker(cfg, enabled, streams, profiles, asmCfg, workers)
		ws[i].em.onError, ws[i].failed = writes.set, writes.done
		if cfg.Monitor != nil {
			ws[i].monitor, ws[i].index = cfg.Monitor, i
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws[i].run(queues[i], free)
		}()
	}

	current := make([]*packetBatch, workers)
	newBatch := func() *packetBatch {
		select {
		case b := <-free:
			return b
		default:
			return &packetBatch{data: make([]byte, 0, batchBytes+65536), pkts: make([]batchPacket, 0, batchPackets)}
		}
	}
	send := func(i int) {
		queues[i] <- current[i]
		current[i] = nil
	}

	var packets, bytes atomic.Int64
	var clock int64
	if cfg.Monitor != nil {
		cfg.Monitor.attach(&packets, &bytes, func() int {
			n := 0
			for _, q := range queues {
				n += len(q)
			}
			return n
		}, workers)
	}
	stopProgress := startProgress(cfg, src, &packets)
	live, isLive := src.(LiveSource)
	var filter *packetFilter
	if cfg.Filter != "" && !isLive {
		filter = newPacketFilter(cfg.Filter)
	}
	// A live source moves the clock on and hands records to the files
	// about once a second, even when few or no packets arrive; a file is
	// driven by its packets alone, so runs are repeatable.
	lastTick := time.Now()
	// mark sends bp, a marker that is no packet, to every worker.
	mark := func(bp batchPacket) {
		for i := range workers {
			b := current[i]
			if b == nil {
				b = newBatch()
				current[i] = b
			}
			b.pkts = append(b.pkts, bp)
			send(i)
		}
	}
	tick := func() {
		clock = max(clock, time.Now().UnixNano())
		mark(batchPacket{tick: true, now: clock})
		lastTick = time.Now()
	}
	linkTypes := map[layers.LinkType]int64{}
	defrag := newDefragmenter(cfg.Defrag)

	// The reader runs in its own goroutine so that an interrupt stops the
	// run even while a read blocks (a pipe that stays open, an idle
	// interface). mu guards the batches and queues: the reader holds it
	// while it dispatches a packet, not while it reads, and once closed is
	// set a late-waking reader drops what it read.
	var (
		mu      sync.Mutex
		closed  bool
		stop    atomic.Bool
		readErr error
	)
	readerDone := make(chan struct{})
	flushDone := make(chan struct{})
	every(cfg.FlushInterval, flushDone, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if !closed {
			c := &flushCycle{}
			c.left.Store(int32(workers))
			mark(batchPacket{flush: c, now: clock})
		}
		return !closed
	})
	go func() {
		defer close(readerDone)
		defer func() {
			// A reader that wakes after the run gave up on it (closed)
			// must not touch the summary any more.
			mu.Lock()
			if oc, ok := src.(oversizeCounter); ok && !closed {
				sum.Oversize = oc.Oversized()
			}
			mu.Unlock()
		}()
		for !stop.Load() {
			data, ci, err := src.ReadPacket()
			mu.Lock()
			if closed {
				mu.Unlock()
				return
			}
			if isLive && (errors.Is(err, ErrIdle) || time.Since(lastTick) >= time.Second) {
				tick()
			}
			if errors.Is(err, ErrIdle) {
				mu.Unlock()
				continue
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				mu.Unlock()
				return
			}
			if filter != nil && !filter.match(data, ci.Length, ci.LinkType) {
				sum.Filtered++
				if filter.err != nil {
					readErr = filter.err
					mu.Unlock()
					return
				}
				mu.Unlock()
				continue
			}
			linkTypes[ci.LinkType]++
			var payload []byte
			hash := uint64(0)
			if f, ok := parseFragment(data, ci.LinkType); ok {
				var proto uint8
				var done bool
				if payload, proto, done = defrag.add(f, ci.Timestamp); done {
					hash = datagramHash(f.src, f.dst, proto, payload)
				}
			}
			w := 0
			if workers > 1 {
				if payload == nil {
					hash = flowHash(data, ci.LinkType)
				}
				w = int(hash % uint64(workers))
			}
			b := current[w]
			if b == nil {
				b = newBatch()
				current[w] = b
			}
			clock = max(clock, ci.Timestamp)
			bp := batchPacket{off: len(b.data), n: len(data), ci: ci, now: clock}
			b.data = append(b.data, data...)
			if payload != nil {
				bp.defragOff, bp.defragN = len(b.data), len(payload)
				b.data = append(b.data, payload...)
			}
			b.pkts = append(b.pkts, bp)
			packets.Add(1)
			bytes.Add(int64(len(data)))
			if len(b.pkts) >= batchPackets || len(b.data) >= batchBytes {
				send(w)
			}
			if cfg.Count > 0 && packets.Load() >= cfg.Count {
				mu.Unlock()
				return
			}
			mu.Unlock()
		}
	}()
	stopReader := func() {
		stop.Store(true)
		select {
		case <-readerDone:
		case <-time.After(500 * time.Millisecond):
			cfg.Log.Info("input blocked in a read; stopping without it")
		}
	}
	select {
	case <-readerDone:
	case <-ctx.Done():
		sum.Stopped = true
		stopReader()
	case <-writes.done:
		sum.Stopped = true
		stopReader()
	}
	if f, ok := src.(*File); ok {
		sum.InputOffset, sum.InputSize = f.Offset(), f.Size
	}
	mu.Lock()
	closed = true
	close(flushDone)
	for i := range workers {
		if current[i] != nil && len(current[i].pkts) > 0 {
			send(i)
		}
		// The workers write what timed out by the capture's last
		// time before the rest, whichever packets they saw last, so the
		// reasons records give do not depend on the worker count.
		ws[i].endClock = clock
		close(queues[i])
	}
	err := readErr
	mu.Unlock()
	wg.Wait()
	stopProgress()

	// The shared stores (software, services, profiles) write what they
	// aggregated.
	var errs []error
	if writes.err != nil {
		profiles, streams = nil, nil // nothing more can be written
	}
	if profiles.Active() {
		em := newCountingEmitter(cfg.Sink.NewEmitter())
		errs = append(errs, profiles.Flush(func(t types.Type, r proto.Message) error { return em.Emit(t, r) }), em.Flush())
		em.addTo(sum.Records)
		sum.Profiles = profiles.Stats()
	}
	if streams != nil {
		sum.StoreDrops = streams.Dropped()
		em := newCountingEmitter(cfg.Sink.NewEmitter())
		errs = append(errs, streams.Flush(func(t types.Type, r proto.Message) error { return em.Emit(t, r) }), em.Flush())
		em.addTo(sum.Records)
	}

	sum.Packets, sum.Bytes = packets.Load(), bytes.Load()
	sum.Elapsed = time.Since(start)
	for _, w := range ws {
		sum.Stats.Add(w.parser.Stats())
		w.em.addTo(sum.Records)
		if w.asm != nil {
			sum.Reassembly.Add(w.asm.Stats())
		}
		sum.Flows.Add(w.flows.Stats())
		errs = append(errs, w.err)
	}
	sum.Defrag = defrag.stats
	if isLive {
		st := live.Stats()
		sum.Live = &st
	}
	mu.Lock()
	defer mu.Unlock()
	for lt, n := range linkTypes {
		sum.LinkType[lt.String()] += n
	}
	if sum.Oversize.Any() {
		cfg.Log.Warn(name + ": " + sum.Oversize.Warning())
	}
	if writes.err != nil {
		return sum, writes.err
	}
	if err != nil {
		if errors.Is(err, ErrTruncated) {
			sum.Warning = err
		} else {
			return sum, err
		}
	}
	return sum, errors.Join(errs...)
}

// PacketLayerTypes returns the record types written once per packet
// header (the GoPacket decoders): they count as packets of their protocol.
func PacketLayerTypes() map[types.Type]bool {
	m := map[types.Type]bool{}
	for _, i := range Infos() {
		if i.Group == decoder.GroupGoPacket {
			m[i.Type] = true
		}
	}
	return m
}
