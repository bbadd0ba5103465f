// Package delimited frames protobuf records as a stream: each record is
// prefixed by its length as an unsigned varint, the framing of Netcap's
// record files and of google.golang.org/protobuf/encoding/protodelim.
//
// It imports only types.
package delimited

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// MaxRecordSize bounds the length a reader accepts for one record, so a
// corrupt length prefix cannot make it allocate gigabytes.
const MaxRecordSize = 64 << 20

// ErrTruncated is returned when the stream ends inside a record.
var ErrTruncated = errors.New("record stream truncated inside a record")

// ErrTooLarge is returned when a length prefix exceeds MaxRecordSize.
var ErrTooLarge = errors.New("record length exceeds limit")

var marshalOpts = proto.MarshalOptions{}

// Append appends m, prefixed by its varint length, to b. The record is
// marshalled once, behind room for a short length prefix, and moved only
// when its length needs more prefix bytes than reserved: one pass over the
// message instead of a size pass and a marshal pass.
func Append(b []byte, m proto.Message) ([]byte, error) {
	const reserve = 2 // records up to 16 KiB need no move
	start := len(b)
	b = append(b, 0, 0)
	var err error
	if f, ok := m.(types.AppendMarshaler); ok {
		var fast bool
		if b, fast = f.AppendProto(b); !fast {
			b, err = marshalOpts.MarshalAppend(b[:start+reserve], m)
		}
	} else {
		b, err = marshalOpts.MarshalAppend(b, m)
	}
	if err != nil {
		return b[:start], err
	}
	n := len(b) - start - reserve
	var pre [binary.MaxVarintLen64]byte
	p := protowire.AppendVarint(pre[:0], uint64(n))
	switch {
	case len(p) == reserve:
		copy(b[start:], p)
	case len(p) < reserve:
		copy(b[start:], p)
		copy(b[start+len(p):], b[start+reserve:])
		b = b[:len(b)-(reserve-len(p))]
	default:
		extra := len(p) - reserve
		b = append(b, make([]byte, extra)...)
		copy(b[start+len(p):], b[start+reserve:start+reserve+n])
		copy(b[start:], p)
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
	n, err := r.length()
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
	if n <= uint64(r.r.Buffered()) {
		// Nearly always: the record is in the buffer, and its bytes there
		// are valid until the next read.
		b, _ := r.r.Peek(int(n))
		r.r.Discard(int(n))
		return b, nil
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

// length reads the length prefix of the next record: from the buffer
// when it holds the whole varint, else byte by byte.
func (r *Reader) length() (uint64, error) {
	buf, _ := r.r.Peek(min(r.r.Buffered(), binary.MaxVarintLen64))
	if n, size := binary.Uvarint(buf); size > 0 {
		r.r.Discard(size)
		return n, nil
	}
	return binary.ReadUvarint(r.r)
}

// Next reads the next record into m (which is reset first; see Decode).
func (r *Reader) Next(m proto.Message) error {
	b, err := r.NextBytes()
	if err != nil {
		return err
	}
	_, err = Decode(b, m)
	return err
}

// Decode decodes the bytes of one record into m, which is reset first:
// with m's own decoder when it has one (types.FastUnmarshaler, the records
// of nearly every packet; it reuses the options m holds, so reset m with
// proto.Reset to keep those of the record before), else, or when that
// decoder leaves the record to it, with proto.Unmarshal. known is true
// when m's own decoder took the record, which it does only for records
// without unknown fields, so that readers that refuse those need not look
// for them.
func Decode(b []byte, m proto.Message) (known bool, err error) {
	if f, ok := m.(types.FastUnmarshaler); ok && f.UnmarshalProto(b) {
		return true, nil
	}
	proto.Reset(m)
	if err := proto.Unmarshal(b, m); err != nil {
		return false, fmt.Errorf("decoding record: %w", err)
	}
	return false, nil
}
