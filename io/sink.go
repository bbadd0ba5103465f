package io

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/delimited"
	"github.com/netcap-go/netcap/types"
)

// RecordSink receives the records of a run. Each worker gets its own
// Emitter, so emitting takes no lock; emitters hand batches to the sink.
type RecordSink interface {
	NewEmitter() Emitter
	// Close flushes and closes everything. Call it after every emitter has
	// been flushed.
	Close() error
}

// Syncer is a RecordSink that can push what it holds to disk on demand,
// so that a process killed afterwards leaves every record handed to it
// before readable (collector.Config.FlushInterval).
type Syncer interface {
	Sync() error
}

// SyncSink has s, or the sink it wraps (Unwrap), push what it holds to
// disk; sinks that cannot (NATS, memory) are left as they are.
func SyncSink(s RecordSink) error {
	for s != nil {
		if y, ok := s.(Syncer); ok {
			return y.Sync()
		}
		u, ok := s.(interface{ Unwrap() RecordSink })
		if !ok {
			return nil
		}
		s = u.Unwrap()
	}
	return nil
}

// Emitter takes records from one goroutine and batches them for the
// sink. Decoders see only its Emit method, as a decoder.Emit (the one
// emitter type of the decoders); Flush is the engine's.
type Emitter interface {
	// Emit writes m, a record of type t. m may be reused by the caller once
	// Emit returns.
	Emit(t types.Type, m proto.Message) error
	// Flush hands buffered records to the sink.
	Flush() error
}

// FileSinkConfig configures a FileSink.
type FileSinkConfig struct {
	Dir         string
	Compression Compression
	Source      string // Header.InputSource
	Payloads    bool   // Header.ContainsPayloads
	// BatchBytes is how many framed bytes an emitter buffers per type before
	// it hands them to the file (default 256 KiB).
	BatchBytes int
	// Rotate and RotateSize start a new file of a type once its current
	// one is that old or that large (0: never; the size is what reached the
	// file, so a compressed file may pass it by what the compressor still
	// buffers, and by one batch). Rotated files are named
	// Type-<start, UTC, 20060102T150405Z>[-N].ncap[.gz|.zst]; each is a
	// complete record file with its own header.
	Rotate     time.Duration
	RotateSize int64
	// Now is the clock rotation reads (default time.Now).
	Now func() time.Time
}

// typeFile is the file (or, with rotation, the series of files) of one
// record type. Its batches are compressed and written by a goroutine of
// its own (see fileQueue), so workers never wait for each other's
// compression and it runs beside decoding.
type typeFile struct {
	sink  *FileSink
	t     types.Type
	q     *fileQueue
	mu    sync.Mutex
	cur   *FileWriter
	start time.Time
	done  []FileInfo // closed files
}

func (f *typeFile) rotating() bool { return f.sink.cfg.Rotate > 0 || f.sink.cfg.RotateSize > 0 }

// WriteFramed writes a batch of framed records handed over at now,
// rotating first when due.
func (f *typeFile) WriteFramed(b []byte, n int, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sink.closed.Load() {
		return errors.New("record files already closed")
	}
	cfg := &f.sink.cfg
	if f.cur != nil && f.rotating() {
		if (cfg.Rotate > 0 && now.Sub(f.start) >= cfg.Rotate) || (cfg.RotateSize > 0 && f.cur.Size() >= cfg.RotateSize) {
			if err := f.closeCurrent(); err != nil {
				return err
			}
		}
	}
	if f.cur == nil {
		if err := f.open(now); err != nil {
			return err
		}
	}
	return f.cur.WriteFramed(b, n)
}

func (f *typeFile) open(now time.Time) error {
	cfg := &f.sink.cfg
	hdr := NewHeader(f.t, cfg.Source, cfg.Payloads)
	if !f.rotating() {
		w, err := CreateFile(cfg.Dir, hdr, cfg.Compression)
		f.cur = w
		return err
	}
	f.start = now
	base := f.t.Name() + "-" + f.start.UTC().Format("20060102T150405Z")
	path := filepath.Join(cfg.Dir, base+cfg.Compression.Extension())
	for i := 1; ; i++ {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			break
		}
		path = filepath.Join(cfg.Dir, fmt.Sprintf("%s-%d%s", base, i, cfg.Compression.Extension()))
	}
	w, err := CreateFileAt(path, hdr, cfg.Compression)
	f.cur = w
	return err
}

func (f *typeFile) closeCurrent() error {
	w := f.cur
	f.cur = nil
	err := w.Close()
	if w.Records() > 0 { // an empty file was removed
		f.done = append(f.done, FileInfo{Type: f.t, Path: w.Path(), Records: w.Records()})
	}
	return err
}

// FileSink writes one record file per type into a directory. Files are
// created when their first record arrives, so no empty file is left behind.
type FileSink struct {
	cfg   FileSinkConfig
	mu    sync.Mutex
	files map[types.Type]*typeFile
	// closed is set by Close: a late batch (a forced exit) must not open
	// new files.
	closed atomic.Bool
	// written counts the framed (uncompressed) record bytes handed to the files.
	written atomic.Int64
}

// BytesWritten returns the framed record bytes handed to the files so far
// (before compression).
func (s *FileSink) BytesWritten() int64 { return s.written.Load() }

