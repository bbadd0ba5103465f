package io_test

import (
	"bytes"
	goio "io"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/delimited"
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

// BenchmarkSyncAllFiles is one periodic flush (-flush-interval) of a run
// with 23 record files open, each holding records written since the last
// flush: gzip sync flush, buffer, fsync. Its time per operation is the
// cost of one flush (mostly waiting for the disk), cpu-ns/op the CPU it
// takes; at the default interval of 5 s it runs once per 5 s.
func BenchmarkSyncAllFiles(b *testing.B) {
	var cpu time.Duration
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: b.TempDir(), Compression: ncio.Gzip})
	if err != nil {
		b.Fatal(err)
	}
	e := sink.NewEmitter()
	rec := sampleTCP(1)
	for b.Loop() {
		b.StopTimer()
		for t := types.Type(1); t <= 23; t++ {
			for range 100 {
				rec.SeqNum++
				e.Emit(t, rec)
			}
		}
		e.Flush()
		b.StartTimer()
		before := cpuTime()
		if err := sink.Sync(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - before
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	sink.Close()
}

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDumpCSV is net dump -csv per record: read a TCP record (with
// the five options of a SYN) from an uncompressed record stream, decode
// and check it, render its columns and encode them as a CSV line.
func BenchmarkDumpCSV(b *testing.B) {
	stream := recordStream(b, 10000, func(i int) proto.Message {
		rec := sampleTCP(i)
		rec.CommunityID = "1:9MopjJ9kiB6AGnhmJmG4MMVkRG4="
		rec.Options = []*types.TCPOption{
			{OptionType: 2, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}, {OptionType: 4, OptionLength: 2},
			{OptionType: 8, OptionLength: 10, OptionData: []byte{0x67, 0x0f, 0x5d, 0x8c, 0, 0, 0, 0}},
			{OptionType: 1, OptionLength: 1}, {OptionType: 3, OptionLength: 3, OptionData: []byte{0x0a}},
		}
		return rec
	})
	rec := &types.TCP{}
	columns := types.DefaultFormat.Columns(rec, types.Fields(rec.ProtoReflect().Descriptor()))
	enc, err := ncio.NewCSVEncoder(',')
	if err != nil {
		b.Fatal(err)
	}
	row := types.TextRow{Sep: ","}
	var line []byte
	var r *ncio.Reader
	b.ReportAllocs()
	for b.Loop() {
		if r == nil {
			if r, err = ncio.NewReader(bytes.NewReader(stream), "bench"); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.NextValid(rec); err != nil {
			if err != goio.EOF {
				b.Fatal(err)
			}
			r = nil
			continue
		}
		row.Reset()
		columns.Append(&row, rec)
		line = enc.AppendRow(line[:0], &row)
	}
}

// recordStream returns an uncompressed record file of n records of type
// TCP, record(i) for i in [0, n).
func recordStream(b *testing.B, n int, record func(i int) proto.Message) []byte {
	stream, err := delimited.Append(nil, ncio.NewHeader(types.Type_NC_TCP, "bench", false))
	for i := 0; i < n && err == nil; i++ {
		stream, err = delimited.Append(stream, record(i))
	}
	if err != nil {
		b.Fatal(err)
	}
	return stream
}
