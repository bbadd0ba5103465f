package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
)

// TestFileStorageConfined: a relative -fileStorage lands under -out; a
// symlinked content-type directory and a symlinked file inside it, both
// pointing outside, are passed over: every extracted file is written
// under another name inside the storage directory, nothing outside is
// touched and nothing is overwritten.
func TestFileStorageConfined(t *testing.T) {
	base := t.TempDir()
	outside, cwd, out := filepath.Join(base, "outside"), filepath.Join(base, "cwd"), filepath.Join(base, "out")
	storage := filepath.Join(out, "files")
	for _, d := range []string{outside, cwd, filepath.Join(storage, "application_json")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.txt")
	os.WriteFile(secret, []byte("keep"), 0o644)
	for link, target := range map[string]string{
		filepath.Join(storage, "text_html"):                  outside,
		filepath.Join(storage, "application_json/data.json"): secret,
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}

	r := netCmdIn(t, cwd, "capture", "-read", testutil.Testdata(t, "http.pcap"), "-out", out, "-fileStorage", "files", "-q")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 || string(mustRead(t, secret)) != "keep" {
		t.Fatalf("the directory outside was written to: %v", entries)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Fatalf("a relative -fileStorage wrote into the working directory: %v", entries)
	}
	if l, err := os.Readlink(filepath.Join(storage, "application_json/data.json")); err != nil || l != secret {
		t.Fatalf("the symlinked file was replaced: %q %v", l, err)
	}

	type file struct {
		Name, Location string
		Length         json.Number
	}
	var html, json1 int
	for l := range strings.SplitSeq(strings.TrimSpace(mustNet(t, "dump", "-read", filepath.Join(out, "File.ncap.gz"), "-json")), "\n") {
		var f file
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(storage, f.Location)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s stored at %q, outside %s", f.Name, f.Location, storage)
			continue
		}
		st, err := os.Lstat(f.Location)
		if err != nil || !st.Mode().IsRegular() || f.Length.String() != strconv.FormatInt(st.Size(), 10) {
			t.Errorf("%s: %q is not a regular file of %s bytes: %v %v", f.Name, f.Location, f.Length, st, err)
		}
		switch filepath.Dir(rel) {
		case "text_html-1":
			html++
		case "application_json":
			if filepath.Base(rel) == "data.json" {
				t.Errorf("data.json written through the symlink")
			}
			json1++
		case "text_html":
			t.Errorf("%s written through the symlinked directory", f.Name)
		}
	}
	if html == 0 || json1 != 2 {
		t.Errorf("%d text/html files in text_html-1, %d JSON files beside the symlink; want some and 2", html, json1)
	}
}
