// Package io writes and reads audit record files: a Header record, then
// length-delimited records (package delimited), compressed with gzip (the
// default, as Netcap), zstd, or not at all; the sinks that take records
// from the capture (files with rotation and periodic sync, memory), CSV,
// JSON and Parquet conversion, and finding and checking record files.
//
// It imports only types and delimited: it knows records, not how they are
// decoded (no decoder, collector or dist import).
package io

import (
	"bufio"
	"bytes"
	"fmt"
	goio "io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression selects how a record file is compressed.
type Compression int

const (
	// Gzip is the default, compatible with Netcap v0.6.11 files (.ncap.gz).
	Gzip Compression = iota
	// None writes plain .ncap files.
	None
	// Zstd writes .ncap.zst files: faster than gzip at a better ratio.
	Zstd
)

// Extension returns the file name suffix for records compressed with c.
func (c Compression) Extension() string {
	switch c {
	case None:
		return ".ncap"
	case Zstd:
		return ".ncap.zst"
	default:
		return ".ncap.gz"
	}
}

func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Zstd:
		return "zstd"
	default:
		return "gzip"
	}
}

// ParseCompression parses "gzip", "zstd" or "none".
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "gzip", "gz", "":
		return Gzip, nil
	case "zstd", "zst":
		return Zstd, nil
	case "none", "off":
		return None, nil
	}
	return Gzip, fmt.Errorf("unknown compression %q (want gzip, zstd or none)", s)
}

// IsRecordFile reports whether name looks like a record file by its suffix.
func IsRecordFile(name string) bool {
	return strings.HasSuffix(name, ".ncap") || strings.HasSuffix(name, ".ncap.gz") || strings.HasSuffix(name, ".ncap.zst")
}

// nopCloser turns a Writer into a WriteCloser whose Close does nothing.
type nopCloser struct{ goio.Writer }

func (nopCloser) Close() error { return nil }

// newCompressor wraps w with the compressor for c.
func newCompressor(w goio.Writer, c Compression) (goio.WriteCloser, error) {
	switch c {
	case None:
		return nopCloser{w}, nil
	case Zstd:
		return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	default:
		return gzip.NewWriterLevel(w, gzip.BestSpeed)
	}
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompress sniffs the first bytes of r and returns a reader of the
// decompressed stream, whatever the file name says.
func decompress(r *bufio.Reader) (goio.Reader, func(), error) {
	head, _ := r.Peek(4)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}
