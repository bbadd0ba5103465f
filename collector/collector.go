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

	"github.com/netcap-go/netcap/decoder/packet"
	ncio "github.com/netcap-go/netcap/io"
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
	// Progress, when set, receives a progress line twice a second.
	Progress io.Writer
}

// Summary is what a run did.
type Summary struct {
	Source   string
	Packets  int64
	Bytes    int64
	Elapsed  time.Duration
	Workers  int
	Stats    packet.Stats
	Warning  error // input ended early (a truncated file); records up to it were written
	Stopped  bool  // the run was interrupted (context cancelled)
	LinkType map[string]int64
}

// PacketsPerSecond returns the decode rate.
func (s *Summary) PacketsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Packets) / s.Elapsed.Seconds()
}

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

func knownDecoder(name string) bool {
	for _, i := range packet.Infos() {
		if i.Matches(name) {
			return true
		}
	}
	return false
}

// enabledFunc turns include/exclude lists (names or aliases) into a
// predicate on decoder names.
func enabledFunc(include, exclude []string) func(string) bool {
	infos := packet.Infos()
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
}

// packetBatch carries packets to one worker: one channel operation per
// batch, not per packet, and one copy of each frame into the arena.
type packetBatch struct {
	data []byte
	pkts []batchPacket
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
	enabled := enabledFunc(cfg.Include, cfg.Exclude)

	sum := &Summary{Source: name, Workers: workers, LinkType: map[string]int64{}}
	start := time.Now()

	free := make(chan *packetBatch, workers*8)
	queues := make([]chan *packetBatch, workers)
	parsers := make([]*packet.Parser, workers)
	emitErr := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		queues[i] = make(chan *packetBatch, 4)
		em := cfg.Sink.NewEmitter()
		i := i
		parsers[i] = packet.NewParser(cfg.Options, enabled, func(t types.Type, r proto.Message) error {
			return em.Emit(t, r)
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := parsers[i]
			for b := range queues[i] {
				for _, bp := range b.pkts {
					if err := p.Decode(b.data[bp.off:bp.off+bp.n], bp.ci.Timestamp, bp.ci.Length, bp.ci.LinkType); err != nil && emitErr[i] == nil {
						emitErr[i] = err
					}
				}
				b.data, b.pkts = b.data[:0], b.pkts[:0]
				select {
				case free <- b:
				default:
				}
			}
			if err := em.Flush(); err != nil && emitErr[i] == nil {
				emitErr[i] = err
			}
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
	stopProgress := startProgress(cfg.Progress, src, &packets)
	linkTypes := map[layers.LinkType]int64{}

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
	go func() {
		defer close(readerDone)
		for !stop.Load() {
			data, ci, err := src.ReadPacket()
			mu.Lock()
			if closed {
				mu.Unlock()
				return
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				mu.Unlock()
				return
			}
			linkTypes[ci.LinkType]++
			w := 0
			if workers > 1 {
				w = int(flowHash(data, ci.LinkType) % uint64(workers))
			}
			b := current[w]
			if b == nil {
				b = newBatch()
				current[w] = b
			}
			b.pkts = append(b.pkts, batchPacket{off: len(b.data), n: len(data), ci: ci})
			b.data = append(b.data, data...)
			packets.Add(1)
			bytes.Add(int64(len(data)))
			if len(b.pkts) >= batchPackets || len(b.data) >= batchBytes {
				send(w)
			}
			mu.Unlock()
		}
	}()
	select {
	case <-readerDone:
	case <-ctx.Done():
		stop.Store(true)
		sum.Stopped = true
		select {
		case <-readerDone:
		case <-time.After(500 * time.Millisecond):
			cfg.Log.Info("input blocked in a read; stopping without it")
		}
	}
	mu.Lock()
	closed = true
	for i := range workers {
		if current[i] != nil && len(current[i].pkts) > 0 {
			send(i)
		}
		close(queues[i])
	}
	err := readErr
	mu.Unlock()
	wg.Wait()
	stopProgress()

	sum.Packets, sum.Bytes = packets.Load(), bytes.Load()
	sum.Elapsed = time.Since(start)
	for _, p := range parsers {
		sum.Stats.Add(p.Stats())
	}
	mu.Lock()
	defer mu.Unlock()
	for lt, n := range linkTypes {
		sum.LinkType[lt.String()] += n
	}
	if err != nil {
		if errors.Is(err, ErrTruncated) {
			sum.Warning = err
		} else {
			return sum, err
		}
	}
	return sum, errors.Join(emitErr...)
}
