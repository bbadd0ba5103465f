package stream

import (
	"container/list"
	"os"
	"path/filepath"
	"testing"
)

// TestConnsNeverOverwrites: a conversation file name already in use (the
// same conversation twice, or a file left there) gets name-N.bin; the
// first file keeps its bytes.
func TestConnsNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p := &connsPool{dir: dir, open: map[string]*list.Element{}, dirs: map[string]bool{}, lru: list.New()}
	var got []string
	for _, data := range []string{"first", "second"} {
		path, err := p.write("tcp/http/a.bin", true, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.write(path, false, []byte("+")); err != nil {
			t.Fatal(err)
		}
		p.close(path)
		got = append(got, path)
	}
	if err := p.closeAll(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tcp/http/a.bin": "first+", "tcp/http/a-1.bin": "second+"}
	if got[0] != "tcp/http/a.bin" || got[1] != "tcp/http/a-1.bin" {
		t.Fatalf("paths %v", got)
	}
	for rel, content := range want {
		if b, err := os.ReadFile(filepath.Join(dir, rel)); err != nil || string(b) != content {
			t.Errorf("%s: %q %v, want %q", rel, b, err, content)
		}
	}
}
