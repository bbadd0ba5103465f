package stream_test

import (
	"context"
	"sync"
	"testing"

	"github.com/netcap-go/netcap/collector"
	ncio "github.com/netcap-go/netcap/io"
)

var (
	decodedMu sync.Mutex
	decoded   = map[string]*ncio.MemorySink{}
)

// decodeCapture runs the whole pipeline (two workers, reassembly, every
// decoder) on a capture, once per test binary.
func decodeCapture(t testing.TB, path string) *ncio.MemorySink {
	t.Helper()
	decodedMu.Lock()
	defer decodedMu.Unlock()
	if s, ok := decoded[path]; ok {
		return s
	}
	f, err := collector.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	sink := ncio.NewMemorySink()
	if _, err := collector.Run(context.Background(), f, path, collector.Config{Workers: 2, Sink: sink}); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	decoded[path] = sink
	return sink
}
