package stream_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/streamfuzz"
	"github.com/netcap-go/netcap/reassembly"
)

// FuzzConns: whatever the chunks, the file gives back each side's bytes
// and gaps.
func FuzzConns(f *testing.F) {
	f.Add(false, []byte("\x0cGET / HTTP/1.1\r\n\x0dHTTP/1.1 200 OK\r\n\x06\n--- x"))
	f.Add(true, []byte("\x01\x00\x00\x03\xff\x02\x10"))
	marker := regexp.MustCompile(`^--- (client->server|server->client) (?:(\S+) (\d+) bytes|gap (\d+) bytes missing)$`)
	f.Fuzz(func(t *testing.T, udp bool, in []byte) {
		dir := t.TempDir()
		tr := reassembly.TCP
		if udp {
			tr = reassembly.UDP
		}
		c, _ := streamfuzz.Conn(t, stream.Options{ConnsDir: dir}, tr, 80)
		s := stream.NewConnsWriter(c.Run()).New(c)
		streamfuzz.Feed(s, in)
		if err := c.Run().Flush(nil); err != nil {
			t.Fatal(err)
		}
		// What went in, per side.
		var want [2][]byte
		var gaps [2]int64
		for rest := in; len(rest) > 0; {
			ctl := rest[0]
			rest = rest[1:]
			n := min(int(ctl>>2)+1, len(rest))
			if ctl&2 != 0 {
				gaps[ctl&1] += int64(n)
				continue
			}
			want[ctl&1] = append(want[ctl&1], rest[:n]...)
			rest = rest[n:]
		}
		var got [2][]byte
		var gotGaps [2]int64
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.bin"))
		if len(files) > 1 || len(files) == 0 && len(want[0])+len(want[1])+int(gaps[0]+gaps[1]) > 0 {
			t.Fatalf("files %q", files)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for len(b) > 0 {
				i := bytes.IndexByte(b, '\n')
				if i < 0 {
					t.Fatalf("no marker line in %q", b)
				}
				m := marker.FindStringSubmatch(string(b[:i]))
				if m == nil {
					t.Fatalf("bad marker %q", b[:i])
				}
				b = b[i+1:]
				side := 0
				if m[1] == "server->client" {
					side = 1
				}
				if m[4] != "" {
					g, _ := strconv.ParseInt(m[4], 10, 64)
					gotGaps[side] += g
					continue
				}
				n, _ := strconv.Atoi(m[3])
				if len(b) < n+1 || b[n] != '\n' {
					t.Fatalf("chunk of %d bytes cut", n)
				}
				got[side] = append(got[side], b[:n]...)
				b = b[n+1:]
			}
		}
		for d := range 2 {
			if !bytes.Equal(got[d], want[d]) || gotGaps[d] != gaps[d] {
				t.Fatalf("side %d: %q gaps %d, want %q gaps %d", d, got[d], gotGaps[d], want[d], gaps[d])
			}
		}
	})
}
