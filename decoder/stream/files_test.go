package stream

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netcap-go/netcap/types"
)

// TestFileStoreRemovesOnlyItsOwn: an incomplete file is removed with the
// content-type directory the run made for it, but a directory that was
// there before the run stays, even when left empty.
func TestFileStoreRemovesOnlyItsOwn(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "text_plain"), 0o755); err != nil {
		t.Fatal(err)
	}
	var s fileStore
	for _, ct := range []string{"text/plain", "image/png"} {
		f, err := s.create(dir, &types.File{Name: "a.bin", ContentType: ct}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		s.remove(dir, f.Name())
		if _, err := os.Lstat(f.Name()); !os.IsNotExist(err) {
			t.Errorf("%s: the incomplete file is still there (%v)", ct, err)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "text_plain")); err != nil || !st.IsDir() {
		t.Errorf("the directory that was there before the run was removed: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "image_png")); !os.IsNotExist(err) {
		t.Errorf("the directory the run made is left behind empty: %v", err)
	}
}
