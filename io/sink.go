package io

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"

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

// Emitter takes records from one goroutine.
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
}

// FileSink writes one record file per type into a directory. Files are
// created when their first record arrives, so no empty file is left behind.
type FileSink struct {
	cfg   FileSinkConfig
	mu    sync.Mutex
	files map[types.Type]*FileWriter
}

// NewFileSink creates cfg.Dir if needed and returns a sink writing into it.
func NewFileSink(cfg FileSinkConfig) (*FileSink, error) {
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	if cfg.BatchBytes <= 0 {
		cfg.BatchBytes = 256 << 10
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	return &FileSink{cfg: cfg, files: map[types.Type]*FileWriter{}}, nil
}

func (s *FileSink) file(t types.Type) (*FileWriter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.files[t]; ok {
		return w, nil
	}
	w, err := CreateFile(s.cfg.Dir, NewHeader(t, s.cfg.Source, s.cfg.Payloads), s.cfg.Compression)
	if err != nil {
		return nil, err
	}
	s.files[t] = w
	return w, nil
}

// Files returns the path and record count of every file written, by name.
func (s *FileSink) Files() []FileInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FileInfo, 0, len(s.files))
	for t, w := range s.files {
		out = append(out, FileInfo{Type: t, Path: w.Path(), Records: w.Records()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type.Name() < out[j].Type.Name() })
	return out
}

// FileInfo describes one written file.
type FileInfo struct {
	Type    types.Type
	Path    string
	Records int64
}

// Close closes every file.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, w := range s.files {
		if err := w.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NewEmitter returns an emitter for one worker.
func (s *FileSink) NewEmitter() Emitter {
	return &fileEmitter{sink: s, batches: map[types.Type]*batch{}}
}

type batch struct {
	buf []byte
	n   int
	w   *FileWriter
}

type fileEmitter struct {
	sink    *FileSink
	batches map[types.Type]*batch
	last    *batch
	lastT   types.Type
}

func (e *fileEmitter) Emit(t types.Type, m proto.Message) error {
	b := e.last
	if b == nil || e.lastT != t {
		b = e.batches[t]
		if b == nil {
			b = &batch{buf: make([]byte, 0, e.sink.cfg.BatchBytes+4096)}
			e.batches[t] = b
		}
		e.last, e.lastT = b, t
	}
	var err error
	b.buf, err = delimited.Append(b.buf, m)
	if err != nil {
		return fmt.Errorf("encoding %s record: %w", t.Name(), err)
	}
	b.n++
	if len(b.buf) >= e.sink.cfg.BatchBytes {
		return e.flush(t, b)
	}
	return nil
}

func (e *fileEmitter) flush(t types.Type, b *batch) error {
	if b.n == 0 {
		return nil
	}
	if b.w == nil {
		w, err := e.sink.file(t)
		if err != nil {
			return err
		}
		b.w = w
	}
	err := b.w.WriteFramed(b.buf, b.n)
	b.buf, b.n = b.buf[:0], 0
	return err
}

func (e *fileEmitter) Flush() error {
	var errs []error
	for t, b := range e.batches {
		if err := e.flush(t, b); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
