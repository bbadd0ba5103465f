package dist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// CollectorConfig configures `net collect`.
type CollectorConfig struct {
	Out         string // record files: Out/<agent>/Type.ncap.gz, or Out/Type.ncap.gz with Merge
	Merge       bool
	Compression ncio.Compression
	// URL of an existing NATS cluster; empty starts the embedded server.
	URL     string
	Options []nats.Option // credentials and TLS for URL
	Server  ServerConfig  // the embedded server
	// A checkpoint (files durable, batches acknowledged) happens every
	// CommitInterval (default 1 s) or CommitBatches batches (default 512).
	CommitInterval time.Duration
	CommitBatches  int
	// StreamMaxBytes bounds the JetStream stream (default: the server's
	// store bound); when it is full, agents buffer.
	StreamMaxBytes int64
	// DrainTimeout bounds how long the collector, asked to stop, still
	// takes batches the stream holds (default 10 s).
	DrainTimeout time.Duration
	// MaxRuns bounds the agent runs whose applied sequences are kept to
	// detect redeliveries (default 4096; the least recently active go).
	MaxRuns int
	Log     *zap.Logger
	// Observe, when set, sees every record written (net collect -metrics
	// counts them for Prometheus).
	Observe func(types.Type, proto.Message)
	// Ready is called once the collector consumes, with the URL agents use.
	Ready func(url string)
}

// CollectorStats counts what a collector wrote.
type CollectorStats struct {
	Batches, Records int64
	Duplicates       int64 // batches delivered again and skipped
	Bad              int64 // messages refused (malformed, damaged)
	Commits          int64
	Agents           map[string]int64 // records per agent
	// At start: files set aside because they did not match their
	// checkpoint, checkpointed files that were gone, and record files
	// under Out the collector did not write (left alone).
	SetAside, Missing, Strangers int64
}

// stateFile is the collector's checkpoint in Out.
const stateFile = ".netcap-collect.json"

// fileState is a file's last checkpoint. Size 0 marks a file listed
// before it was created and not checkpointed since.
type fileState struct {
	Size    int64 `json:"size"`
	Records int64 `json:"records"`
	// Path is where the file is, relative to Out, when that is not its
	// key (a file not ours held the name when it was created).
	Path string `json:"path,omitempty"`
}

type collectState struct {
	Files   map[string]fileState `json:"files"`   // path relative to Out
	Applied map[string]*seqSet   `json:"applied"` // agent/run -> sequences written
	Touched map[string]int64     `json:"touched"` // agent/run -> last commit that added to it
}

// seqSet is a set of sequence numbers as sorted closed intervals: an
// agent's batches arrive nearly in order, so it stays a few intervals.
type seqSet struct {
	R [][2]uint64 `json:"r"`
}

func (s *seqSet) contains(x uint64) bool {
	i := sort.Search(len(s.R), func(i int) bool { return s.R[i][1] >= x })
	return i < len(s.R) && s.R[i][0] <= x
}

func (s *seqSet) add(x uint64) {
	if s.contains(x) {
		return
	}
	i := sort.Search(len(s.R), func(i int) bool { return s.R[i][0] > x })
	// join with the interval before and/or after
	joinPrev := i > 0 && s.R[i-1][1]+1 == x
	joinNext := i < len(s.R) && x+1 == s.R[i][0]
	switch {
	case joinPrev && joinNext:
		s.R[i-1][1] = s.R[i][1]
		s.R = slices.Delete(s.R, i, i+1)
	case joinPrev:
		s.R[i-1][1] = x
	case joinNext:
		s.R[i][0] = x
	default:
		s.R = slices.Insert(s.R, i, [2]uint64{x, x})
	}
}

type collector struct {
	cfg     CollectorConfig
	log     *zap.Logger
	state   collectState
	writers map[string]*ncio.FileWriter
	pending []jetstream.Msg
	// written holds the sequences written since the last commit: they
	// join state.Applied only with the checkpoint that makes them safe,
	// so a state saved between commits never claims them.
	written map[string]*seqSet
	st      CollectorStats
	commits int64
}

