package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// readAll reads every packet of a capture as "time caplen len linktype" lines.
func readAll(t *testing.T, path string) ([]string, error) {
	t.Helper()
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	for {
		data, ci, err := f.ReadPacket()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if len(data) != ci.CaptureLength {
			t.Fatalf("%s: packet %d: %d bytes, capture length %d", path, len(out)+1, len(data), ci.CaptureLength)
		}
		out = append(out, fmt.Sprintf("%d %d %d %d", ci.Timestamp, ci.CaptureLength, ci.Length, int(ci.LinkType)))
	}
}

// tsharkFrames lists the same facts from tshark, for packet frames only
// (Wireshark also shows pcapng custom blocks as frames; they have no
// interface). A simple packet block has no time: tshark leaves it empty.
func tsharkFrames(t *testing.T, path string) []string {
	t.Helper()
	var lines []string
	for _, f := range tsharktest.Fields(t, path, tsharktest.Query{Fields: []string{"frame.cap_len", "frame.len", "frame.encap_type", "frame.interface_id"}}) {
		c := f.Row()
		if c[2] == "" { // a custom block, not a packet
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %s", f.Time, c[0], c[1], wtapToLinkType(c[2])))
	}
	return lines
}

// wtapToLinkType maps Wireshark's encapsulation numbers (frame.encap_type)
// to pcap link types, for the ones in the test files.
func wtapToLinkType(e string) string {
	switch e {
	case "1":
		return "1" // Ethernet
	case "15":
		return "0" // null/loopback
	case "7":
		return "101" // raw IP
	case "25":
		return "113" // Linux SLL
	case "210":
		return "276" // Linux SLL2
	case "23":
		return "127" // 802.11 radiotap
	}
	return "wtap" + e
}

// TestPcapngGeneratorFiles reads every file of the pcapng test generator:
// several sections of either byte order, interfaces of different link types
// and timestamp resolutions, simple packet blocks, name resolution,
// statistics and custom blocks. The packet count must equal the EPB+SPB+PB
// count its description gives, and every packet's time, lengths and link
// type must equal tshark's.
func TestPcapngGeneratorFiles(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "pcapng-test-generator", "output_le")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.pcapng"))
	if len(files) < 20 {
		t.Skipf("pcapng test files not found in %s", dir)
	}
	count := regexp.MustCompile(`(?m)^\s+(EPB|SPB|PB): (\d+)`)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			desc, err := os.ReadFile(strings.TrimSuffix(path, ".pcapng") + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, m := range count.FindAllStringSubmatch(string(desc), -1) {
				n, _ := strconv.Atoi(m[2])
				want += n
			}
			ours, err := readAll(t, path)
			if err != nil {
				t.Fatalf("reading: %v", err)
			}
			if len(ours) != want {
				t.Errorf("%d packets, the file's description says %d", len(ours), want)
			}
			theirs := tsharkFrames(t, path)
			if strings.Join(ours, "\n") != strings.Join(theirs, "\n") {
				t.Errorf("packets differ from tshark:\nours:\n%s\ntshark:\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
			}
		})
	}
}

// TestPcapMatchesTshark reads classic pcaps (microsecond and nanosecond,
// little and big endian, several link types) and pcapng, packet by packet.
func TestPcapMatchesTshark(t *testing.T) {
	paths := []string{testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"), testutil.Testdata(t, "icmp-sll2.pcap")}
	for _, rel := range []string{
		"public/tcpdump/tcp-handshake-nano.pcap",
		"public/arkime/bigendian.pcap",
		"public/tcpdump/LINKTYPE_RAW_ipv4.pcap",
		"public/gopacket/pcap/test_loopback.pcap",
		"public/arkime/80211http.pcap",
	} {
		if p, ok := testutil.SharedIfPresent(t, rel); ok {
			paths = append(paths, p)
		}
	}
	for _, path := range paths {
		ours, err := readAll(t, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		theirs := tsharkFrames(t, path)
		if len(ours) == 0 || strings.Join(ours, "\n") != strings.Join(theirs, "\n") {
			t.Errorf("%s: %d packets, tshark %d; first lines ours %q tshark %q", path, len(ours), len(theirs), first(ours), first(theirs))
		}
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// TestCompressedCapture reads a gzip-compressed pcap like the plain one.
func TestCompressedCapture(t *testing.T) {
	plain := testutil.Testdata(t, "mixed.pcap")
	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	gz := filepath.Join(t.TempDir(), "mixed.pcap.gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := readAll(t, plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := readAll(t, gz)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 652 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("gzip capture: %d packets, plain %d", len(b), len(a))
	}
}

// TestTruncatedCaptures cuts captures at every kind of place: the packets
// before the cut are returned, then an error wrapping ErrTruncated.
func TestTruncatedCaptures(t *testing.T) {
	for _, name := range []string{"mixed.pcap", "mixed.pcapng"} {
		full, err := readAll(t, testutil.Testdata(t, name))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(testutil.Testdata(t, name))
		for _, cut := range []int{30, 100, 1000, 5001, len(data) / 2, len(data) - 1} {
			path := filepath.Join(t.TempDir(), name)
			os.WriteFile(path, data[:cut], 0o644)
			got, err := readAll(t, path)
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("%s cut at %d: error %v, want ErrTruncated", name, cut, err)
			}
			if len(got) >= len(full) || strings.Join(got, "\n") != strings.Join(full[:len(got)], "\n") {
				t.Errorf("%s cut at %d: %d packets, not a prefix of the %d", name, cut, len(got), len(full))
			}
		}
	}
}

// TestBadCaptures: input that is not a capture gives a clear error.
func TestBadCaptures(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	pcap, _ := os.ReadFile(testutil.Testdata(t, "mixed.pcap"))
	badVersion := append([]byte(nil), pcap[:24]...)
	badVersion[4] = 9
	hugeRecord := append([]byte(nil), pcap[:24+16]...)
	copy(hugeRecord[24+8:], []byte{0xff, 0xff, 0xff, 0x7f})
	cases := []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "missing.pcap"), "no such file"},
		{write("empty.pcap", nil), "not a pcap or pcapng file"},
		{write("text.pcap", []byte("hello, this is not a capture file\n")), "not a pcap or pcapng file"},
		{write("version.pcap", badVersion), "unsupported pcap version"},
		{dir, "is a directory"},
	}
	for _, c := range cases {
		_, err := OpenFile(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.path, err, c.want)
		}
	}
	f, err := OpenFile(write("huge.pcap", hugeRecord))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ReadPacket(); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("huge record length: error %v, want corrupt", err)
	}
}

// FuzzCaptureReader feeds arbitrary bytes to the pcap/pcapng reader: it
// must return packets or an error, never panic or loop.
func FuzzCaptureReader(f *testing.F) {
	for _, name := range []string{"mixed.pcap", "mixed.pcapng", "icmp-sll2.pcap"} {
		data, err := os.ReadFile(testutil.Testdata(f, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), 4096)])
		// the decompressing path too
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(data[:min(len(data), 4096)])
		zw.Close()
		f.Add(gz.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := NewFile(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		for i := 0; i < 100000; i++ {
			pkt, ci, err := cf.ReadPacket()
			if err != nil {
				return
			}
			if len(pkt) != ci.CaptureLength || ci.CaptureLength > ci.Length {
				t.Fatalf("packet of %d bytes, capture length %d, length %d", len(pkt), ci.CaptureLength, ci.Length)
			}
		}
		t.Fatal("reader did not stop")
	})
}
