package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
)

// compressWith runs a compression tool on src (as a pipe, so it does not
// know the size) and writes its output to dst.
func compressWith(t *testing.T, dst, src string, tool string, args ...string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd := exec.Command(tool, args...)
	cmd.Stdin = in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v", tool, args, err)
	}
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCompressedInputErrors: a damaged gzip stream and a zstd stream whose
// window is over the decoder's limit, made by the real tools, are reported
// as decompression errors naming the file, not as short captures.
func TestCompressedInputErrors(t *testing.T) {
	pcap := testutil.Testdata(t, "http.pcap")
	dir := t.TempDir()
	gz := filepath.Join(dir, "http.pcap.gz")
	compressWith(t, gz, pcap, testutil.Tool(t, "gzip", "gzip"), "-c")
	raw := mustRead(t, gz)

	corrupt := append([]byte(nil), raw...)
	corrupt[30] ^= 0xff // inside the first deflate block
	badData := filepath.Join(dir, "data.pcap.gz")
	os.WriteFile(badData, corrupt, 0o644)
	badHeader := filepath.Join(dir, "header.pcap.gz")
	os.WriteFile(badHeader, append([]byte{0x1f, 0x8b, 0x08, 0xe0}, raw[4:]...), 0o644) // reserved flag bits set

	// zstd --long=30 on a pipe declares a 1 GiB window; the decoder allows 512 MiB.
	zst := filepath.Join(dir, "http.pcap.zst")
	compressWith(t, zst, pcap, testutil.Tool(t, "zstd", "zstd"), "-q", "-c", "--long=30")

	cases := []struct{ path, want string }{
		{badData, "reading " + badData + ": gzip: flate: corrupt input"},
		{badHeader, "reading " + badHeader + ": gzip: invalid header"},
		{zst, "reading " + zst + ": zstd: window size exceeded"},
	}
	for _, c := range cases {
		r := netCmd(t, nil, "capture", "-read", c.path, "-out", t.TempDir(), "-q")
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "too short") {
			t.Errorf("%s: exit %d, stderr %q, want %q", filepath.Base(c.path), r.code, r.stderr, c.want)
		}
	}
	// The intact file still reads.
	if out := mustNet(t, "capture", "-read", gz, "-out", t.TempDir()); !strings.Contains(out, "HTTP") {
		t.Errorf("intact gzip capture: no HTTP records:\n%s", out)
	}
}
