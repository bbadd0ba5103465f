package collector

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket/layers"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// CaptureInfo describes one captured frame.
type CaptureInfo struct {
	Timestamp      int64 // Unix nanoseconds
	CaptureLength  int
	Length         int // length on the wire
	LinkType       layers.LinkType
	InterfaceIndex int
}

// PacketSource yields captured frames.
type PacketSource interface {
	// ReadPacket returns the next frame; data is only valid until the next
	// call. It returns io.EOF at the end of input and an error wrapping
	// ErrTruncated when the input ends inside a packet.
	ReadPacket() (data []byte, ci CaptureInfo, err error)
}

// ErrTruncated marks input that ends in the middle of a packet or block.
var ErrTruncated = errors.New("capture file truncated")

// ErrNotCapture is returned for input that is neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng file")

// maxPacketSize bounds the length a capture file may claim for one packet,
// so a corrupt header cannot make the reader allocate gigabytes.
const maxPacketSize = 16 << 20

// File is an opened capture file (or stream): pcap or pcapng, optionally
// gzip- or zstd-compressed.
type File struct {
	PacketSource
	Name   string
	Format string // "pcap" or "pcapng"
	Size   int64  // size on disk, 0 when unknown (stdin)
	count  *countingReader
	closer func() error
}

// Offset returns how many bytes of the underlying file have been consumed,
// for progress reporting.
func (f *File) Offset() int64 { return f.count.n }

// Close closes the file.
func (f *File) Close() error { return f.closer() }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// OpenFile opens a pcap or pcapng file by content; "-" reads standard input.
func OpenFile(path string) (*File, error) {
	var (
		rc   io.ReadCloser
		size int64
	)
	if path == "-" {
		rc = io.NopCloser(os.Stdin)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		if st.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s is a directory, not a capture file", path)
		}
		size = st.Size()
		rc = f
	}
	cf, err := NewFile(rc, path)
	if err != nil {
		rc.Close()
		return nil, err
	}
	cf.Size = size
	cf.closer = rc.Close
	return cf, nil
}

// NewFile reads a capture from r, which it does not close.
func NewFile(r io.Reader, name string) (*File, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 1<<20)
	head, err := br.Peek(4)
	if err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: %w (file too short)", name, ErrNotCapture)
		}
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		br = bufio.NewReaderSize(zr, 1<<20)
	case bytes.Equal(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("%s: zstd: %w", name, err)
		}
		br = bufio.NewReaderSize(zr.IOReadCloser(), 1<<20)
	}
	head, err = br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (file too short)", name, ErrNotCapture)
	}
	cf := &File{Name: name, count: cr, closer: func() error { return nil }}
	switch {
	case binary.LittleEndian.Uint32(head) == pcapngSHB:
		cf.Format = "pcapng"
		cf.PacketSource, err = newPcapngReader(br)
	default:
		if _, _, ok := pcapMagic(head); !ok {
			return nil, fmt.Errorf("%s: %w", name, ErrNotCapture)
		}
		cf.Format = "pcap"
		cf.PacketSource, err = newPcapReader(br)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cf, nil
}
