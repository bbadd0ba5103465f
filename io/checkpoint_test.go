package io

import (
	"errors"
	goio "io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/netcap-go/netcap/types"
)

func readPorts(t *testing.T, path string) []int32 {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []int32
	for {
		m := &types.TCP{}
		err := r.Next(m)
		if errors.Is(err, goio.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v after %d records", path, err, len(out))
		}
		out = append(out, m.SrcPort)
	}
}

// TestCheckpointResume: records up to a checkpoint survive a crash (the
// writer is abandoned, not closed); reopening at the checkpoint drops what
// came after it and appends in a new member; the file reads as one stream.
func TestCheckpointResume(t *testing.T) {
	for _, c := range []Compression{Gzip, Zstd, None} {
		t.Run(c.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "TCP"+c.Extension())
			w, err := CreateFileAt(path, NewHeader(types.Type_NC_TCP, "test", false), c)
			if err != nil {
				t.Fatal(err)
			}
			write := func(w *FileWriter, from, to int32) {
				for p := from; p < to; p++ {
					if err := w.Write(&types.TCP{SrcPort: p, Timestamp: int64(p)}); err != nil {
						t.Fatal(err)
					}
				}
			}
			write(w, 0, 100)
			size1, err := w.Checkpoint()
			if err != nil {
				t.Fatal(err)
			}
			write(w, 100, 200)
			size2, err := w.Checkpoint()
			if err != nil || size2 <= size1 {
				t.Fatalf("second checkpoint %d after %d: %v", size2, size1, err)
			}
			if got := readPorts(t, path); len(got) != 200 {
				t.Fatalf("after two checkpoints the file reads %d records, want 200", len(got))
			}
			write(w, 200, 5000) // lost in the "crash"
			w.buf.Flush()
			// crash: w is abandoned; resume at the first checkpoint
			w2, err := OpenFileAppend(path, size1, 100, c)
			if err != nil {
				t.Fatal(err)
			}
			write(w2, 1000, 1010)
			if err := w2.Close(); err != nil {
				t.Fatal(err)
			}
			want := []int32{}
			for p := int32(0); p < 100; p++ {
				want = append(want, p)
			}
			for p := int32(1000); p < 1010; p++ {
				want = append(want, p)
			}
			if got := readPorts(t, path); !slices.Equal(got, want) {
				t.Fatalf("resumed file: %d records %v…, want %d", len(got), got[:min(len(got), 5)], len(want))
			}
			if w2.Records() != 110 {
				t.Errorf("Records %d, want 110", w2.Records())
			}
			if _, err := OpenFileAppend(path, 1<<30, 0, c); err == nil {
				t.Error("a checkpoint past the end of the file was accepted")
			}
		})
	}
}
