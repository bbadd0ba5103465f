// Package delimited frames protobuf records as a stream: each record is
// prefixed by its length as an unsigned varint, the framing of Netcap's
// record files and of google.golang.org/protobuf/encoding/protodelim.
package delimited

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// MaxRecordSize bounds the length a reader accepts for one record, so a
// corrupt length prefix cannot make it allocate gigabytes.
const MaxRecordSize = 64 << 20

// ErrTruncated is returned when the stream ends inside a record.
var ErrTruncated = errors.New("record stream truncated inside a record")

// ErrTooLarge is returned when a length prefix exceeds MaxRecordSize.
var ErrTooLarge = errors.New("record length exceeds limit")

var (
	sizeOpts    = proto.MarshalOptions{}
	marshalOpts = proto.MarshalOptions{UseCachedSize: true}
)

// Append appends m, prefixed by its varint length, to b.
func Append(b []byte, m proto.Message) ([]byte, error) {
	n := sizeOpts.Size(m)
	b = protowire.AppendVarint(b, uint64(n))
	start := len(b)
	b, err := marshalOpts.MarshalAppend(b, m)
	if err != nil {
		return b[:start], err
	}
	if len(b)-start != n {
		return b[:start], fmt.Errorf("record size changed while marshalling (%d != %d)", len(b)-start, n)
	}
	return b, nil
}

// Writer writes length-delimited records to an io.Writer.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes one record.
func (w *Writer) Write(m proto.Message) error {
	var err error
	w.buf, err = Append(w.buf[:0], m)
	if err != nil {
		return err
	}
	_, err = w.w.Write(w.buf)
	return err
}

// Reader reads length-delimited records.
type Reader struct {
	r   *bufio.Reader
	buf []byte
}

// NewReader returns a Reader over r. A *bufio.Reader is used as is.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	return &Reader{r: br}
}

// NextBytes returns the raw bytes of the next record, valid until the next
// call. It returns io.EOF at a clean end of stream and ErrTruncated when the
// stream ends inside a record.
func (r *Reader) NextBytes() ([]byte, error) {
	n, err := binary.ReadUvarint(r.r)
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrTruncated
		}
		return nil, fmt.Errorf("reading record length: %w", err)
	}
	if n > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, n)
	}
	if uint64(cap(r.buf)) < n {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrTruncated
		}
		return nil, err
	}
	return r.buf, nil
}

// Next reads the next record into m (which is reset first).
func (r *Reader) Next(m proto.Message) error {
	b, err := r.NextBytes()
	if err != nil {
		return err
	}
	proto.Reset(m)
	if err := proto.Unmarshal(b, m); err != nil {
		return fmt.Errorf("decoding record: %w", err)
	}
	return nil
}
