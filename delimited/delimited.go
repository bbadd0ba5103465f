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

// marshalOpts is the general marshaller, for records the generated
// encoders leave to it: Deterministic, so that it too writes map entries
// in key order.
var marshalOpts = proto.MarshalOptions{Deterministic: true}

// Append appends m, prefixed by its varint length, to b. The record is
// encoded once, behind one byte reserved for its length, and moved only
// when it is 128 bytes or longer; AppendHint avoids that move too.
func Append(b []byte, m proto.Message) ([]byte, error) {
	b, _, err := AppendHint(b, m, 1)
	return b, err
}

// AppendHint is Append with prefix bytes reserved for the length, and
// returns the number its length did take: given back as prefix for the
// next record of the same type, which is most often of a like size, that
// record moves only when its length takes another number of bytes. (The
// Ethernet and IPv4 records of a packet are shorter than 128 bytes, most
// TCP records longer.) One pass over the record, no size pass.
func AppendHint(b []byte, m proto.Message, prefix int) (out []byte, n int, err error) {
	prefix = min(max(prefix, 1), binary.MaxVarintLen64)
	start := len(b)
	b = append(b, zeros[:prefix]...)
	body := start + prefix
	if f, ok := m.(types.AppendMarshaler); ok {
		var fast bool
		if b, fast = f.AppendProto(b); !fast {
			b, err = marshalOpts.MarshalAppend(b[:body], m)
		}
	} else {
		b, err = marshalOpts.MarshalAppend(b, m)
	}
	if err != nil {
		return b[:start], prefix, err
	}
	size := len(b) - body
	if size < 0x80 && prefix == 1 {
		b[start] = byte(size)
		return b, 1, nil
	}
	n = protowire.SizeVarint(uint64(size))
	if n != prefix {
		if n > prefix {
			b = append(b, zeros[:n-prefix]...)
		}
		copy(b[start+n:], b[body:body+size])
		b = b[:start+n+size]
	}
	protowire.AppendVarint(b[:start], uint64(size)) // in place
	return b, n, nil
}

var zeros [binary.MaxVarintLen64]byte

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
