package io_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	ncio "github.com/netcap-go/netcap/io"
)

// TestFindRecordFiles: record files down to four directory levels, not in
// hidden or symlinked directories, not other files; a symlinked -read
// directory itself is followed.
func TestFindRecordFiles(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		"TCP.ncap.gz", "notes.txt", "a/UDP.ncap.zst", "a/b/c/d/DNS.ncap",
		"a/b/c/d/e/TCP.ncap.gz", ".spool/TCP.ncap.gz",
	} {
		p = filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "link"))
	want := []string{"TCP.ncap.gz", "a/UDP.ncap.zst", "a/b/c/d/DNS.ncap"}
	got, err := ncio.FindRecordFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i], _ = filepath.Rel(dir, got[i])
	}
	if !slices.Equal(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
	linked := filepath.Join(t.TempDir(), "out")
	os.Symlink(dir, linked)
	if got, err := ncio.FindRecordFiles(linked); err != nil || len(got) != len(want) || got[0] != filepath.Join(linked, "TCP.ncap.gz") {
		t.Errorf("a symlinked directory to read: %v %v", got, err)
	}
}
