// Package streamtest holds what the tests of the stream decoders share
// (decoder/stream and the observer packages decoder/credentials,
// decoder/service, decoder/vuln): decoding a capture through the whole
// pipeline, tshark's view of a capture's conversations, and synthetic TCP
// captures. It is for tests only.
//
// It imports collector, which imports the decoders: only external test
// packages (package x_test) may import it. Tests inside a decoder's own
// package use internal/streamfuzz instead.
package streamtest

import (
	"context"
	"strings"
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

// DecodeAll runs the whole pipeline (two workers, reassembly, every
// decoder) on a capture, once per test binary; every record's strings must
// be escaped.
func DecodeAll(t testing.TB, path string) *ncio.MemorySink {
	t.Helper()
	decodedMu.Lock()
	defer decodedMu.Unlock()
	if s, ok := decoded[path]; ok {
		return s
	}
	sink := Decode(t, path, collector.Config{})
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

// Decode runs the pipeline with only some decoders (faster than
// DecodeAll's all; none named is all) and the given configuration (two
// workers unless it says).
func Decode(t testing.TB, pcap string, cfg collector.Config, include ...string) *ncio.MemorySink {
	t.Helper()
	f, err := source.OpenFile(pcap)
	if err != nil {
		t.Fatalf("open %s: %v", pcap, err)
	}
	defer f.Close()
	sink := ncio.NewMemorySink()
	cfg.Sink, cfg.Include = sink, include
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if _, err := collector.Run(context.Background(), f, pcap, cfg); err != nil {
		t.Fatalf("decode %s: %v", pcap, err)
	}
	return sink
}

// AtLeast returns withShared when the shared captures are next to the
// repository and without otherwise: the least a test must have compared,
// in a user's clone (testdata only) or with the public captures.
func AtLeast(t testing.TB, withShared, without int) int {
	if _, ok := testutil.SharedIfPresent(t, "public"); ok {
		return withShared
	}
	return without
}

// JoinHostPort joins an address and a port as the records' flow idents
// do: "10.0.0.1:80", "[2001:db8::1]:80".
func JoinHostPort(h, p string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + p
	}
	return h + ":" + p
}
