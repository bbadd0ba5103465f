package io

import (
	"bufio"
	"errors"
	"fmt"
	goio "io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/delimited"
	"github.com/netcap-go/netcap/types"
)

// NewHeader returns the Header that starts a file of records of type t.
func NewHeader(t types.Type, source string, payloads bool) *types.Header {
	return &types.Header{
		Created:          time.Now().UnixNano(),
		InputSource:      source,
		Type:             t,
		Version:          types.Version,
		ContainsPayloads: payloads,
	}
}

// FileWriter writes one record file. It is safe for concurrent use; workers
// hand it whole batches of framed records so the lock is taken once a batch.
type FileWriter struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	buf     *bufio.Writer
	comp    goio.WriteCloser
	out     *countingWriter // what the compressor wrote: the file's size so far
	records int64
	closed  bool
	c       Compression
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w goio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// CreateFile creates dir/<Type><ext> and writes its header.
func CreateFile(dir string, hdr *types.Header, c Compression) (*FileWriter, error) {
	return CreateFileAt(filepath.Join(dir, hdr.Type.Name()+c.Extension()), hdr, c)
}

// CreateFileAt creates the record file path and writes its header. It
// never opens a file that exists already: a run writes only files it
// created, so nothing of an earlier run or of a user is overwritten.
func CreateFileAt(path string, hdr *types.Header, c Compression) (*FileWriter, error) {
	f, err := CreateNew(path, 0o644)
	if err != nil {
		return nil, err
	}
	w := &FileWriter{path: path, f: f, buf: bufio.NewWriterSize(f, 1<<20), c: c}
	w.out = &countingWriter{w: w.buf}
	if w.comp, err = newCompressor(w.out, c); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	b, err := delimited.Append(nil, hdr)
	if err == nil {
		_, err = w.comp.Write(b)
	}
	if err != nil {
		w.comp.Close()
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("writing header of %s: %w", path, err)
	}
	return w, nil
}

// fail names the file and what was being done in err, once: "writing
// out/TCP.ncap.gz: no space left on device".
func (w *FileWriter) fail(doing string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == w.path {
		err = pe.Err
	}
	return fmt.Errorf("%s %s: %w", doing, w.path, err)
}

// Path returns the file's path.
func (w *FileWriter) Path() string { return w.path }

// Size returns the bytes written to the file so far (compressed; what the
// compressor still buffers is not counted yet).
func (w *FileWriter) Size() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.n
}

// Records returns the number of records written so far.
func (w *FileWriter) Records() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.records
}

// WriteFramed writes n records that b holds already framed (delimited.Append).
func (w *FileWriter) WriteFramed(b []byte, n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("%s: write after close", w.path)
	}
	if w.comp == nil { // after a Checkpoint: a new member
		c, err := newCompressor(w.out, w.c)
		if err != nil {
			return err
		}
		w.comp = c
	}
	if _, err := w.comp.Write(b); err != nil {
		return w.fail("writing", err)
	}
	w.records += int64(n)
	return nil
}

// Flush pushes what the file holds so far to disk: the compressor's
// pending block (a gzip sync flush, a zstd block), the buffer, then
// fsync. The file then reads to its last complete record, so a process
// killed later leaves every record written before the flush readable
// (net util -check -repair cuts the rest).
func (w *FileWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if f, ok := w.comp.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return w.fail("writing", err)
		}
	}
	if err := w.buf.Flush(); err != nil {
		return w.fail("writing", err)
	}
	if err := w.f.Sync(); err != nil {
		return w.fail("writing", err)
	}
	return nil
}

// Checkpoint makes what was written so far durable and complete on its
// own: it ends the current compressed member (gzip member, zstd frame),
// flushes and fsyncs, and returns the file's size. Records written after
// it go into a new member of the same file; readers see one stream.
// Cutting the file back to a checkpoint's size (OpenFileAppend) leaves a
// valid record file holding exactly the records written before it — what
// lets `net collect` acknowledge records only once they are safe.
func (w *FileWriter) Checkpoint() (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, fmt.Errorf("%s: checkpoint after close", w.path)
	}
	if w.comp != nil {
		if err := w.comp.Close(); err != nil {
			return 0, w.fail("checkpoint", err)
		}
		w.comp = nil
	}
	if err := w.buf.Flush(); err != nil {
		return 0, w.fail("checkpoint", err)
	}
	if err := w.f.Sync(); err != nil {
		return 0, w.fail("checkpoint", err)
	}
	return w.out.n, nil
}

// OpenFileAppend reopens a record file that a Checkpoint returned size
// for, cuts it back to that size (dropping what was written after the
// checkpoint) and appends to it in a new compressed member. records is
// the count the file held at the checkpoint (for Records).
func OpenFileAppend(path string, size, records int64, c Compression) (*FileWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() < size {
		err = fmt.Errorf("%s is %d bytes, shorter than its checkpoint (%d)", path, st.Size(), size)
	}
	if err == nil {
		err = f.Truncate(size)
	}
	if err == nil {
		_, err = f.Seek(size, goio.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	w := &FileWriter{path: path, f: f, buf: bufio.NewWriterSize(f, 1<<20), c: c, records: records}
	w.out = &countingWriter{w: w.buf, n: size}
	return w, nil
}

// Write writes one record.
func (w *FileWriter) Write(m proto.Message) error {
	b, err := delimited.Append(nil, m)
	if err != nil {
		return err
	}
	return w.WriteFramed(b, 1)
}

// Close completes the file (compressor trailer, buffers, fsync-free close).
// A file that holds no record is removed.
func (w *FileWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	var err error
	if w.comp != nil {
		err = w.comp.Close()
	}
	if e := w.buf.Flush(); err == nil {
		err = e
	}
	if e := w.f.Close(); err == nil {
		err = e
	}
	if w.records == 0 {
		os.Remove(w.path)
	}
	if err != nil {
		return w.fail("closing", err)
	}
	return nil
}
