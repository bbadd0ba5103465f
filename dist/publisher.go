package dist

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// PublisherConfig configures an agent's publisher.
type PublisherConfig struct {
	URL      string // nats://host:4222[,nats://host2:4222]
	Agent    string // agent id (subject token, directory name at the collector)
	Source   string // the agent's input, for the record files' headers
	Payloads bool
	Options  []nats.Option // TLS, credentials
	// BufferBytes bounds the batches held in memory while the collector is
	// unreachable (default 64 MiB); past it batches go to the spool.
	BufferBytes int64
	// SpoolDir holds batches on disk past the memory bound and at the end
	// of a run that could not deliver everything (none: no spool).
	SpoolDir   string
	SpoolBytes int64 // default 1 GiB
	// BatchBytes is the framed size of a batch (default 256 KiB).
	BatchBytes int
	// DrainTimeout is how long Close waits for the collector to take what
	// is buffered (default 1 minute).
	DrainTimeout   time.Duration
	PublishTimeout time.Duration // one publish's wait for JetStream's ack (default 5 s)
	Log            *zap.Logger
}

// PublisherStats counts a publisher's batches and records.
type PublisherStats struct {
	Batches, Records             int64 // made
	SentBatches, SentRecords     int64 // acknowledged by JetStream
	Duplicates                   int64 // JetStream had them already (a retry after a lost ack)
	SpooledBatches               int64 // went through the disk spool
	DroppedBatches               int64 // past both bounds: lost
	DroppedRecords               int64
	LeftBatches, LeftRecords     int64 // in the spool at Close: the next run sends them
	Retries                      int64
	BufferedBatches, SpoolMaxLen int64
}

// Publisher is an io.RecordSink that publishes record batches to
// JetStream. Emitters hand it batches (one per type, about BatchBytes);
// one goroutine sends them in order and retries until JetStream
// acknowledges, so the capture never waits for the network: while the
// collector is unreachable batches wait in memory, then in the spool, and
// past both bounds they are dropped and counted.
type Publisher struct {
	cfg PublisherConfig
	log *zap.Logger
	nc  *nats.Conn
	js  jetstream.JetStream
	run string

	mu       sync.Mutex
	cond     *sync.Cond
	seq      uint64
	mem      []*Batch
	memBytes int64
	sp       *spool
	closing  bool
	abort    bool
	fatal    error
	fatalCh  chan struct{}
	st       PublisherStats
	done     chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	lastWarn time.Time
	// stalled is set while publishing fails (the collector is
	// unreachable): Sync then moves waiting batches to the spool.
	stalled bool
}

// NewPublisher connects (in the background: an unreachable collector is
// not an error, the agent buffers) and starts the sender.
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	if err := ValidAgentID(cfg.Agent); err != nil {
		return nil, err
	}
	if cfg.BufferBytes <= 0 {
		cfg.BufferBytes = 64 << 20
	}
	if cfg.SpoolBytes <= 0 {
		cfg.SpoolBytes = 1 << 30
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = time.Minute
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	p := &Publisher{cfg: cfg, log: cfg.Log, run: fmt.Sprintf("%020d", time.Now().UnixNano()),
		done: make(chan struct{}), fatalCh: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if cfg.SpoolDir != "" {
		sp, err := openSpool(cfg.SpoolDir, cfg.SpoolBytes)
		if err != nil {
			return nil, err
		}
		p.sp = sp
		if n := sp.len(); n > 0 {
			p.log.Info("spool: batches of an earlier run are sent first", zap.Int("batches", n), zap.String("dir", cfg.SpoolDir))
		}
	}
	opts := append([]nats.Option{
		nats.Name("netcap agent " + cfg.Agent),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		// Our buffer holds what the collector has not taken; the client's
		// own reconnect buffer would hide failures from the sender.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				p.log.Warn("collector connection lost: buffering", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			p.log.Info("collector connection back", zap.String("server", nc.ConnectedUrlRedacted()))
			p.cond.Broadcast()
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) { p.checkFatal(err) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { p.checkFatal(err) }),
		nats.ClosedHandler(func(nc *nats.Conn) { p.checkFatal(nc.LastError()) }),
	}, cfg.Options...)
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.URL, err)
	}
	p.nc = nc
	if p.js, err = jetstream.New(nc); err != nil {
		nc.Close()
		return nil, err
	}
	go p.send()
	return p, nil
}

