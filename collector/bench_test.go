package collector

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
)

func loadCapture(b *testing.B, name string) []byte {
	data, err := os.ReadFile(testutil.Testdata(b, name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkPcapReader reads every packet of mixed.pcap from memory.
func BenchmarkPcapReader(b *testing.B) { benchReader(b, "mixed.pcap") }

// BenchmarkPcapngReader reads every packet of mixed.pcapng from memory.
func BenchmarkPcapngReader(b *testing.B) { benchReader(b, "mixed.pcapng") }

func benchReader(b *testing.B, name string) {
	data := loadCapture(b, name)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := source.NewFile(bytes.NewReader(data), name)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, _, err := f.ReadPacket(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRunDiscard runs the whole pipeline (reader, dispatcher, two
// workers, all decoders) into a sink that only frames records.
func BenchmarkRunDiscard(b *testing.B) {
	data := loadCapture(b, "mixed.pcap")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := source.NewFile(bytes.NewReader(data), "mixed.pcap")
		if err != nil {
			b.Fatal(err)
		}
		sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: b.TempDir(), Compression: ncio.None})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(context.Background(), f, "bench", Config{Workers: 2, Sink: sink}); err != nil {
			b.Fatal(err)
		}
		sink.Close()
	}
}
