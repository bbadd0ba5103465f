package streamtest

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/tsharktest"
)

// TsharkFields runs tshark on a capture with a display filter and returns
// the first occurrence of each field in each matching frame (a frame
// without the one field asked for has no row).
func TsharkFields(t testing.TB, pcap, filter string, fields ...string) [][]string {
	t.Helper()
	var rows [][]string
	for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: filter, Fields: fields, First: true}) {
		if row := f.Row(); len(row) != 1 || row[0] != "" {
			rows = append(rows, row)
		}
	}
	return rows
}

// Conversation is one conversation as tshark sees it.
type Conversation struct {
	Transport       string // "tcp" or "udp"
	Client, Server  string // ip:port, joined as our idents are
	First           int    // frame number of its first frame
	FirstServer     []byte // payload of the server's first data frame
	Payload, Frames [2]int64
	ServerSent      bool
	MidStream       bool // the capture has no SYN of its start
}

// Conversations reads every TCP and UDP conversation of a capture from
// tshark, per frame: who is the client (the sender of a SYN without ACK,
// the receiver of a SYN-ACK; mid-stream, the higher port; UDP, the first
// sender), the payload bytes of each direction and the frame bytes
// (frame.len, what conv,tcp counts). TCP payload bytes are the sequence
// space the data covers, from the lowest tcp.seq to the highest
// tcp.nxtseq of the frames with data (relative numbers): retransmitted and
// re-segmented bytes count once, as reassembly delivers them, and bytes
// never captured count too, as our Gap does. UDP payload bytes are
// udp.length minus the 8-byte header, summed.
func Conversations(t *testing.T, pcap string) map[string]*Conversation {
	t.Helper()
	convs := map[string]*Conversation{}
	rows := TsharkFields(t, pcap, "(tcp || udp) && !icmp && !icmpv6", "frame.number", "tcp.stream", "udp.stream", "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport",
		"ip.dst", "ipv6.dst", "tcp.dstport", "udp.dstport", "tcp.len", "udp.length", "tcp.flags.syn", "tcp.flags.ack", "frame.len", "tcp.payload", "udp.payload",
		"tcp.seq", "tcp.nxtseq", "tcp.flags.fin")
	type span struct{ lo, hi int64 }
	spans := map[*Conversation]*[2]span{}
	for _, r := range rows {
		tr, stream := "tcp", r[1]
		if stream == "" {
			tr, stream = "udp", r[2]
		}
		src := JoinHostPort(r[3]+r[4], r[5]+r[6])
		dst := JoinHostPort(r[7]+r[8], r[9]+r[10])
		sport, _ := strconv.Atoi(r[5] + r[6])
		dport, _ := strconv.Atoi(r[9] + r[10])
		k := tr + stream
		c := convs[k]
		syn, ack := r[13] == "1", r[14] == "1"
		if c == nil {
			c = &Conversation{Transport: tr, Client: src, Server: dst}
			c.First, _ = strconv.Atoi(r[0])
			switch {
			case tr == "udp", syn && !ack:
			case syn && ack:
				c.Client, c.Server = dst, src
			default:
				c.MidStream = true
				if sport < dport {
					c.Client, c.Server = dst, src
				}
			}
			convs[k] = c
			spans[c] = &[2]span{{-1, -1}, {-1, -1}}
		}
		dir := 0
		if src == c.Server {
			dir = 1
		}
		var n int64
		if tr == "tcp" {
			n, _ = strconv.ParseInt(r[11], 10, 64)
			if n > 0 {
				seq, _ := strconv.ParseInt(r[18], 10, 64)
				nxt, _ := strconv.ParseInt(r[19], 10, 64)
				// tshark's nxtseq counts the FIN's (and SYN's) sequence
				// number too.
				if r[20] == "1" {
					nxt--
				}
				if syn {
					seq++
				}
				sp := &spans[c][dir]
				if sp.lo < 0 || seq < sp.lo {
					sp.lo = seq
				}
				sp.hi = max(sp.hi, nxt)
				c.Payload[dir] = sp.hi - sp.lo
			}
		} else {
			n, _ = strconv.ParseInt(r[12], 10, 64)
			n -= 8
			c.Payload[dir] += n
		}
		fl, _ := strconv.ParseInt(r[15], 10, 64)
		c.Frames[dir] += fl
		if dir == 1 && n > 0 && !c.ServerSent {
			c.ServerSent = true
			c.FirstServer, _ = hex.DecodeString(strings.ReplaceAll(r[16]+r[17], ":", ""))
		}
	}
	return convs
}

// Endpoint turns tshark's "addr:port" into our "addr:port" or
// "[v6]:port".
func Endpoint(s string) string {
	i := strings.LastIndexByte(s, ':')
	return JoinHostPort(strings.Trim(s[:i], "[]"), s[i+1:])
}

// WiresharkServiceNames reads Wireshark's services file: "port/transport"
// → name. It skips the test when the file is not there.
func WiresharkServiceNames(t *testing.T) map[string]string {
	out := tsharktest.Run(t, "-G", "folders")
	var global string
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Global configuration" {
			global = strings.TrimSpace(v)
		}
	}
	f, err := os.Open(filepath.Join(global, "services"))
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	names := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		parts := strings.Split(fs[1], "/")
		for _, tr := range parts[1:] {
			if _, ok := names[parts[0]+"/"+tr]; !ok {
				names[parts[0]+"/"+tr] = fs[0]
			}
		}
	}
	return names
}