// IsRefusal reports whether err means the collector refused us (bad
// credentials, a certificate it does not accept): retrying cannot help.
func IsRefusal(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) {
		return true
	}
	s := strings.ToLower(err.Error())
	for _, w := range []string{"authorization violation", "authentication", "x509:", "tls:", "certificate"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func (p *Publisher) checkFatal(err error) {
	if !IsRefusal(err) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fatal == nil {
		p.fatal = fmt.Errorf("the collector refused this agent: %w", err)
		p.log.Error("refused by the collector", zap.Error(err))
		close(p.fatalCh)
		p.cond.Broadcast()
	}
}

// Refused is closed when the collector refused the agent (see Err).
func (p *Publisher) Refused() <-chan struct{} { return p.fatalCh }

// Err returns why the collector refused the agent, if it did.
func (p *Publisher) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

// NewEmitter returns an emitter for one worker.
func (p *Publisher) NewEmitter() ncio.Emitter { return ncio.NewBatchEmitter(p, p.cfg.BatchBytes) }

// WriteBatch compresses a batch and queues it; it never waits for the
// network.
func (p *Publisher) WriteBatch(t types.Type, framed []byte, n int) error {
	data := Compress(framed)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	b := &Batch{Agent: p.cfg.Agent, Run: p.run, Seq: p.seq, Type: t, Records: n, Source: p.cfg.Source, Payloads: p.cfg.Payloads, Data: data}
	p.st.Batches++
	p.st.Records += int64(n)
	p.enqueue(b)
	return nil
}

func (p *Publisher) enqueue(b *Batch) {
	defer p.cond.Broadcast()
	fits := p.memBytes+int64(b.Size()) <= p.cfg.BufferBytes || len(p.mem) == 0
	if fits && (p.sp == nil || p.sp.len() == 0) {
		p.mem = append(p.mem, b)
		p.memBytes += int64(b.Size())
		return
	}
	if p.sp != nil {
		ok, err := p.sp.put(b)
		if err != nil {
			p.log.Error("spool", zap.Error(err))
		}
		if ok {
			p.st.SpooledBatches++
			p.st.SpoolMaxLen = max(p.st.SpoolMaxLen, int64(p.sp.len()))
			return
		}
	}
	if fits {
		p.mem = append(p.mem, b)
		p.memBytes += int64(b.Size())
		return
	}
	p.st.DroppedBatches++
	p.st.DroppedRecords += int64(b.Records)
	if time.Since(p.lastWarn) > 10*time.Second {
		p.lastWarn = time.Now()
		p.log.Warn("buffer and spool full: dropping batches", zap.Int64("dropped_batches", p.st.DroppedBatches), zap.Int64("dropped_records", p.st.DroppedRecords))
	}
}

// next returns the oldest batch to send (nil: stop).
func (p *Publisher) next() (*Batch, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.abort || p.fatal != nil {
			return nil, false
		}
		if len(p.mem) > 0 {
			return p.mem[0], false
		}
		if p.sp != nil && p.sp.len() > 0 {
			b, err := p.sp.peek()
			if err != nil {
				p.log.Error("spool: damaged batch dropped", zap.Error(err))
				p.st.DroppedBatches++
				continue
			}
			return b, true
		}
		if p.closing {
			return nil, false
		}
		p.cond.Wait()
	}
}

func (p *Publisher) send() {
	defer close(p.done)
	for {
		b, fromSpool := p.next()
		if b == nil {
			return
		}
		dup, ok := p.publish(b)
		if !ok {
			return
		}
		p.mu.Lock()
		if fromSpool {
			p.sp.remove()
		} else {
			p.mem = p.mem[1:]
			p.memBytes -= int64(b.Size())
		}
		p.st.SentBatches++
		p.st.SentRecords += int64(b.Records)
		if dup {
			p.st.Duplicates++
		}
		p.cond.Broadcast()
		p.mu.Unlock()
	}
}

