package io

import (
	"bufio"
	"errors"
	"fmt"
	goio "io"
	"os"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/delimited"
	"github.com/netcap-go/netcap/types"
)

// ErrNotRecordFile is returned for input that does not start with a Header.
var ErrNotRecordFile = errors.New("not a netcap record file")

// ErrTruncated is returned by Next when the file ends inside a record.
var ErrTruncated = delimited.ErrTruncated

// Reader reads a record file: gzip, zstd or plain, told apart by content.
type Reader struct {
	Header *types.Header
	name   string
	d      *delimited.Reader
	done   func()
	f      *os.File
}

// Open opens a record file; "-" reads standard input.
func Open(path string) (*Reader, error) {
	if path == "-" {
		return NewReader(os.Stdin, "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory", path)
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.f = f
	return r, nil
}

// NewReader reads a record stream from r; name is used in errors.
func NewReader(r goio.Reader, name string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	dr, done, err := decompress(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrNotRecordFile, err)
	}
	d := delimited.NewReader(dr)
	hdr := &types.Header{}
	if err := d.Next(hdr); err != nil {
		done()
		if err == goio.EOF {
			return nil, fmt.Errorf("%s: %w (empty)", name, ErrNotRecordFile)
		}
		return nil, fmt.Errorf("%s: %w (%v)", name, ErrNotRecordFile, err)
	}
	if _, ok := types.Type_name[int32(hdr.Type)]; !ok || hdr.Type == types.Type_NC_Header || hdr.Version == "" {
		done()
		return nil, fmt.Errorf("%s: %w (no valid header)", name, ErrNotRecordFile)
	}
	if _, err := types.MessageType(hdr.Type); err != nil {
		done()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Reader{Header: hdr, name: name, d: d, done: done}, nil
}

// Type returns the record type the file holds.
func (r *Reader) Type() types.Type { return r.Header.Type }

// NewRecord returns an empty record of the file's type.
func (r *Reader) NewRecord() proto.Message {
	m, _ := types.NewRecord(r.Header.Type)
	return m
}

// Next reads the next record into m (as delimited.Decode does). It
// returns io.EOF at the end and ErrTruncated when the file ends inside a
// record.
func (r *Reader) Next(m proto.Message) error {
	_, err := r.next(m)
	return err
}

// next reads the next record into m; known as delimited.Decode says.
func (r *Reader) next(m proto.Message) (known bool, err error) {
	b, err := r.d.NextBytes()
	if err == nil {
		known, err = delimited.Decode(b, m)
	}
	if err != nil && err != goio.EOF && !errors.Is(err, ErrTruncated) {
		// A compressed file cut short surfaces as a decompressor error.
		if errors.Is(err, goio.ErrUnexpectedEOF) {
			return false, ErrTruncated
		}
		return false, fmt.Errorf("%s: %w", r.name, err)
	}
	return known, err
}

// Close releases the reader.
func (r *Reader) Close() error {
	r.done()
	if r.f != nil {
		return r.f.Close()
	}
	return nil
}
