package source

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
			return nil, decompressError(name, "gzip", err)
		}
		br = bufio.NewReaderSize(&decompressReader{r: zr, name: name, kind: "gzip"}, 1<<20)
	case bytes.Equal(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, decompressError(name, "zstd", err)
		}
		br = bufio.NewReaderSize(&decompressReader{r: zr.IOReadCloser(), name: name, kind: "zstd"}, 1<<20)
	}
	head, err = br.Peek(4)
	if err == io.EOF {
		return nil, fmt.Errorf("%s: %w (file too short)", name, ErrNotCapture)
	}
	if err != nil {
		// A damaged compressed stream, or a zstd window larger than the
		// decoder allows: say so, not that the capture is short.
		return nil, err
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

// decompressReader names the file and the decompressor in the errors of a
// compressed stream. End of input stays io.EOF; a stream cut short still
// wraps io.ErrUnexpectedEOF, so the readers report it as truncation.
type decompressReader struct {
	r          io.Reader
	name, kind string
}

func (d *decompressReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = decompressError(d.name, d.kind, err)
	}
	return n, err
}

// decompressError is "reading NAME: gzip: invalid header": the kind is
// not repeated when the decompressor's message already starts with it.
func decompressError(name, kind string, err error) error {
	if errors.Is(err, zstd.ErrWindowSizeExceeded) {
		return fmt.Errorf("reading %s: zstd: %w (the stream declares a window over the decoder's %d MiB)", name, err, zstd.MaxWindowSize>>20)
	}
	if strings.HasPrefix(err.Error(), kind+":") {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return fmt.Errorf("reading %s: %s: %w", name, kind, err)
}