// NewFileSink creates cfg.Dir if needed and returns a sink writing into it.
func NewFileSink(cfg FileSinkConfig) (*FileSink, error) {
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	if cfg.BatchBytes <= 0 {
		cfg.BatchBytes = 256 << 10
		if cfg.RotateSize > 0 {
			// A batch goes to one file: keep batches small beside the bound.
			cfg.BatchBytes = int(min(256<<10, max(1<<10, cfg.RotateSize/8)))
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	return &FileSink{cfg: cfg, files: map[types.Type]*typeFile{}}, nil
}

// file returns the file of type t; it is created with the first batch.
func (s *FileSink) file(t types.Type) *typeFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[t]
	if !ok {
		f = &typeFile{sink: s, t: t}
		f.q = newFileQueue(f.WriteFramed)
		s.files[t] = f
	}
	return f
}

// Files returns the path and record count of every file written (rotated
// ones too), by type and path.
func (s *FileSink) Files() []FileInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []FileInfo
	for t, f := range s.files {
		f.mu.Lock()
		out = append(out, f.done...)
		if f.cur != nil {
			out = append(out, FileInfo{Type: t, Path: f.cur.Path(), Records: f.cur.Records()})
		}
		f.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Type.Name(), out[j].Type.Name(); a != b {
			return a < b
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// FileInfo describes one written file.
type FileInfo struct {
	Type    types.Type
	Path    string
	Records int64
}

// Close writes what the files' queues hold and closes every file.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, f := range s.files {
		errs = append(errs, f.q.close())
	}
	s.closed.Store(true)
	for _, f := range s.files {
		f.mu.Lock()
		if f.cur != nil {
			errs = append(errs, f.closeCurrent())
		}
		f.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Sync writes what the files' queues hold, then flushes every open file
// to disk (FileWriter.Flush).
func (s *FileSink) Sync() error {
	s.mu.Lock()
	files := make([]*typeFile, 0, len(s.files))
	for _, f := range s.files {
		files = append(files, f)
	}
	s.mu.Unlock()
	var errs []error
	for _, f := range files {
		if err := f.q.drain(); err != nil {
			errs = append(errs, err)
			continue
		}
		f.mu.Lock()
		if f.cur != nil {
			errs = append(errs, f.cur.Flush())
		}
		f.mu.Unlock()
	}
	return errors.Join(errs...)
}

// NewEmitter returns an emitter for one worker.
func (s *FileSink) NewEmitter() Emitter {
	return NewBatchEmitter(s, s.cfg.BatchBytes)
}

// WriteBatch queues a batch of framed records for the type's file. An
// error is the first one writing that file, reported by the batch after
// it (and by Sync and Close).
func (s *FileSink) WriteBatch(t types.Type, framed []byte, n int) error {
	s.written.Add(int64(len(framed)))
	if s.closed.Load() {
		return errors.New("record files already closed")
	}
	return s.file(t).q.push(framed, n, s.cfg.Now())
}

// BatchSink takes whole batches of framed records (delimited.Append) of
// one type. It must not keep framed: the emitter reuses it.
type BatchSink interface {
	WriteBatch(t types.Type, framed []byte, n int) error
}

// DefaultBatchBytes is the batch size of NewBatchEmitter when none is given.
const DefaultBatchBytes = 256 << 10

// NewBatchEmitter returns an Emitter for one goroutine that frames records
// into one batch per type and hands a batch to s when it holds about
// batchBytes, and on Flush.
func NewBatchEmitter(s BatchSink, batchBytes int) Emitter {
	if batchBytes <= 0 {
		batchBytes = DefaultBatchBytes
	}
	return &batchEmitter{sink: s, size: batchBytes, batches: map[types.Type]*batch{}}
}

type batch struct {
	buf    []byte
	n      int
	prefix int // length prefix bytes of the last record (delimited.AppendHint)
}

type batchEmitter struct {
	sink    BatchSink
	size    int
	batches map[types.Type]*batch
	last    *batch
	lastT   types.Type
}

func (e *batchEmitter) Emit(t types.Type, m proto.Message) error {
	b := e.last
	if b == nil || e.lastT != t {
		b = e.batches[t]
		if b == nil {
			b = &batch{buf: make([]byte, 0, e.size+4096)}
			e.batches[t] = b
		}
		e.last, e.lastT = b, t
	}
	var err error
	b.buf, b.prefix, err = delimited.AppendHint(b.buf, m, b.prefix)
	if err != nil {
		return fmt.Errorf("encoding %s record: %w", t.Name(), err)
	}
	b.n++
	if len(b.buf) >= e.size {
		return e.flush(t, b)
	}
	return nil
}

func (e *batchEmitter) flush(t types.Type, b *batch) error {
	if b.n == 0 {
		return nil
	}
	err := e.sink.WriteBatch(t, b.buf, b.n)
	b.buf, b.n = b.buf[:0], 0
	return err
}

// Flush hands every non-empty batch to the sink, in type order (so a
// sink that numbers batches numbers them the same way on every run).
func (e *batchEmitter) Flush() error {
	ts := make([]types.Type, 0, len(e.batches))
	for t, b := range e.batches {
		if b.n > 0 {
			ts = append(ts, t)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	var errs []error
	for _, t := range ts {
		if err := e.flush(t, e.batches[t]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
