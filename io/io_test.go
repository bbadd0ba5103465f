package io_test

import (
	"bytes"
	"errors"
	goio "io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

func sampleTCP(i int) *types.TCP {
	return &types.TCP{
		Timestamp: int64(1_700_000_000_000_000_000 + i), SrcPort: int32(1000 + i), DstPort: 443,
		SeqNum: uint32(i * 7), SYN: i%2 == 0, SrcIP: "10.0.0.1", DstIP: "2001:db8::1",
		Options: []*types.TCPOption{{OptionType: 2, OptionLength: 4, OptionData: []byte{5, 0xb4}}},
	}
}

// writeFile writes n TCP records through a FileSink with two emitters.
func writeFile(t testing.TB, dir string, c ncio.Compression, n int) string {
	t.Helper()
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: dir, Compression: c, Source: "test.pcap", BatchBytes: 512})
	if err != nil {
		t.Fatal(err)
	}
	a, b := sink.NewEmitter(), sink.NewEmitter()
	for i := range n {
		e := a
		if i%3 == 0 {
			e = b
		}
		if err := e.Emit(types.Type_NC_TCP, sampleTCP(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "TCP"+c.Extension())
}

func readFile(t *testing.T, path string) (*types.Header, []*types.TCP, error) {
	t.Helper()
	r, err := ncio.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var out []*types.TCP
	for {
		m := &types.TCP{}
		err := r.Next(m)
		if err == goio.EOF {
			return r.Header, out, nil
		}
		if err != nil {
			return r.Header, out, err
		}
		out = append(out, m)
	}
}

// TestRoundTrip writes and reads back records in every compression: the
// header is first, every record comes back (as a set: emitters interleave).
func TestRoundTrip(t *testing.T) {
	for _, c := range []ncio.Compression{ncio.Gzip, ncio.Zstd, ncio.None} {
		t.Run(c.String(), func(t *testing.T) {
			path := writeFile(t, t.TempDir(), c, 1000)
			hdr, recs, err := readFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if hdr.Type != types.Type_NC_TCP || hdr.InputSource != "test.pcap" || hdr.Version != types.Version || hdr.Created == 0 {
				t.Errorf("header %v", hdr)
			}
			if len(recs) != 1000 {
				t.Fatalf("%d records, want 1000", len(recs))
			}
			seen := map[int32]bool{}
			for _, r := range recs {
				i := int(r.SrcPort - 1000)
				if !proto.Equal(r, sampleTCP(i)) {
					t.Fatalf("record %d differs: %v", i, r)
				}
				seen[r.SrcPort] = true
			}
			if len(seen) != 1000 {
				t.Fatalf("%d distinct records", len(seen))
			}
		})
	}
}

// TestNoEmptyFiles: a type with no record leaves no file.
func TestNoEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	e := sink.NewEmitter()
	e.Flush()
	sink.Close()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("files left: %v", entries)
	}
}

// TestTruncatedRecordFile: a file cut inside a record yields the records
// before the cut, then ErrTruncated.
func TestTruncatedRecordFile(t *testing.T) {
	for _, c := range []ncio.Compression{ncio.None, ncio.Gzip, ncio.Zstd} {
		path := writeFile(t, t.TempDir(), c, 2000)
		data, _ := os.ReadFile(path)
		cut := filepath.Join(t.TempDir(), "cut"+c.Extension())
		os.WriteFile(cut, data[:len(data)*2/3], 0o644)
		_, recs, err := readFile(t, cut)
		if !errors.Is(err, ncio.ErrTruncated) {
			t.Errorf("%s: error %v, want ErrTruncated", c, err)
		}
		if len(recs) == 0 || len(recs) >= 2000 {
			t.Errorf("%s: %d records before the cut", c, len(recs))
		}
	}
}

// TestNotRecordFile: other files are refused with a clear error.
func TestNotRecordFile(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty.ncap":    nil,
		"text.ncap":     []byte("hello world, not records\n"),
		"pcap.ncap":     {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0},
		"badgz.ncap.gz": {0x1f, 0x8b, 0, 0},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if _, err := ncio.Open(p); err == nil || !strings.Contains(err.Error(), "not a netcap record file") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// FuzzRecordReader: any bytes give records or an error, never a panic.
func FuzzRecordReader(f *testing.F) {
	for _, c := range []ncio.Compression{ncio.None, ncio.Gzip} {
		data, err := os.ReadFile(writeFile(f, f.TempDir(), c, 5))
		if err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ncio.NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		defer r.Close()
		r.CheckName()
		m := r.NewRecord()
		for i := 0; i < 100000; i++ {
			// NextValid is Next and the type check of dump and util -check.
			if err := r.NextValid(m); err != nil {
				return
			}
		}
		t.Fatal("reader did not stop")
	})
}
