package io_test

import (
	"syscall"
	"testing"
	"time"

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
