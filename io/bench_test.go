package io_test

import (
	"testing"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// BenchmarkEmitGzip frames and writes TCP records to a gzip record file.
func BenchmarkEmitGzip(b *testing.B) { benchEmit(b, ncio.Gzip) }

// BenchmarkEmitZstd is the same with zstd.
func BenchmarkEmitZstd(b *testing.B) { benchEmit(b, ncio.Zstd) }

// BenchmarkEmitPlain is the same without compression.
func BenchmarkEmitPlain(b *testing.B) { benchEmit(b, ncio.None) }

func benchEmit(b *testing.B, c ncio.Compression) {
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: b.TempDir(), Compression: c})
	if err != nil {
		b.Fatal(err)
	}
	e := sink.NewEmitter()
	rec := sampleTCP(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rec.SeqNum = uint32(i)
		if err := e.Emit(types.Type_NC_TCP, rec); err != nil {
			b.Fatal(err)
		}
	}
	e.Flush()
	sink.Close()
}
