package collector

import (
	"bytes"
	"context"
	"testing"

	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/pcapgen"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/source"
)

// TestHalfOpenConnectionsBounded: 100,000 connections that never end, each
// with bytes waiting behind a hole, stay within the reassembly bounds: at
// most MaxConns connections are tracked (the least recently active are
// closed and counted), at most MaxBytes are buffered (holes are skipped and
// counted), and every connection is accounted for.
func TestHalfOpenConnectionsBounded(t *testing.T) {
	const n = 100_000
	var buf bytes.Buffer
	w := pcapgen.NewWriter(&buf)
	for i := range n {
		w.HalfOpen(i)
	}
	w.Flush()
	src, err := source.NewFile(bytes.NewReader(buf.Bytes()), "halfopen")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Workers:    2,
		Sink:       ncio.NewMemorySink(),
		Include:    []string{"TCP", "Service"}, // Service reads streams, so reassembly runs
		Stream:     stream.Options{},
		Reassembly: reassembly.Config{MaxConns: 10_000, MaxBytes: 256 << 10},
	}
	sum, err := Run(context.Background(), src, "halfopen", cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := sum.Reassembly
	if r.Conns != n {
		t.Errorf("%d connections, want %d", r.Conns, n)
	}
	// Each worker tracks at most 5,000 (10,000 split over 2), so at least
	// 90,000 were evicted; the rest end at Flush.
	if r.Evicted < n-10_000 || r.Evicted >= n {
		t.Errorf("%d evicted, want at least %d", r.Evicted, n-10_000)
	}
	if r.BufferedPeak > 128<<10 {
		t.Errorf("peak buffered %d bytes per worker, bound 128 KiB", r.BufferedPeak)
	}
	// Every connection's 100 bytes waited behind a 100-byte hole.
	if r.LostBytes != 100*n || r.Bytes != 100*n {
		t.Errorf("lost %d, delivered %d bytes, want %d each", r.LostBytes, r.Bytes, 100*n)
	}
}
