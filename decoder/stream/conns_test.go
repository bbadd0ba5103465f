package stream_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// cnChunk is a piece of a conversation: who sent it, the bytes, or a gap.
type cnChunk struct {
	server bool
	data   []byte
	gap    int64
}

// cnFile is one -conns file, read back.
type cnFile struct {
	transport, service, client, server, start string
	chunks                                    []cnChunk
}

var (
	cnName   = regexp.MustCompile(`^(.+)_(\d+)-(.+)_(\d+)_(\d{8}T\d{6}\.\d{9}Z)\.bin$`)
	cnMarker = regexp.MustCompile(`^--- (client->server|server->client) (\S+) (\d+) bytes$`)
	cnGap    = regexp.MustCompile(`^--- (client->server|server->client) gap (\d+) bytes missing$`)
)

// cnRead reads every file under dir, by "transport client->server".
func cnRead(t *testing.T, dir string) map[string]*cnFile {
	t.Helper()
	out := map[string]*cnFile{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		parts := strings.Split(rel, string(filepath.Separator))
		m := cnName.FindStringSubmatch(parts[len(parts)-1])
		if len(parts) != 3 || m == nil {
			t.Errorf("unexpected file %s", rel)
			return nil
		}
		f := &cnFile{transport: parts[0], service: parts[1], client: streamtest.JoinHostPort(m[1], m[2]), server: streamtest.JoinHostPort(m[3], m[4]), start: m[5]}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for len(b) > 0 {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				t.Fatalf("%s: unterminated marker %q", rel, b)
			}
			line := string(b[:i])
			b = b[i+1:]
			if g := cnGap.FindStringSubmatch(line); g != nil {
				n, _ := strconv.ParseInt(g[2], 10, 64)
				f.chunks = append(f.chunks, cnChunk{server: g[1] == "server->client", gap: n})
				continue
			}
			mk := cnMarker.FindStringSubmatch(line)
			if mk == nil {
				t.Fatalf("%s: bad marker %q", rel, line)
			}
			n, _ := strconv.Atoi(mk[3])
			if len(b) < n+1 || b[n] != '\n' {
				t.Fatalf("%s: chunk of %d bytes is cut", rel, n)
			}
			f.chunks = append(f.chunks, cnChunk{server: mk[1] == "server->client", data: b[:n]})
			b = b[n+1:]
		}
		k := f.transport + " " + f.client + "->" + f.server
		if out[k] != nil {
			t.Errorf("two files for %s", k)
		}
		out[k] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cnRuns merges consecutive chunks of the same side.
func cnRuns(chunks []cnChunk) []cnChunk {
	var out []cnChunk
	for _, c := range chunks {
		if c.gap > 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].server == c.server {
			out[n-1].data = append(out[n-1].data, c.data...)
			continue
		}
		out = append(out, cnChunk{server: c.server, data: slices.Clone(c.data)})
	}
	return out
}

// cnFollow runs `tshark -z follow,<transport>,raw,N` for the streams and
// returns each stream's data as runs (node 0 is the sender of the first
// packet; each output line is one segment or datagram, node 1's indented).
func cnFollow(t *testing.T, pcap, transport string, streams []string) map[string][2]string {
	args := []string{"-r", pcap, "-n", "-q"}
	for _, s := range streams {
		args = append(args, "-z", "follow,"+transport+",raw,"+s)
	}
	out := tsharktest.Run(t, args...)
	type run struct {
		node1 bool
		data  []byte
	}
	res := map[string][2]string{}
	var stream string
	var nodes [2]string
	var runs []run
	flush := func() {
		if stream == "" {
			return
		}
		// Encode the runs with the node's endpoint, to map to our sides.
		var sb strings.Builder
		for _, r := range runs {
			n := 0
			if r.node1 {
				n = 1
			}
			fmt.Fprintf(&sb, "%s:%x;", nodes[n], r.data)
		}
		res[stream] = [2]string{nodes[0] + " " + nodes[1], sb.String()}
		stream, runs = "", nil
	}
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "Filter: "):
			flush()
			stream = l[strings.LastIndexByte(l, ' ')+1:]
		case strings.HasPrefix(l, "Node 0: "), strings.HasPrefix(l, "Node 1: "):
			n, _ := strconv.Atoi(l[5:6])
			nodes[n] = streamtest.Endpoint(strings.TrimSpace(l[8:]))
		case strings.HasPrefix(l, "==="), l == "", strings.HasPrefix(l, "Follow:"):
		default:
			node1 := strings.HasPrefix(l, "\t")
			b, err := hex.DecodeString(strings.TrimSpace(l))
			if err != nil {
				t.Fatalf("follow output %q: %v", l, err)
			}
			if n := len(runs); n > 0 && runs[n-1].node1 == node1 {
				runs[n-1].data = append(runs[n-1].data, b...)
			} else {
				runs = append(runs, run{node1, b})
			}
		}
	}
	flush()
	return res
}

var cnCaptures = []string{
	"public/arkime/imap.pcap",
	"public/ndpi/telnet.pcap",
	"public/zeek/traces/ftp/ipv6.pcap",
	"public/zeek/traces/smtp.pcap",
	"public/zeek/traces/pop3/pop3.pcap",
}