// publish sends b until JetStream acknowledges it; false when told to stop.
func (p *Publisher) publish(b *Batch) (dup, ok bool) {
	wait := 100 * time.Millisecond
	msg := b.Msg()
	for {
		ctx, cancel := context.WithTimeout(p.ctx, p.cfg.PublishTimeout)
		ack, err := p.js.PublishMsg(ctx, msg)
		cancel()
		if err == nil {
			p.mu.Lock()
			p.stalled = false
			p.mu.Unlock()
			return ack.Duplicate, true
		}
		// The reconnect loop does not report every failed attempt; its last
		// error tells a refusal (credentials, certificates) from an outage.
		p.checkFatal(p.nc.LastError())
		p.mu.Lock()
		stop := p.abort || p.fatal != nil
		p.stalled = true
		p.st.Retries++
		if !stop && time.Since(p.lastWarn) > 10*time.Second {
			p.lastWarn = time.Now()
			spooled := 0
			if p.sp != nil {
				spooled = p.sp.len()
			}
			p.log.Warn("collector unreachable: buffering", zap.Error(err), zap.Int("in_memory", len(p.mem)), zap.Int("in_spool", spooled))
		}
		p.mu.Unlock()
		if stop {
			return false, false
		}
		select {
		case <-p.ctx.Done():
			return false, false
		case <-p.fatalCh:
			return false, false
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Sync moves the batches waiting in memory for an unreachable collector
// to the disk spool (when there is one), so that an agent killed while
// the collector is away loses at most the batch in flight. The batch
// being sent stays; a batch sent twice is stored once (message IDs and
// the collector's sequence sets).
func (p *Publisher) Sync() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sp == nil || !p.stalled || len(p.mem) <= 1 {
		return nil
	}
	kept := p.mem[:1]
	for i, b := range p.mem[1:] {
		ok, err := p.sp.put(b)
		if err != nil || !ok {
			kept = append(kept, p.mem[1+i:]...)
			if err != nil {
				p.log.Error("spool", zap.Error(err))
			}
			break
		}
		p.st.SpooledBatches++
		p.memBytes -= int64(b.Size())
	}
	p.mem = kept
	p.st.SpoolMaxLen = max(p.st.SpoolMaxLen, int64(p.sp.len()))
	return nil
}

// waitDrained waits until every batch is sent, the collector refuses
// the agent, or DrainTimeout passes; meanwhile what waits for an
// unreachable collector goes to the spool every second (Sync), so a kill
// during the wait loses nothing spooled.
func (p *Publisher) waitDrained() {
	timer := time.NewTimer(p.cfg.DrainTimeout)
	defer timer.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		p.Sync()
		select {
		case <-p.done:
			return
		case <-p.fatalCh:
			return
		case <-timer.C:
			p.log.Warn("collector did not take everything before the drain timeout", zap.Duration("timeout", p.cfg.DrainTimeout))
			return
		case <-tick.C:
		}
	}
}

// Close waits up to DrainTimeout for every batch to be acknowledged. What
// is left goes to the spool (sent by the next run with the same -spool),
// or is dropped and counted without one.
func (p *Publisher) Close() error {
	p.mu.Lock()
	p.closing = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.waitDrained()
	p.mu.Lock()
	p.abort = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.cancel()
	<-p.done
	p.nc.Close()

	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.mem {
		ok := false
		if p.sp != nil {
			var err error
			if ok, err = p.sp.put(b); err != nil {
				p.log.Error("spool", zap.Error(err))
			}
		}
		if !ok {
			p.st.DroppedBatches++
			p.st.DroppedRecords += int64(b.Records)
		}
	}
	p.mem, p.memBytes = nil, 0
	if p.sp != nil {
		p.st.LeftBatches = int64(p.sp.len())
		for _, name := range p.sp.names {
			if b, err := readSpoolFile(filepath.Join(p.sp.dir, name)); err == nil {
				p.st.LeftRecords += int64(b.Records)
			}
		}
	}
	switch {
	case p.fatal != nil:
		return p.fatal
	case p.st.DroppedRecords > 0:
		return fmt.Errorf("%d records (%d batches) could not be delivered or spooled and were dropped", p.st.DroppedRecords, p.st.DroppedBatches)
	}
	return nil
}

// Stats returns the counters so far.
func (p *Publisher) Stats() PublisherStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.st
	s.BufferedBatches = int64(len(p.mem))
	return s
}

// String summarises the stats for the agent's last line.
func (s PublisherStats) String() string {
	var b strings.Builder
	b.WriteString("batches " + strconv.FormatInt(s.Batches, 10) + " (" + strconv.FormatInt(s.Records, 10) + " records), ")
	b.WriteString("delivered " + strconv.FormatInt(s.SentBatches, 10) + " (" + strconv.FormatInt(s.SentRecords, 10) + " records)")
	if s.Duplicates > 0 {
		fmt.Fprintf(&b, ", %d already there (retries)", s.Duplicates)
	}
	if s.SpooledBatches > 0 {
		fmt.Fprintf(&b, ", %d through the disk spool", s.SpooledBatches)
	}
	if s.LeftBatches > 0 {
		fmt.Fprintf(&b, ", %d batches (%d records) left in the spool for the next run", s.LeftBatches, s.LeftRecords)
	}
	if s.DroppedBatches > 0 {
		fmt.Fprintf(&b, ", DROPPED %d batches (%d records)", s.DroppedBatches, s.DroppedRecords)
	}
	return b.String()
}