// RunCollector consumes batches until ctx ends, then commits and closes
// the files.
func RunCollector(ctx context.Context, cfg CollectorConfig) (*CollectorStats, error) {
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = time.Second
	}
	if cfg.CommitBatches <= 0 {
		cfg.CommitBatches = 512
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 10 * time.Second
	}
	if cfg.MaxRuns <= 0 {
		cfg.MaxRuns = 4096
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	c := &collector{cfg: cfg, log: cfg.Log, writers: map[string]*ncio.FileWriter{}, written: map[string]*seqSet{}, st: CollectorStats{Agents: map[string]int64{}}}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	if err := c.recover(); err != nil {
		return nil, err
	}

	var (
		nc  *nats.Conn
		err error
		url = cfg.URL
	)
	if cfg.URL == "" {
		if cfg.Server.Log == nil {
			cfg.Server.Log = cfg.Log
		}
		srv, err := StartServer(cfg.Server)
		if err != nil {
			return nil, err
		}
		defer srv.Shutdown()
		url = srv.ClientURL()
		opts := []nats.Option{nats.InProcessServer(srv.srv), nats.Name("netcap collector")}
		if len(cfg.Server.NKeys) > 0 || len(cfg.Server.Users) > 0 {
			opts = append(opts, nats.UserInfo(internalUser, srv.password))
		}
		nc, err = nats.Connect("", opts...)
		if err != nil {
			return nil, fmt.Errorf("connecting to the embedded server: %w", err)
		}
	} else {
		opts := append([]nats.Option{nats.Name("netcap collector"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true)}, cfg.Options...)
		nc, err = nats.Connect(cfg.URL, opts...)
		if err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", cfg.URL, err)
		}
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	cons, err := setupStream(ctx, js, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Ready != nil {
		cfg.Ready(url)
	}
	runErr := c.consume(ctx, cons)
	if runErr == nil {
		runErr = c.drain(cons)
	}
	if err := c.commit(); err != nil && runErr == nil {
		runErr = err
	}
	for _, w := range c.writers {
		if err := w.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	c.st.Commits = c.commits
	return &c.st, runErr
}

func setupStream(ctx context.Context, js jetstream.JetStream, cfg CollectorConfig) (jetstream.Consumer, error) {
	maxBytes := cfg.StreamMaxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	var (
		stream jetstream.Stream
		err    error
	)
	// The server may still be electing its JetStream leader just after start.
	for try := 0; ; try++ {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		stream, err = js.CreateOrUpdateStream(sctx, jetstream.StreamConfig{
			Name:        StreamName,
			Description: "netcap audit record batches from agents",
			Subjects:    []string{SubjectPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			// A batch leaves the stream once the collector acknowledged it:
			// the store holds only what is not in the files yet.
			Retention:  jetstream.WorkQueuePolicy,
			Discard:    jetstream.DiscardNew,
			MaxBytes:   maxBytes,
			Duplicates: 10 * time.Minute,
		})
		cancel()
		if err == nil || try >= 5 || ctx.Err() != nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the JetStream stream %s: %w", StreamName, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// A consumer left by a collector that died holds its unacknowledged
	// batches until their ack wait ends. The stream keeps every batch not
	// acknowledged (work-queue retention) and the state file tells which
	// are already in the files, so a new consumer gets them all at once.
	if err := stream.DeleteConsumer(cctx, ConsumerName); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("resetting the consumer %s: %w", ConsumerName, err)
	}
	cons, err := stream.CreateOrUpdateConsumer(cctx, jetstream.ConsumerConfig{
		Durable:       ConsumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 8192,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: SubjectPrefix + ".>",
	})
	if err != nil {
		return nil, fmt.Errorf("creating the durable consumer %s: %w", ConsumerName, err)
	}
	return cons, nil
}

func (c *collector) consume(ctx context.Context, cons jetstream.Consumer) error {
	last := time.Now()
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		mb, err := cons.Fetch(256, jetstream.FetchMaxWait(500*time.Millisecond))
		if err == nil {
			for m := range mb.Messages() {
				c.apply(m)
				if len(c.pending) >= c.cfg.CommitBatches {
					if err := c.commit(); err != nil {
						return err
					}
					last = time.Now()
				}
			}
			err = mb.Error()
		}
		if err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			c.log.Warn("fetching batches", zap.Error(err))
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
		} else {
			wait = 100 * time.Millisecond
		}
		if len(c.pending) > 0 && time.Since(last) >= c.cfg.CommitInterval {
			if err := c.commit(); err != nil {
				return err
			}
			last = time.Now()
		}
	}
	return nil
}

// drain takes, once asked to stop, what the stream still holds (for at
// most DrainTimeout), so agents that ended before the collector have
// their records in the files.
func (c *collector) drain(cons jetstream.Consumer) error {
	deadline := time.Now().Add(c.cfg.DrainTimeout)
	for time.Now().Before(deadline) {
		mb, err := cons.FetchNoWait(256)
		if err != nil {
			return nil
		}
		n := 0
		for m := range mb.Messages() {
			n++
			c.apply(m)
			if len(c.pending) >= c.cfg.CommitBatches {
				if err := c.commit(); err != nil {
					return err
				}
			}
		}
		if n == 0 {
			return nil
		}
	}
	c.log.Warn("stopped with batches still in the stream (they are taken at the next start)", zap.Duration("drain_timeout", c.cfg.DrainTimeout))
	return nil
}

// apply writes one batch (or skips it as already written); its ack waits
// for the next commit.
func (c *collector) apply(m jetstream.Msg) {
	b, err := ParseBatch(m.Headers(), m.Data())
	var framed []byte
	if err == nil {
		key := b.Agent + "/" + b.Run
		if c.applied(key, b.Seq) {
			c.st.Duplicates++
			c.pending = append(c.pending, m)
			return
		}
		framed, err = b.Framed()
	}
	if err != nil {
		c.st.Bad++
		c.log.Error("refused a malformed batch", zap.String("subject", m.Subject()), zap.Error(err))
		m.Term()
		return
	}
	w, err := c.writer(b)
	if err == nil {
		err = w.WriteFramed(framed, b.Records)
	}
	if err != nil {
		// not acknowledged: JetStream delivers it again after AckWait
		c.log.Error("writing a batch", zap.String("batch", b.MsgID()), zap.Error(err))
		m.NakWithDelay(5 * time.Second)
		return
	}
	if c.cfg.Observe != nil {
		b.FramedEach(c.cfg.Observe) // counted once written: decoded a second time only with metrics on
	}
	addSeq(c.written, b.Agent+"/"+b.Run, b.Seq)
	c.st.Batches++
	c.st.Records += int64(b.Records)
	c.st.Agents[b.Agent] += int64(b.Records)
	c.pending = append(c.pending, m)
}

// applied reports whether batch seq of run key is in the files already.
func (c *collector) applied(key string, seq uint64) bool {
	for _, sets := range []map[string]*seqSet{c.state.Applied, c.written} {
		if set := sets[key]; set != nil && set.contains(seq) {
			return true
		}
	}
	return false
}

func addSeq(sets map[string]*seqSet, key string, seq uint64) {
	set := sets[key]
	if set == nil {
		set = &seqSet{}
		sets[key] = set
	}
	set.add(seq)
}

func (c *collector) rel(b *Batch) string {
	name := b.Type.Name() + c.cfg.Compression.Extension()
	if c.cfg.Merge {
		return name
	}
	return filepath.Join(b.Agent, name)
}

func (c *collector) writer(b *Batch) (*ncio.FileWriter, error) {
	rel := c.rel(b)
	if w := c.writers[rel]; w != nil {
		return w, nil
	}
	var (
		w   *ncio.FileWriter
		err error
	)
	if fs, ok := c.state.Files[rel]; ok && fs.Size > 0 {
		w, err = ncio.OpenFileAppend(c.filePath(rel, fs), fs.Size, fs.Records, c.cfg.Compression)
	} else {
		w, err = c.create(rel, b)
	}
	if err != nil {
		return nil, err
	}
	c.writers[rel] = w
	return w, nil
}

// create starts the file of rel. It is listed in the state file before
// it exists, so that after a crash the collector knows the file is its
// own; a name something else holds is left to it.
func (c *collector) create(rel string, b *Batch) (*ncio.FileWriter, error) {
	fs := fileState{}
	if name := c.freeName(rel); name != rel {
		fs.Path = name
		c.log.Warn("a file the collector did not write holds the name: writing beside it", zap.String("file", rel), zap.String("new", name))
	}
	path := c.filePath(rel, fs)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	c.state.Files[rel] = fs
	if err := c.saveState(); err != nil {
		return nil, err
	}
	src := b.Agent + ": " + b.Source
	if c.cfg.Merge {
		src = "net collect"
	}
	return ncio.CreateFileAt(path, ncio.NewHeader(b.Type, src, b.Payloads), c.cfg.Compression)
}

// commit makes every written record durable, records it in the state
// file, then acknowledges the batches.
func (c *collector) commit() error {
	if len(c.pending) == 0 {
		return nil
	}
	for rel, w := range c.writers {
		size, err := w.Checkpoint()
		if err != nil {
			return err
		}
		fs := c.state.Files[rel]
		fs.Size, fs.Records = size, w.Records()
		c.state.Files[rel] = fs
	}
	c.commits++
	for key, set := range c.written {
		for _, r := range set.R {
			for x := r[0]; ; x++ { // x <= r[1] never ends at MaxUint64
				addSeq(c.state.Applied, key, x)
				if x == r[1] {
					break
				}
			}
		}
		c.state.Touched[key] = c.commits
	}
	clear(c.written)
	c.evictRuns()
	if err := c.saveState(); err != nil {
		return err
	}
	for _, m := range c.pending {
		if err := m.Ack(); err != nil {
			// redelivered later and skipped as applied
			c.log.Debug("ack", zap.Error(err))
		}
	}
	c.pending = c.pending[:0]
	return nil
}

// evictRuns bounds the applied sets: the least recently active runs go.
func (c *collector) evictRuns() {
	if len(c.state.Applied) <= c.cfg.MaxRuns {
		return
	}
	keys := make([]string, 0, len(c.state.Applied))
	for k := range c.state.Applied {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return int(c.state.Touched[a] - c.state.Touched[b]) })
	for _, k := range keys[:len(keys)-c.cfg.MaxRuns] {
		delete(c.state.Applied, k)
		delete(c.state.Touched, k)
	}
}

func (c *collector) saveState() error {
	b, err := json.Marshal(&c.state)
	if err != nil {
		return err
	}
	path := filepath.Join(c.cfg.Out, stateFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("saving the collector state: %w", err)
	}
	if d, err := os.Open(c.cfg.Out); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// recordFilesUnder lists record files in dir and its direct subdirectories
// (relative paths).
func recordFilesUnder(dir string) []string {
	var out []string
	for _, pat := range []string{"*", "*/*"} {
		ms, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, m := range ms {
			if ncio.IsRecordFile(m) {
				if rel, err := filepath.Rel(dir, m); err == nil {
					out = append(out, rel)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