// TestConnsAgainstTshark: every TCP and UDP conversation with data has a
// file whose client and server bytes, in the order of their turns, are
// tshark's `-z follow,tcp,raw,N` (follow,udp) output for that stream; the
// file sits under the lower-cased protocol name or the port's service name.
func TestConnsAgainstTshark(t *testing.T) {
	pcaps := []string{testutil.Testdata(t, "mixed.pcap")}
	for _, rel := range cnCaptures {
		if p, ok := testutil.SharedIfPresent(t, rel); ok {
			pcaps = append(pcaps, p)
		}
	}
	protos := []string{"unknown"}
	for _, i := range registry.Infos() {
		if i.Group == decoder.GroupStream {
			protos = append(protos, strings.ToLower(i.Name))
		}
	}
	for _, pcap := range pcaps {
		name := filepath.Base(pcap)
		dir := t.TempDir()
		streamtest.Decode(t, pcap, collector.Config{Stream: stream.Options{ConnsDir: dir}}, "Service")
		files := cnRead(t, dir)
		convs := streamtest.Conversations(t, pcap)
		checked := 0
		for _, transport := range []string{"tcp", "udp"} {
			var ids []string
			for k, c := range convs {
				if c.Transport == transport && c.Payload[0]+c.Payload[1] > 0 {
					ids = append(ids, strings.TrimPrefix(k, transport))
				}
			}
			if len(ids) == 0 {
				continue
			}
			follow := cnFollow(t, pcap, transport, ids)
			for _, id := range ids {
				c := convs[transport+id]
				f := files[transport+" "+c.Client+"->"+c.Server]
				if f == nil {
					t.Errorf("%s: no file for %s %s->%s", name, transport, c.Client, c.Server)
					continue
				}
				var sb strings.Builder
				for _, r := range cnRuns(f.chunks) {
					ep := f.client
					if r.server {
						ep = f.server
					}
					fmt.Fprintf(&sb, "%s:%x;", ep, r.data)
				}
				if got, want := sb.String(), follow[id][1]; got != want {
					t.Errorf("%s: %s stream %s (%s): bytes differ from tshark's follow\n ours   %.300s\n tshark %.300s", name, transport, id, follow[id][0], got, want)
				}
				port := f.server[strings.LastIndexByte(f.server, ':')+1:]
				if !slices.Contains(protos, f.service) && f.service != cnWiresharkName(t, port, transport) {
					t.Errorf("%s: %s %s: service directory %q", name, transport, f.server, f.service)
				}
				checked++
			}
		}
		if checked == 0 || len(files) != checked {
			t.Errorf("%s: %d files, %d conversations checked", name, len(files), checked)
		}
		t.Logf("%s: %d conversations as tshark's follow", name, checked)
	}
}

var cnNames map[string]string

func cnWiresharkName(t *testing.T, port, transport string) string {
	if cnNames == nil {
		cnNames = streamtest.WiresharkServiceNames(t)
	}
	return cnNames[port+"/"+transport]
}

// TestConnsGapAndManyOpen: a lost segment is a gap line of its size (the
// sequence numbers tshark reports around the hole), and 100 conversations
// open at once (more than the files kept open) are each written whole.
func TestConnsGapAndManyOpen(t *testing.T) {
	var convs [][][]byte
	for i := range 100 {
		convs = append(convs, streamtest.TCPConversation(uint16(41000+i), 50500,
			streamtest.Seg(0, "PA", fmt.Sprintf("hello %d\n", i)),
			streamtest.Seg(1, "PA", fmt.Sprintf("welcome %d\n", i)),
			streamtest.Seg(0, "PA", "more\n"),
			streamtest.Seg(0, "LPA", strings.Repeat("x", 100+i)),
			streamtest.Seg(0, "PA", "after the hole\n"),
			streamtest.Seg(1, "PA", "bye\n"),
		))
	}
	// Interleave them, so that all are open at the same time.
	var frames [][]byte
	for j := 0; ; j++ {
		added := false
		for _, c := range convs {
			if j < len(c) {
				frames = append(frames, c[j])
				added = true
			}
		}
		if !added {
			break
		}
	}
	pcap := streamtest.WritePcap(t, frames)
	lost := streamtest.TsharkFields(t, pcap, "tcp.analysis.lost_segment && tcp.srcport == 41007", "tcp.seq")
	if len(lost) != 1 {
		t.Fatalf("tshark's lost segments: %q", lost)
	}
	dir := t.TempDir()
	streamtest.Decode(t, pcap, collector.Config{Stream: stream.Options{ConnsDir: dir}}, "Service")
	files := cnRead(t, dir)
	if len(files) != 100 {
		t.Fatalf("%d files", len(files))
	}
	for i := range 100 {
		f := files[fmt.Sprintf("tcp 10.0.0.1:%d->10.0.0.2:50500", 41000+i)]
		if f == nil {
			t.Fatalf("no file for conversation %d", i)
		}
		var got []string
		for _, c := range f.chunks {
			side := "C"
			if c.server {
				side = "S"
			}
			if c.gap > 0 {
				got = append(got, fmt.Sprintf("%s gap %d", side, c.gap))
			} else {
				got = append(got, side+" "+string(c.data))
			}
		}
		// In the order reassembly delivered them: the bytes after the hole
		// wait until it is given up, at the end of the connection.
		want := []string{"C " + fmt.Sprintf("hello %d\n", i), "S " + fmt.Sprintf("welcome %d\n", i), "C more\n",
			"S bye\n", fmt.Sprintf("C gap %d", 100+i), "C after the hole\n"}
		if !slices.Equal(got, want) {
			t.Errorf("conversation %d: %q, want %q", i, got, want)
		}
		if f.service != "unknown" { // no service name for a dynamic port
			t.Errorf("service directory %q", f.service)
		}
	}
	// The hole tshark sees in conversation 7: from the sequence number
	// after "more\n" (relative 1 + 8 + 5) to that of the segment after it.
	if seq, _ := strconv.Atoi(lost[0][0]); seq-14 != 107 {
		t.Errorf("tshark: the segment after the hole starts at %s, a hole of %d bytes; ours 107", lost[0][0], seq-14)
	}
}
