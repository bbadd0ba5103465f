package stream_test

import (
	"context"
	"sync"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

var (
	decodedMu sync.Mutex
	decoded   = map[string]*ncio.MemorySink{}
)

// decodeCapture runs the whole pipeline (two workers, reassembly, every
// decoder) on a capture, once per test binary; every record's strings must
// be escaped.
func decodeCapture(t testing.TB, path string) *ncio.MemorySink {
	t.Helper()
	decodedMu.Lock()
	defer decodedMu.Unlock()
	if s, ok := decoded[path]; ok {
		return s
	}
	f, err := source.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	sink := ncio.NewMemorySink()
	if _, err := collector.Run(context.Background(), f, path, collector.Config{Workers: 2, Sink: sink}); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	for _, typ := range sink.Types() {
		for _, m := range sink.Records(typ) {
			if err := types.CheckStrings(m); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
	}
	decoded[path] = sink
	return sink
}

// atLeast returns withShared when the shared captures are next to the
// repository and without otherwise: the least a test must have compared,
// in a user's clone (testdata only) or with the public captures.
func atLeast(t testing.TB, withShared, without int) int {
	if _, ok := testutil.SharedIfPresent(t, "public"); ok {
		return withShared
	}
	return without
}
