package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
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

// pcapFrames returns the frames of a little-endian classic pcap file.
func pcapFrames(t *testing.T, path string) (header []byte, frames [][]byte) {
	t.Helper()
	b := mustRead(t, path)
	header, b = b[:24], b[24:]
	for len(b) >= 16 {
		n := binary.LittleEndian.Uint32(b[8:12])
		frames = append(frames, b[16:16+n])
		b = b[16+n:]
	}
	return header, frames
}

// oversizedCaptures writes a pcap and a pcapng file of frames with snap
// length snap, each frame claiming origLen(i, frame) bytes on the wire.
func oversizedCaptures(t *testing.T, dir string, frames [][]byte, snap uint32, origLen func(i int, f []byte) uint32) (string, string) {
	t.Helper()
	le := binary.LittleEndian
	pcap := le.AppendUint32(nil, 0xa1b2c3d4)
	pcap = le.AppendUint16(le.AppendUint16(pcap, 2), 4)
	pcap = le.AppendUint32(le.AppendUint32(le.AppendUint32(pcap, 0), 0), snap)
	pcap = le.AppendUint32(pcap, 1) // Ethernet
	block := func(out []byte, typ uint32, body []byte) []byte {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		out = le.AppendUint32(le.AppendUint32(out, typ), uint32(12+len(body)))
		return le.AppendUint32(append(out, body...), uint32(12+len(body)))
	}
	shb := le.AppendUint32(nil, 0x1a2b3c4d)
	shb = le.AppendUint64(le.AppendUint16(le.AppendUint16(shb, 1), 0), ^uint64(0))
	ng := block(nil, 0x0a0d0d0a, shb)
	ng = block(ng, 1, le.AppendUint32(le.AppendUint16(le.AppendUint16(nil, 1), 0), snap))
	for i, f := range frames {
		ts := uint32(1_700_000_000 + i)
		pcap = le.AppendUint32(le.AppendUint32(pcap, ts), 0)
		pcap = le.AppendUint32(le.AppendUint32(pcap, uint32(len(f))), origLen(i, f))
		pcap = append(pcap, f...)
		us := uint64(ts) * 1e6
		epb := le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, 0), uint32(us>>32)), uint32(us))
		epb = le.AppendUint32(le.AppendUint32(epb, uint32(len(f))), origLen(i, f))
		ng = block(ng, 6, append(epb, f...))
	}
	p, n := filepath.Join(dir, "oversized.pcap"), filepath.Join(dir, "oversized.pcapng")
	os.WriteFile(p, pcap, 0o644)
	os.WriteFile(n, ng, 0o644)
	return p, n
}

// TestOversizedFrames: frames captured longer than their original length
// or than the snap length are decoded as captured, as tshark does, counted
// in the summary and warned about in one line naming the first.
func TestOversizedFrames(t *testing.T) {
	_, frames := pcapFrames(t, testutil.Testdata(t, "http.pcap"))
	frames = frames[:8]
	const snap = 100
	var overSnap int
	for _, f := range frames {
		if len(f) > snap {
			overSnap++
		}
	}
	if overSnap == 0 || len(frames[1]) <= 40 || len(frames[1]) > snap {
		t.Fatalf("http.pcap's first frames do not fit the test: %d over the snap length, frame 2 of %d bytes", overSnap, len(frames[1]))
	}
	// Frame 2 claims 40 bytes on the wire.
	pcap, pcapng := oversizedCaptures(t, t.TempDir(), frames, snap, func(i int, f []byte) uint32 {
		if i == 1 {
			return 40
		}
		return uint32(len(f))
	})
	for _, in := range []string{pcap, pcapng} {
		out := t.TempDir()
		r := netCmd(t, nil, "capture", "-read", in, "-out", out, "-workers", "1")
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", in, r.code, r.stderr)
		}
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 ||
			!strings.Contains(lines[0], "first: packet 2: captured length "+fmt.Sprint(len(frames[1]))+", original length 40") {
			t.Errorf("%s: want one warning line naming packet 2, stderr:\n%s", filepath.Base(in), r.stderr)
		}
		for _, want := range []string{"captured > original length  1 ", fmt.Sprintf("captured > snap length      %d ", overSnap)} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s: summary lacks %q:\n%s", filepath.Base(in), want, r.stdout)
			}
		}
		// Nothing is dropped or cut: every frame gives its Ethernet
		// record, and tshark, which also decodes them as captured, flags
		// frame 2 alone.
		eth := strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", filepath.Join(out, "Ethernet.ncap.gz"))), "\n")
		var tsharkFrames, flagged []string
		for _, f := range tsharktest.Fields(t, in, tsharktest.Query{Fields: []string{"_ws.expert.message"}}) {
			num := strconv.Itoa(f.Number)
			tsharkFrames = append(tsharkFrames, num)
			if slices.ContainsFunc(f.All("_ws.expert.message"), func(m string) bool {
				return strings.Contains(m, "Frame length is less than captured length")
			}) {
				flagged = append(flagged, num)
			}
		}
		if len(eth)-1 != len(frames) || len(tsharkFrames) != len(frames) || !slices.Equal(flagged, []string{"2"}) {
			t.Errorf("%s: %d Ethernet records, tshark %d frames and flags %v; want %d frames, frame 2 flagged", filepath.Base(in), len(eth)-1, len(tsharkFrames), flagged, len(frames))
		}
	}
}
