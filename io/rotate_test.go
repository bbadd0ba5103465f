package io_test

import (
	"errors"
	goio "io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// readAll reads a record file to its end and returns its header type and
// the records' timestamps.
func readAll(t *testing.T, path string) (types.Type, []int64) {
	t.Helper()
	r, err := ncio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ts []int64
	for {
		m := &types.UDP{}
		err := r.Next(m)
		if errors.Is(err, goio.EOF) {
			return r.Type(), ts
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ts = append(ts, m.Timestamp)
	}
}

// TestRotateByTime: with -rotate 1h, records written over three hours go
// to three complete files named by their start, and none is lost.
func TestRotateByTime(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: dir, Compression: ncio.Gzip, Rotate: time.Hour, BatchBytes: 1, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	em := sink.NewEmitter()
	for i := range 180 { // one record a minute
		if err := em.Emit(types.Type_NC_UDP, &types.UDP{Timestamp: int64(i)}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	if err := em.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	files := sink.Files()
	want := []string{"UDP-20261126T100000Z.ncap.gz", "UDP-20261126T110000Z.ncap.gz", "UDP-20261126T120000Z.ncap.gz"}
	if len(files) != len(want) {
		t.Fatalf("files %v", files)
	}
	var next int64
	for i, f := range files {
		if filepath.Base(f.Path) != want[i] {
			t.Errorf("file %d: %s, want %s", i, filepath.Base(f.Path), want[i])
		}
		typ, ts := readAll(t, f.Path)
		if typ != types.Type_NC_UDP || len(ts) != 60 || int64(len(ts)) != f.Records {
			t.Errorf("%s: type %v, %d records (%d counted)", f.Path, typ, len(ts), f.Records)
		}
		for _, v := range ts {
			if v != next {
				t.Fatalf("%s: record %d, want %d", f.Path, v, next)
			}
			next++
		}
	}
}

// TestRotateBySize: a size bound gives several files, each at most about
// the bound (plus one batch), and every record is in exactly one.
func TestRotateBySize(t *testing.T) {
	dir := t.TempDir()
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: dir, Compression: ncio.None, RotateSize: 4096, BatchBytes: 512})
	if err != nil {
		t.Fatal(err)
	}
	em := sink.NewEmitter()
	const n = 5000
	for i := range n {
		if err := em.Emit(types.Type_NC_UDP, &types.UDP{Timestamp: int64(i), SrcPort: 53, DstPort: 5353, Length: 100}); err != nil {
			t.Fatal(err)
		}
	}
	em.Flush()
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	files := sink.Files()
	if len(files) < 5 {
		t.Fatalf("%d files", len(files))
	}
	seen := map[int64]bool{}
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f.Path), "UDP-") {
			t.Errorf("name %s", f.Path)
		}
		_, ts := readAll(t, f.Path)
		for _, v := range ts {
			if seen[v] {
				t.Fatalf("record %d twice", v)
			}
			seen[v] = true
		}
	}
	if len(seen) != n {
		t.Fatalf("%d of %d records", len(seen), n)
	}
}
