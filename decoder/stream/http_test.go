package stream_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// httpCapture is a capture the HTTP records are compared on, with the
// differences from tshark that are understood.
type httpCapture struct {
	path string // under the shared directory, or testdata/ for ours
	// oursOnly and tsharkOnly are lines (as httpLines writes them) that
	// only one side has, for the reason in the comment.
	oursOnly, tsharkOnly []string
	// tsharkOnlyFiles counts objects tshark exports that are not HTTP
	// bodies of ours (fragments tshark exports from segments it cannot
	// place in a message), oursOnlyFiles bodies of ours it does not.
	tsharkOnlyFiles, oursOnlyFiles int
}

// httpCaptures are testdata/http.pcap and every capture of the public set
// in which tshark finds an HTTP/1.x request or response over TCP.
var httpCaptures = []httpCapture{
	{path: "testdata/http.pcap"},
	{path: "public/arkime/80211http.pcap"},
	// The server answers before the request (the Suricata evasion of
	// CVE-2018-6794), and the client retransmits its request after both
	// sides sent FIN: the reassembler recognises the retransmission of a
	// closed connection's bytes (as tshark does) and opens nothing.
	{path: "public/arkime/CVE-2018-6794.pcap"},
	{path: "public/arkime/gre-erspan-vxlan.pcap"},
	{path: "public/arkime/http-100-continue.pcap"},
	{path: "public/arkime/http-301-get.pcap"},
	{path: "public/arkime/http-500-head.pcap"},
	{path: "public/arkime/http-basicauth.pcap"},
	{path: "public/arkime/http-content-gzip.pcap"},
	{path: "public/arkime/http-empty-useragent.pcap"},
	{path: "public/arkime/http-post-upload.pcap"},
	{path: "public/arkime/http-simple-get.pcap"},
	{path: "public/arkime/http-xff.pcap"},
	{path: "public/arkime/https-connect.pcap"},
	{path: "public/arkime/no-syn-ack.pcap"},
	{path: "public/arkime/single-packets.pcap"},
	// HTTP after a SOCKS5 handshake: the connection does not start with
	// HTTP, and SOCKS is not decoded (tshark's SOCKS dissector hands the
	// tunnelled bytes to HTTP).
	{path: "public/arkime/socks5-http-302.pcap", tsharkOnly: []string{
		`1637 21477 GET "www.google.com" "/" "Mozilla/5.0 (Windows NT 5.1; rv:25.0) Gecko/20100101 Firefox/25.0"`,
		`1637 21477 302 "text/html; charset=UTF-8"`,
	}, tsharkOnlyFiles: 1},
	{path: "public/arkime/tcp-reassembly-synthetic.pcap"},
	// tshark exports the SSH banner a server sends first on port 8080.
	{path: "public/arkime/tcp_handshake_synthetic.pcap", tsharkOnlyFiles: 1},
	{path: "public/arkime/twovlan.pcap"},
	{path: "public/arkime/wireshark-retrans.pcap"},
	{path: "public/community-id/pcaps/combined.pcap.gz"},
	{path: "public/community-id/pcaps/tcp.pcap"},
	{path: "public/gopacket/pcap/test_loopback.pcap"},
	{path: "public/ja4/pcap/CVE-2018-6794.pcap"},
	{path: "public/ja4/pcap/gre-erspan-vxlan.pcap"},
	{path: "public/ja4/pcap/http-empty-useragent.pcap"},
	{path: "public/ja4/pcap/http1.pcapng"},
	{path: "public/ja4/pcap/https-connect.pcap"},
	{path: "public/ja4/pcap/single-packets.pcap"},
	{path: "public/ja4/pcap/ssh2.pcapng"},
	{path: "public/ja4/pcap/tls3.pcapng"},
	{path: "public/ndpi/6in4tunnel.pcap"},
	// tshark exports payloads of connections on ports 80 and 8080 that
	// are not HTTP.
	{path: "public/ndpi/KakaoTalk_chat.pcap", tsharkOnlyFiles: 2},
	{path: "public/ndpi/android.pcap"},
	{path: "public/ndpi/http_connect.pcap"},
	// Most responses lost segments (no File: bodies with holes are not
	// extracted); tshark exports each segment it cannot place.
	{path: "public/ndpi/instagram.pcap", tsharkOnlyFiles: 40},
	{path: "public/ndpi/iphone.pcap"},
	{path: "public/ndpi/webex.pcap"},
	{path: "public/suricata-verify/decode-sll2-01/input.pcap"},
	{path: "public/suricata-verify/decode-teredo-01/input.pcap"},
	{path: "public/suricata-verify/http-ipv6/input.pcap"},
	// Without out-of-order reassembly tshark exports 5 segments of a
	// response that starts out of order (and with it, the whole body,
	// which is ours).
	{path: "public/suricata-verify/tls/tls-subjectaltname/input.pcap", tsharkOnlyFiles: 5},
	{path: "public/tcpdump/arcnet-rfc1051-arp-icmp-http.pcap"},
	{path: "public/tcpdump/ipv4_tcp_http_xml.pcap"},
	{path: "public/tcpdump/print-flags.pcap"},
	// tshark loses the response to /js/jquery.collapse.js, which follows
	// segments missing from the capture, in every mode.
	{path: "public/zeek/traces/http/bro.org.pcap", oursOnly: []string{`55081 80 200 "application/javascript"`}},
	{path: "public/zeek/traces/http/get.pcap"},
	{path: "public/zeek/traces/http/post.pcap"},
	// An HTTP/0.9 exchange: tshark exports the response segment by
	// segment (3 objects), ours is one file; its length is checked
	// against Zeek in TestHTTP09AgainstZeek.
	{path: "public/zeek/traces/mixed-vlan-mpls.pcap", tsharkOnlyFiles: 3, oursOnlyFiles: 1},
	// tshark exports a lone mid-stream segment of a response body.
	{path: "public/zeek/traces/mpls-in-vlan.pcap", tsharkOnlyFiles: 1},
	{path: "public/zeek/traces/nflog-http.pcap"},
	{path: "public/zeek/traces/tunnels/Teredo.pcap"},
	{path: "public/zeek/traces/tunnels/ayiya3.pcap"},
	{path: "public/zeek/traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap"},
	{path: "public/zeek/traces/wikipedia.pcap"},
	{path: "public/zeek/traces/workshop_2011_browse.pcap"},
}

// capturePath resolves a capture's path; ok is false when the shared set
// is absent.
func (c httpCapture) capturePath(t *testing.T) (string, bool) {
	if rel, ok := strings.CutPrefix(c.path, "testdata/"); ok {
		return testutil.Testdata(t, rel), true
	}
	return testutil.SharedIfPresent(t, c.path)
}

// decode runs the pipeline on the capture (cached).
func (c httpCapture) decode(t *testing.T, pcap string) *ncio.MemorySink {
	return streamtest.DecodeAll(t, pcap)
}

// htDecodeWith runs the pipeline on a capture file with a configuration.
func htDecodeWith(t testing.TB, pcap string, cfg collector.Config) *ncio.MemorySink {
	t.Helper()
	f, err := source.OpenFile(pcap)
	if err != nil {
		t.Fatalf("open %s: %v", pcap, err)
	}
	defer f.Close()
	cfg.Sink = ncio.NewMemorySink()
	if _, err := collector.Run(context.Background(), f, pcap, cfg); err != nil {
		t.Fatalf("decode %s: %v", pcap, err)
	}
	return cfg.Sink.(*ncio.MemorySink)
}

func httpRecs(sink *ncio.MemorySink) []*types.HTTP {
	var out []*types.HTTP
	for _, m := range sink.Records(types.Type_NC_HTTP) {
		out = append(out, m.(*types.HTTP))
	}
	return out
}

// httpLines returns our requests and responses as sorted lines
// "client-port server-port method host uri user-agent" and
// "client-port server-port status content-type".
func httpLines(recs []*types.HTTP) (reqs, ress []string) {
	for _, r := range recs {
		if r.Method != "" {
			reqs = append(reqs, fmt.Sprintf("%d %d %s %q %q %q", r.SrcPort, r.DstPort, r.Method, r.Host, r.URL, r.UserAgent))
		}
		if r.StatusCode != 0 {
			ress = append(ress, fmt.Sprintf("%d %d %d %q", r.SrcPort, r.DstPort, r.StatusCode, r.ResContentType))
		}
	}
	slices.Sort(reqs)
	slices.Sort(ress)
	return reqs, ress
}

// htTsharkModes are the tshark settings the HTTP messages are read with.
// Each misses messages the others find: by default tshark does not put
// out-of-order segments back in order; with out-of-order reassembly it
// loses some responses after lost segments; without body reassembly it
// reports responses whose body was cut short (by the end of the capture
// or lost segments) but misreads responses that start in the middle of a
// segment after a body. A message counts as tshark's when one mode
// reports it (per line, the largest count of any mode). The first two
// modes also export the objects (per object, the larger count).
var htTsharkModes = [][]string{
	nil,
	{"-o", "tcp.reassemble_out_of_order:TRUE"},
	{"-o", "http.desegment_body:FALSE"},
}

// htTsharkView is what tshark reads in a capture.
type htTsharkView struct {
	reqs, ress []string // as httpLines writes ours
	objects    []string // exported objects: "sha256 length"
	creds      []string // "user:password" of Basic authorization and login forms
}

var (
	htTsharkMu    sync.Mutex
	htTsharkCache = map[string]*htTsharkView{}
)

// htTsharkFields runs tshark with a display filter (and more options) and
// returns per packet the occurrences of each field.
func htTsharkFields(t *testing.T, pcap string, opts []string, filter string, fields ...string) [][][]string {
	t.Helper()
	var lines [][][]string
	for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: filter, Fields: fields, Args: opts}) {
		lines = append(lines, f.Values())
	}
	return lines
}

// htLast is a field's last occurrence (the inner one in tunnels).
func htLast(f []string) string { return f[len(f)-1] }

// htTshark returns tshark's view of a capture (cached).
func htTshark(t *testing.T, pcap string) *htTsharkView {
	htTsharkMu.Lock()
	v := htTsharkCache[pcap]
	htTsharkMu.Unlock()
	if v != nil {
		return v
	}
	v = &htTsharkView{}
	for i, mode := range htTsharkModes {
		var dir string
		opts := mode
		if i < 2 {
			dir = t.TempDir()
			opts = append(slices.Clone(mode), "--export-objects", "http,"+dir)
		}
		// tshark dissects a retransmitted message again: keep one per
		// segment (stream, sequence number, ports).
		seen := map[string]bool{}
		var rq, rs []string
		for _, l := range htTsharkFields(t, pcap, opts, "tcp && (http.request || http.response || urlencoded-form)",
			"tcp.srcport", "tcp.dstport", "http.request.method", "http.host", "http.request.uri", "http.user_agent",
			"http.response.code", "http.content_type", "tcp.stream", "tcp.seq_raw", "http.authbasic", "urlencoded-form.key", "urlencoded-form.value") {
			f := make([]string, 11)
			for j := range f {
				f[j] = htLast(l[j])
			}
			k := strings.Join([]string{f[0], f[1], f[8], f[9]}, " ")
			if seen[k] {
				continue
			}
			seen[k] = true
			if i == 0 {
				v.creds = append(v.creds, htTsharkCreds(f[10], l[11], l[12])...)
			}
			switch {
			case f[2] != "":
				host := f[3]
				if f[2] == "CONNECT" && host == "" {
					// CONNECT's target is the host (authority form); ours
					// takes the host from it, as net/http (and so Netcap)
					// does.
					host = f[4]
				}
				rq = append(rq, fmt.Sprintf("%s %s %s %q %q %q", f[0], f[1], f[2], host, f[4], f[5]))
			case f[6] != "":
				// Interim responses (100 Continue) belong to their
				// request's exchange; they are not records of their own.
				if strings.HasPrefix(f[6], "1") && f[6] != "101" {
					continue
				}
				rs = append(rs, fmt.Sprintf("%s %s %s %q", f[1], f[0], f[6], f[7]))
			}
		}
		v.reqs, v.ress = htMaxUnion(v.reqs, rq), htMaxUnion(v.ress, rs)
		if dir != "" {
			v.objects = htMaxUnion(v.objects, htObjects(t, dir))
		}
	}
	slices.Sort(v.creds)
	htTsharkMu.Lock()
	htTsharkCache[pcap] = v
	htTsharkMu.Unlock()
	return v
}

// htTsharkCreds reads credentials from tshark's fields: Basic
// authorization ("user:pass"), and urlencoded forms with a password
// field (with the user field next to it).
func htTsharkCreds(basic string, keys, vals []string) []string {
	var out []string
	if basic != "" {
		out = append(out, basic)
	}
	user, pass := "", ""
	for i, k := range keys {
		if i >= len(vals) {
			break
		}
		switch strings.ToLower(k) {
		case "user", "username", "login", "email":
			user = vals[i]
		case "pass", "password", "pwd", "passwd":
			pass = vals[i]
		}
	}
	if pass != "" {
		out = append(out, user+":"+pass)
	}
	return out
}

// htObjects returns "sha256 length" of the non-empty files in dir.
func htObjects(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || len(b) == 0 {
			continue
		}
		sum := sha256.Sum256(b)
		out = append(out, fmt.Sprintf("%s %d", hex.EncodeToString(sum[:]), len(b)))
	}
	slices.Sort(out)
	return out
}

// htMaxUnion returns the lines of a and b, each as often as in the one
// that has it more often, sorted.
func htMaxUnion(a, b []string) []string {
	ca, cb := htCount(a), htCount(b)
	out := slices.Clone(a)
	for s, n := range cb {
		for ; n > ca[s]; n-- {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func htCount(lines []string) map[string]int {
	m := map[string]int{}
	for _, s := range lines {
		m[s]++
	}
	return m
}

// htDiff returns the lines only in a and only in b (as multisets).
func htDiff(a, b []string) (onlyA, onlyB []string) { return tsharktest.MultisetDiff(a, b) }

// htHasTCP reports whether the packet layer decoded TCP in the capture:
// some captures carry HTTP inside encapsulations it does not decode
// (ARCnet, NFLOG, AYIYA, GTP-U), where stream decoding has nothing to
// work on.
func htHasTCP(sink *ncio.MemorySink) bool { return len(sink.Records(types.Type_NC_TCP)) > 0 }

// TestHTTPAgainstTshark: on every capture, the requests (ports, method,
// Host, URI, User-Agent) and the final responses (ports, status code,
// Content-Type) of our HTTP records are tshark's, as multisets.
func TestHTTPAgainstTshark(t *testing.T) {
	testutil.Tshark(t)
	var mu sync.Mutex
	var nReq, nRes, nCaptures int
	t.Run("captures", func(t *testing.T) {
		for _, c := range httpCaptures {
			t.Run(strings.ReplaceAll(c.path, "/", "_"), func(t *testing.T) {
				t.Parallel()
				pcap, ok := c.capturePath(t)
				if !ok {
					t.Skip("shared captures absent")
				}
				sink := c.decode(t, pcap)
				if !htHasTCP(sink) {
					t.Skip("the packet layer does not decode this capture's encapsulation")
				}
				ourReq, ourRes := httpLines(httpRecs(sink))
				v := htTshark(t, pcap)
				tsReq, tsRes := v.reqs, v.ress
				extraOurs, extraTshark := htDiff(append(ourReq, ourRes...), append(tsReq, tsRes...))
				if a, b := htDiff(extraOurs, c.oursOnly); len(a)+len(b) > 0 {
					t.Errorf("only ours: %q (expected %q)", extraOurs, c.oursOnly)
				}
				if a, b := htDiff(extraTshark, c.tsharkOnly); len(a)+len(b) > 0 {
					t.Errorf("only tshark's: %q (expected %q)", extraTshark, c.tsharkOnly)
				}
				mu.Lock()
				nReq += len(ourReq)
				nRes += len(ourRes)
				nCaptures++
				mu.Unlock()
			})
		}
	})
	t.Logf("%d captures: %d requests, %d responses", nCaptures, nReq, nRes)
}

// TestHTTPFilesAgainstTshark: the bodies we extract (File records with an
// HTTP source) are the objects `tshark --export-objects http` writes, by
// SHA-256 and length. Both are the message bodies after transfer and
// content decoding (de-chunked, gunzipped); neither extracts a body with
// missing bytes. tshark runs with and without out-of-order reassembly
// (per object, the larger count).
func TestHTTPFilesAgainstTshark(t *testing.T) {
	testutil.Tshark(t)
	var mu sync.Mutex
	var nFiles int
	t.Run("captures", func(t *testing.T) {
		for _, c := range httpCaptures {
			t.Run(strings.ReplaceAll(c.path, "/", "_"), func(t *testing.T) {
				t.Parallel()
				pcap, ok := c.capturePath(t)
				if !ok {
					t.Skip("shared captures absent")
				}
				sink := c.decode(t, pcap)
				if !htHasTCP(sink) {
					t.Skip("the packet layer does not decode this capture's encapsulation")
				}
				var ours []string
				for _, m := range sink.Records(types.Type_NC_File) {
					if f := m.(*types.File); strings.HasPrefix(f.Source, "HTTP") {
						ours = append(ours, fmt.Sprintf("%s %d", f.Sha256, f.Length))
					}
				}
				theirs := htTshark(t, pcap).objects
				onlyOurs, onlyTshark := htDiff(ours, theirs)
				if len(onlyOurs) != c.oursOnlyFiles {
					t.Errorf("%d files tshark does not export, expected %d: %q", len(onlyOurs), c.oursOnlyFiles, onlyOurs)
				}
				if len(onlyTshark) != c.tsharkOnlyFiles {
					t.Errorf("tshark exports %d objects we do not extract, expected %d: %q", len(onlyTshark), c.tsharkOnlyFiles, onlyTshark)
				}
				mu.Lock()
				nFiles += len(ours)
				mu.Unlock()
			})
		}
	})
	t.Logf("%d files equal to tshark's exports", nFiles)
}

// TestHTTP09AgainstZeek: the HTTP/0.9 exchange of mixed-vlan-mpls.pcap
// (a request line without version, a response without status line) is a
// record whose response body length is Zeek's response_body_len.
func TestHTTP09AgainstZeek(t *testing.T) {
	dir := testutil.SharedDir(t)
	log, err := os.ReadFile(filepath.Join(dir, "public/zeek/expected/core.vlan-mpls/http.log"))
	if err != nil {
		t.Skip(err)
	}
	want := map[string]string{} // client port → response_body_len
	for _, l := range strings.Split(string(log), "\n") {
		f := strings.Split(l, "\t")
		if len(f) > 15 && !strings.HasPrefix(l, "#") {
			want[f[3]] = f[15]
		}
	}
	var files []*types.File
	sink := streamtest.DecodeAll(t, filepath.Join(dir, "public/zeek/traces/mixed-vlan-mpls.pcap"))
	for _, m := range sink.Records(types.Type_NC_File) {
		files = append(files, m.(*types.File))
	}
	got := map[string]string{}
	for _, r := range httpRecs(sink) {
		got[strconv.Itoa(int(r.SrcPort))] = strconv.Itoa(int(r.ResContentLength))
		if r.SrcPort == 50343 && (r.Proto != "HTTP/0.9" || r.Method != "GET" || r.URL != "/") {
			t.Errorf("HTTP/0.9 record: %v", r)
		}
	}
	if len(want) != 2 || !htMaps2Equal(got, want) {
		t.Errorf("response body lengths by client port: ours %v, Zeek %v", got, want)
	}
	if len(files) != 2 {
		t.Errorf("%d files, want both bodies", len(files))
	}
}

func htMaps2Equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestHTTPFieldsAgainstTshark: on http.pcap, per request, the Referer,
// cookies, request and response Content-Length, Server and form fields
// of the records are tshark's.
func TestHTTPFieldsAgainstTshark(t *testing.T) {
	pcap := testutil.Testdata(t, "http.pcap")
	type fields struct{ referer, cookie, reqLen, server, resLen, form string }
	want := map[string]*fields{} // "client-port uri"
	reqFrame := map[string]string{}
	for _, l := range htTsharkFields(t, pcap, nil, "http.request", "frame.number", "tcp.srcport", "http.request.uri", "http.referer", "http.cookie", "http.content_length_header", "urlencoded-form.key", "urlencoded-form.value") {
		var kv []string
		for i, k := range l[6] {
			if k != "" {
				kv = append(kv, k+"="+l[7][i])
			}
		}
		slices.Sort(kv)
		k := htLast(l[1]) + " " + htLast(l[2])
		reqLen := htLast(l[5])
		if reqLen == "" {
			reqLen = "0" // no Content-Length: no body
		}
		want[k] = &fields{referer: htLast(l[3]), cookie: htLast(l[4]), reqLen: reqLen, form: strings.Join(kv, "&")}
		reqFrame[htLast(l[0])] = k // responses name their request's frame
	}
	for _, l := range htTsharkFields(t, pcap, nil, "http.response", "http.request_in", "http.server", "http.content_length_header") {
		w := want[reqFrame[htLast(l[0])]]
		if w == nil {
			t.Fatalf("response to frame %s: no request", htLast(l[0]))
		}
		w.server, w.resLen = htLast(l[1]), htLast(l[2])
	}
	recs := httpRecs(streamtest.DecodeAll(t, pcap))
	if len(recs) != len(want) || len(recs) != 8 {
		t.Fatalf("%d records, tshark %d requests", len(recs), len(want))
	}
	for _, r := range recs {
		k := fmt.Sprintf("%d %s", r.SrcPort, r.URL)
		w := want[k]
		if w == nil {
			t.Errorf("%s: not a request of tshark's", k)
			continue
		}
		var cookies []string
		for _, c := range r.ReqCookies {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		var form []string
		for k, v := range r.Parameters {
			form = append(form, k+"="+v)
		}
		slices.Sort(form)
		got := fields{
			referer: r.Referer, cookie: strings.Join(cookies, "; "), server: r.ServerName, form: strings.Join(form, "&"),
			reqLen: strconv.Itoa(int(r.ReqContentLength)), resLen: strconv.Itoa(int(r.ResContentLength)),
		}
		if got != *w {
			t.Errorf("%s: ours %+v, tshark %+v", k, got, *w)
		}
		if r.Timestamp == 0 || r.FirstByteAfter <= 0 || r.DoneAfter < r.FirstByteAfter {
			t.Errorf("%s: times %d %d %d", k, r.Timestamp, r.FirstByteAfter, r.DoneAfter)
		}
		if r.DNSDoneAfter != 0 || r.TLSDoneAfter != 0 || len(r.RequestBody) > 0 || len(r.ResponseBody) > 0 {
			t.Errorf("%s: proxy-only fields or bodies without -payload: %v", k, r)
		}
	}
}

// TestHTTPCredentialsAgainstTshark: on every capture, the HTTP
// credentials are tshark's: Basic authorization (http.authbasic,
// "user:pass") and urlencoded forms with a password field (with the user
// field next to it); captures with neither give none.
func TestHTTPCredentialsAgainstTshark(t *testing.T) {
	testutil.Tshark(t)
	var mu sync.Mutex
	total := 0
	t.Run("captures", func(t *testing.T) {
		for _, c := range httpCaptures {
			t.Run(strings.ReplaceAll(c.path, "/", "_"), func(t *testing.T) {
				t.Parallel()
				pcap, ok := c.capturePath(t)
				if !ok {
					t.Skip("shared captures absent")
				}
				sink := c.decode(t, pcap)
				if !htHasTCP(sink) {
					t.Skip("the packet layer does not decode this capture's encapsulation")
				}
				// One record per connection and credential.
				want := slices.Compact(slices.Clone(htTshark(t, pcap).creds))
				var got []string
				for _, m := range sink.Records(types.Type_NC_Credentials) {
					if r := m.(*types.Credentials); r.Service == "HTTP" {
						got = append(got, r.User+":"+r.Password)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("credentials %q, tshark %q", got, want)
				}
				mu.Lock()
				total += len(got)
				mu.Unlock()
			})
		}
	})
	if total < streamtest.AtLeast(t, 3, 1) {
		t.Errorf("only %d credentials: http-basicauth, 80211http and http.pcap's form have some", total)
	}
}

// TestHTTPSoftware: the software named in http.pcap's User-Agent and
// Server fields (as tshark reads them) are Software records, one per
// "product/version" token.
func TestHTTPSoftware(t *testing.T) {
	pcap := testutil.Testdata(t, "http.pcap")
	wantSet := map[string]bool{}
	for _, l := range htTsharkFields(t, pcap, nil, "http.user_agent || http.server", "http.user_agent", "http.server") {
		for _, v := range l {
			for _, tok := range strings.Fields(htLast(v)) {
				if p, ver, ok := strings.Cut(tok, "/"); ok {
					wantSet[p+" "+ver] = true
				}
			}
		}
	}
	var want, got []string
	for k := range wantSet {
		want = append(want, k)
	}
	for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_Software) {
		if r := m.(*types.Software); r.Service == "HTTP" {
			got = append(got, r.Product+" "+r.Version)
			if !strings.HasPrefix(r.SourceName, "HTTP ") || len(r.Flows) == 0 {
				t.Errorf("%v", r)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) || len(want) != 4 {
		t.Errorf("software %q, from tshark's fields %q", got, want)
	}
}

// TestHTTPUserAgents: browser User-Agents give the browser.
func TestHTTPUserAgents(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.125 Safari/537.36":                            "Chrome 36.0.1985.125 Windows NT 6.1",
		"Mozilla/5.0 (Windows NT 5.1; rv:25.0) Gecko/20100101 Firefox/25.0":                                                                 "Firefox 25.0 Windows NT 5.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.10240": "Edge 12.10240 Windows NT 10.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_2) AppleWebKit/537.74.9 (KHTML, like Gecko) Version/7.0.2 Safari/537.74.9":             "Safari 7.0.2 Intel Mac OS X 10_9_2",
		"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1)":                                                                                "Internet Explorer 8.0 Windows NT 5.1",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)":                                                          "Googlebot 2.1 ",
		"curl/7.24.0 (x86_64-apple-darwin12.0) libcurl/7.24.0 OpenSSL/0.9.8y zlib/1.2.5":                                                    "curl 7.24.0 |libcurl 7.24.0 |OpenSSL 0.9.8y |zlib 1.2.5 ",
		"Wget/1.15 (linux-gnu)": "Wget 1.15 ",
	} {
		if got := stream.UserAgentProductsForTest(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
}

// TestHTTPDeterministic: one and eight workers give the same HTTP, File,
// Credentials and Software records.
func TestHTTPDeterministic(t *testing.T) {
	pcaps := []string{testutil.Testdata(t, "http.pcap"), testutil.Testdata(t, "mixed.pcap")}
	for _, rel := range []string{"public/ja4/pcap/http1.pcapng", "public/zeek/traces/http/bro.org.pcap", "public/arkime/http-post-upload.pcap", "public/zeek/traces/wikipedia.pcap"} {
		if p, ok := testutil.SharedIfPresent(t, rel); ok {
			pcaps = append(pcaps, p)
		}
	}
	for _, pcap := range pcaps {
		one := htRecordTexts(htDecodeWith(t, pcap, collector.Config{Workers: 1}))
		eight := htRecordTexts(htDecodeWith(t, pcap, collector.Config{Workers: 8}))
		if !slices.Equal(one, eight) || len(one) == 0 {
			a, b := htDiff(one, eight)
			t.Errorf("%s: 1 and 8 workers differ: %q / %q", pcap, a, b)
		}
	}
}

// htRecordTexts returns the stream records as sorted text.
func htRecordTexts(sink *ncio.MemorySink) []string {
	var out []string
	for _, typ := range []types.Type{types.Type_NC_HTTP, types.Type_NC_File, types.Type_NC_Credentials, types.Type_NC_Software} {
		for _, m := range sink.Records(typ) {
			out = append(out, typ.String()+" "+prototext.MarshalOptions{}.Format(m))
		}
	}
	slices.Sort(out)
	return out
}

// htValidUTF8 checks that every record marshals (proto3 strings must be
// valid UTF-8).
func htValidUTF8(t *testing.T, sink *ncio.MemorySink) {
	for _, typ := range sink.Types() {
		for _, m := range sink.Records(typ) {
			if _, err := proto.Marshal(m); err != nil {
				t.Errorf("%v: %v", typ, err)
			}
		}
	}
}

// --- Synthetic conversations: what the HTTP/1.1 specification (RFC 9112)
// says each exchange is. ---

// htSeg is a segment of a synthetic conversation.
type htSeg struct {
	server bool // sent by the server
	data   string
}

// htConvOpts changes how a conversation is captured.
type htConvOpts struct {
	split  int                   // cut segments into pieces of at most this many bytes
	mangle func([]htPkt) []htPkt // reorder, duplicate or drop packets
	noSYN  bool                  // the capture starts after the handshake
	cport  uint16                // client port (default 40000)
	sport  uint16                // server port (default 80)
	stream stream.Options        // stream options
}

// htDecodeConv captures a conversation (handshake, segments, FINs) and
// decodes it with one worker.
func htDecodeConv(t *testing.T, segs []htSeg, o htConvOpts) *ncio.MemorySink {
	t.Helper()
	if o.cport == 0 {
		o.cport = 40000
	}
	if o.sport == 0 {
		o.sport = 80
	}
	pkts := htConversation(segs, o)
	if o.mangle != nil {
		pkts = o.mangle(pkts)
	}
	f, err := source.NewFile(bytes.NewReader(htWritePcapPorts(pkts, o.cport, o.sport)), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	sink := ncio.NewMemorySink()
	if _, err := collector.Run(context.Background(), f, "synthetic", collector.Config{Workers: 1, Sink: sink, Stream: o.stream}); err != nil {
		t.Fatal(err)
	}
	htValidUTF8(t, sink)
	return sink
}

func htFileHashes(sink *ncio.MemorySink) []string {
	var out []string
	for _, m := range sink.Records(types.Type_NC_File) {
		f := m.(*types.File)
		out = append(out, f.Source+" "+f.Sha256)
	}
	slices.Sort(out)
	return out
}

func htSha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// htSummary is the part of a record the synthetic tests check.
func htSummary(r *types.HTTP) string {
	return fmt.Sprintf("%s %s %s %d req=%d res=%d %s", r.Proto, r.Method, r.URL, r.StatusCode, r.ReqContentLength, r.ResContentLength, r.ResContentTypeDetected)
}

func htSummaries(sink *ncio.MemorySink) []string {
	var out []string
	recs := httpRecs(sink)
	slices.SortFunc(recs, func(a, b *types.HTTP) int { return int(a.Timestamp - b.Timestamp) })
	for _, r := range recs {
		out = append(out, htSummary(r))
	}
	return out
}

func TestHTTPSynthetic(t *testing.T) {
	// Three pipelined requests in one segment; responses with a
	// Content-Length, to HEAD (a length but no body), chunked with
	// extensions and a trailer.
	pipelined := []htSeg{
		{false, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n"},
		{true, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
		{true, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/html\r\n\r\n"},
		{true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n"},
	}
	wantPipelined := []string{
		"HTTP/1.1 GET /a 200 req=0 res=5 text/plain",
		"HTTP/1.1 HEAD /b 200 req=0 res=1000 ",
		"HTTP/1.1 GET /c 200 req=0 res=9 text/plain",
	}
	wantPipelinedFiles := []string{"HTTP response " + htSha("hello"), "HTTP response " + htSha("wikipedia")}
	gz := htGzipped("compressed text, compressed text")
	var noise []byte // does not compress: the coded body is over 100 bytes
	for sum := sha256.Sum256(nil); len(noise) < 320; sum = sha256.Sum256(sum[:]) {
		noise = append(noise, sum[:]...)
	}
	bigGz := htGzipped(string(noise))
	bomb := htGzipped(strings.Repeat("a", 1000))
	multipart := "--XX\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n" +
		"--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nAAAA\r\n--XX--\r\n"
	// Three exchanges on a keep-alive connection, the second's body
	// split over two segments so that one of them can be lost.
	keepAlive := []htSeg{
		{false, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"},
		{true, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"},
		{false, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"},
		{true, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"},
		{true, "tw"},
		{true, "o..."},
		{false, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"},
		{true, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree"},
	}
	for _, tc := range []struct {
		name  string
		segs  []htSeg
		o     htConvOpts
		want  []string
		files []string
		check func(t *testing.T, sink *ncio.MemorySink)
	}{
		{name: "pipelined", segs: pipelined, want: wantPipelined, files: wantPipelinedFiles,
			check: func(t *testing.T, sink *ncio.MemorySink) {
				for _, r := range httpRecs(sink) {
					if r.URL == "/c" && (r.ResponseHeader["Transfer-Encoding"] != "chunked" || r.ResponseHeader["X-T"] != "1") {
						t.Errorf("htChunked response header %v", r.ResponseHeader)
					}
					if r.Host != "h" || r.SrcPort != 40000 || r.DstPort != 80 || r.SrcIP != "10.0.0.1" || r.DstIP != "10.0.0.2" {
						t.Errorf("%v", r)
					}
				}
			}},
		// The same conversation in 7-byte segments, reordered and with
		// retransmissions: the same records.
		{name: "out of order", segs: pipelined, want: wantPipelined, files: wantPipelinedFiles,
			o: htConvOpts{split: 7, mangle: func(p []htPkt) []htPkt {
				out := slices.Clone(p[:3]) // handshake
				for i := 3; i+1 < len(p); i += 2 {
					out = append(out, p[i+1], p[i], p[i]) // swapped, and the first sent twice
				}
				if len(p)%2 == 0 {
					out = append(out, p[len(p)-1])
				}
				return out
			}}},
		{name: "100-continue", segs: []htSeg{
			{false, "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"},
			{true, "HTTP/1.1 100 Continue\r\n\r\n"},
			{false, "hello world"},
			{true, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"},
		}, want: []string{"HTTP/1.1 POST /up 201 req=11 res=0 "}, files: []string{"HTTP request " + htSha("hello world")}},
		{name: "no body", segs: []htSeg{
			{false, "GET /x HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 204 No Content\r\n\r\n"},
			{false, "GET /y HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"},
			{false, "GET /z HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
		}, want: []string{"HTTP/1.1 GET /x 204 req=0 res=0 ", "HTTP/1.1 GET /y 304 req=0 res=10 ", "HTTP/1.1 GET /z 200 req=0 res=2 text/plain"},
			files: []string{"HTTP response " + htSha("ok")}},
		{name: "until close", segs: []htSeg{
			{false, "GET / HTTP/1.0\r\n\r\n"},
			{true, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody "},
			{true, "until close"},
		}, want: []string{"HTTP/1.0 GET / 200 req=0 res=16 text/plain"}, files: []string{"HTTP response " + htSha("body until close")}},
		{name: "gzip and deflate", segs: []htSeg{
			{false, "GET /g HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + strconv.Itoa(len(gz)) + "\r\n\r\n" + gz},
			{false, "GET /d HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n" + htChunked(htZlibbed("zlib deflate"))},
			{false, "GET /r HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: " + strconv.Itoa(len(htRawDeflated("raw deflate"))) + "\r\n\r\n" + htRawDeflated("raw deflate")},
		}, files: []string{"HTTP response " + htSha("compressed text, compressed text"), "HTTP response " + htSha("raw deflate"), "HTTP response " + htSha("zlib deflate")}},
		// A coded body beyond MaxBodyBytes, or one that would decode to
		// more than it (a compression bomb), is extracted as it travelled.
		{name: "large coded bodies", segs: []htSeg{
			{false, "GET /big HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + strconv.Itoa(len(bigGz)) + "\r\n\r\n" + bigGz},
			{false, "GET /bomb HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + htChunked(bomb)},
		}, o: htConvOpts{stream: stream.Options{MaxBodyBytes: 100}},
			want:  []string{"HTTP/1.1 GET /big 200 req=0 res=" + strconv.Itoa(len(bigGz)) + " application/x-gzip", "HTTP/1.1 GET /bomb 200 req=0 res=" + strconv.Itoa(len(bomb)) + " application/x-gzip"},
			files: []string{"HTTP response " + htSha(bigGz), "HTTP response " + htSha(bomb)}},
		// A chunk size that is not one: the response ends there (no
		// file), the next one is read after resynchronising.
		{name: "bad chunk", segs: []htSeg{
			{false, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\ngarbage\r\n\x00\x01\r\n"},
			{true, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"},
		}, want: []string{"HTTP/1.1 GET /1 200 req=0 res=3 text/plain", "HTTP/1.1 GET /2 404 req=0 res=2 text/plain"},
			files: []string{"HTTP response " + htSha("no")}},
		// Lost bytes inside a body of known length: the framing holds,
		// the body is not extracted, the next exchange is whole.
		{name: "gap in body", segs: keepAlive, o: htConvOpts{mangle: htDrop("tw")},
			want:  []string{"HTTP/1.1 GET /1 200 req=0 res=3 text/plain", "HTTP/1.1 GET /2 200 req=0 res=6 text/plain", "HTTP/1.1 GET /3 200 req=0 res=5 text/plain"},
			files: []string{"HTTP response " + htSha("one"), "HTTP response " + htSha("three")}},
		// A whole response lost: after resynchronising, the third
		// response goes with the third request, the second request is
		// written without a response.
		{name: "lost response", segs: keepAlive, o: htConvOpts{mangle: htDrop("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n", "tw", "o...")},
			want:  []string{"HTTP/1.1 GET /1 200 req=0 res=3 text/plain", "HTTP/1.1 GET /2 0 req=0 res=0 ", "HTTP/1.1 GET /3 200 req=0 res=5 text/plain"},
			files: []string{"HTTP response " + htSha("one"), "HTTP response " + htSha("three")}},
		// A lost request: its response is written alone, and does not
		// take a request it cannot answer. (The reassembler holds the
		// client's bytes after the hole until the connection ends, so the
		// third request comes after its response and is written alone
		// too.)
		{name: "lost request", segs: keepAlive, o: htConvOpts{mangle: htDrop("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n")},
			want:  []string{"HTTP/1.1 GET /1 200 req=0 res=3 text/plain", "HTTP/1.1   200 req=0 res=6 text/plain", "HTTP/1.1 GET /3 0 req=0 res=0 ", "HTTP/1.1   200 req=0 res=5 text/plain"},
			files: []string{"HTTP response " + htSha("one"), "HTTP response " + htSha("three"), "HTTP response " + htSha("two...")}},
		{name: "http/0.9", segs: []htSeg{{false, "GET /old\r\n"}, {true, "<html>old</html>"}},
			want: []string{"HTTP/0.9 GET /old 0 req=0 res=16 text/html"}, files: []string{"HTTP response " + htSha("<html>old</html>")}},
		// After CONNECT's 200 the connection is a tunnel (TLS here).
		{name: "connect", segs: []htSeg{
			{false, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
			{true, "HTTP/1.1 200 Connection established\r\n\r\n"},
			{false, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03GET / HTTP/1.1\r\n\r\n"},
			{true, "\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03HTTP/1.1 200 OK\r\n\r\n"},
		}, o: htConvOpts{sport: 3128}, want: []string{"HTTP/1.1 CONNECT example.com:443 200 req=0 res=0 "}},
		// Upgrade to WebSocket: nothing after the 101 is HTTP.
		{name: "upgrade", segs: []htSeg{
			{false, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
			{true, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"},
			{false, "\x81\x85GET / HTTP/1.1\r\n\r\n"},
		}, o: htConvOpts{sport: 8080}, want: []string{"HTTP/1.1 GET /ws 101 req=0 res=0 "}},
		// Picked up mid-stream with the server on the higher port: the
		// reassembler takes the server for the client; the records still
		// name the real client.
		{name: "mid-stream swapped", segs: []htSeg{
			{false, "GET /m HTTP/1.1\r\nHost: h\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nmm"},
		}, o: htConvOpts{noSYN: true, cport: 4000, sport: 50000}, want: []string{"HTTP/1.1 GET /m 200 req=0 res=2 text/plain"},
			files: []string{"HTTP response " + htSha("mm")},
			check: func(t *testing.T, sink *ncio.MemorySink) {
				for _, r := range httpRecs(sink) {
					if r.SrcPort != 4000 || r.DstPort != 50000 || r.SrcIP != "10.0.0.1" {
						t.Errorf("client %s:%d server %s:%d", r.SrcIP, r.SrcPort, r.DstIP, r.DstPort)
					}
				}
				for _, m := range sink.Records(types.Type_NC_File) {
					if f := m.(*types.File); f.SrcPort != 50000 || f.DstPort != 4000 {
						t.Errorf("file from %d to %d", f.SrcPort, f.DstPort)
					}
				}
			}},
		// Credentials: Basic authorization, a login form, and a query
		// with a user name only (not a credential).
		{name: "credentials", segs: []htSeg{
			{false, "GET /private HTTP/1.1\r\nAuthorization: Basic " + base64.StdEncoding.EncodeToString([]byte("bob:hunter2")) + "\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
			{false, "POST /login?next=%2F HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 35\r\n\r\nemail=carol%40example.com&pwd=s3c+r"},
			{true, "HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n"},
			{false, "GET /news?user=dave HTTP/1.1\r\n\r\n"},
			{true, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
		}, files: []string{"HTTP request " + htSha("email=carol%40example.com&pwd=s3c+r")},
			check: func(t *testing.T, sink *ncio.MemorySink) {
				var got []string
				for _, m := range sink.Records(types.Type_NC_Credentials) {
					c := m.(*types.Credentials)
					got = append(got, c.Service+" "+c.User+" "+c.Password)
				}
				slices.Sort(got)
				if want := []string{"HTTP bob hunter2", "HTTP carol@example.com s3c r"}; !slices.Equal(got, want) {
					t.Errorf("credentials %q, want %q", got, want)
				}
				for _, r := range httpRecs(sink) {
					if r.Method == "POST" && (r.Parameters["next"] != "/" || r.Parameters["email"] != "carol@example.com") {
						t.Errorf("parameters %v", r.Parameters)
					}
				}
			}},
		// Bodies in the records with Payloads, cut at MaxBodyBytes;
		// multipart form fields as parameters, a file part by its name.
		{name: "payloads", segs: []htSeg{
			{false, "POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: " + strconv.Itoa(len(multipart)) + "\r\n\r\n" + multipart},
			{true, "HTTP/1.1 200 OK\r\nContent-Length: 26\r\nSet-Cookie: s=1; Path=/; HttpOnly\r\n\r\nabcdefghijklmnopqrstuvwxyz"},
		}, o: htConvOpts{stream: stream.Options{Payloads: true, MaxBodyBytes: 10}},
			files: []string{"HTTP request " + htSha(multipart), "HTTP response " + htSha("abcdefghijklmnopqrstuvwxyz")},
			check: func(t *testing.T, sink *ncio.MemorySink) {
				r := httpRecs(sink)[0]
				if string(r.ResponseBody) != "abcdefghij" || len(r.RequestBody) != 10 {
					t.Errorf("bodies %q %q", r.RequestBody, r.ResponseBody)
				}
				if len(r.ResCookies) != 1 || r.ResCookies[0].Name != "s" || r.ResCookies[0].Path != "/" || !r.ResCookies[0].HttpOnly {
					t.Errorf("cookies %v", r.ResCookies)
				}
				if r.Parameters["note"] != "" || int(r.ReqContentLength) != len(multipart) {
					// The multipart body is cut at 10 bytes: no fields.
					t.Errorf("parameters %v", r.Parameters)
				}
			}},
		{name: "multipart", segs: []htSeg{
			{false, "POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: " + strconv.Itoa(len(multipart)) + "\r\n\r\n" + multipart},
			{true, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
		}, files: []string{"HTTP request " + htSha(multipart)}, check: func(t *testing.T, sink *ncio.MemorySink) {
			if p := httpRecs(sink)[0].Parameters; p["note"] != "hi" || p["f"] != "a.txt" {
				t.Errorf("parameters %v", p)
			}
			if n := len(sink.Records(types.Type_NC_Credentials)); n != 0 {
				t.Errorf("%d credentials", n)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := htDecodeConv(t, tc.segs, tc.o)
			if tc.want != nil {
				if got := htSummaries(sink); !slices.Equal(got, tc.want) {
					t.Errorf("records\n got %q\nwant %q", got, tc.want)
				}
			}
			slices.Sort(tc.files)
			if got := htFileHashes(sink); !slices.Equal(got, tc.files) {
				t.Errorf("files\n got %q\nwant %q", got, tc.files)
			}
			if tc.check != nil {
				tc.check(t, sink)
			}
		})
	}
}

// TestHTTPReorderedCapture: http.pcap with its data segments cut in two,
// delivered out of order and retransmitted gives the same HTTP and File
// records (but for the times, which follow the packets).
func TestHTTPReorderedCapture(t *testing.T) {
	pcap := testutil.Testdata(t, "http.pcap")
	orig := htDecodeWith(t, pcap, collector.Config{Workers: 1})
	mangled := filepath.Join(t.TempDir(), "mangled.pcap")
	if err := os.WriteFile(mangled, htReorderPcap(t, pcap), 0o644); err != nil {
		t.Fatal(err)
	}
	got := htDecodeWith(t, mangled, collector.Config{Workers: 1})
	strip := func(sink *ncio.MemorySink) []string {
		var out []string
		for _, r := range httpRecs(sink) {
			r = proto.Clone(r).(*types.HTTP)
			r.Timestamp, r.DoneAfter, r.FirstByteAfter = 0, 0, 0
			out = append(out, prototext.MarshalOptions{}.Format(r))
		}
		slices.Sort(out)
		return out
	}
	if a, b := strip(orig), strip(got); !slices.Equal(a, b) || len(a) != 8 {
		x, y := htDiff(a, b)
		t.Errorf("records differ:\n%q\n%q", x, y)
	}
	if a, b := htFileHashes(orig), htFileHashes(got); !slices.Equal(a, b) || len(a) != 8 {
		t.Errorf("files %q / %q", a, b)
	}
}

// htPkt is a captured TCP segment of a synthetic conversation.
type htPkt struct {
	server         bool
	seq, ack       uint32
	syn, fin, ackf bool
	data           []byte
}

// htConversation returns the packets of a conversation: the handshake
// (unless noSYN), the segments (cut at split bytes), and FINs.
func htConversation(segs []htSeg, o htConvOpts) []htPkt {
	var out []htPkt
	seq := [2]uint32{1000, 5000} // client, server ISN
	side := func(server bool) int {
		if server {
			return 1
		}
		return 0
	}
	if !o.noSYN {
		out = append(out, htPkt{seq: seq[0], syn: true}, htPkt{server: true, seq: seq[1], ack: seq[0] + 1, syn: true, ackf: true}, htPkt{seq: seq[0] + 1, ack: seq[1] + 1, ackf: true})
	}
	seq[0]++
	seq[1]++
	for _, s := range segs {
		d := []byte(s.data)
		for len(d) > 0 {
			n := len(d)
			if o.split > 0 {
				n = min(n, o.split)
			}
			i := side(s.server)
			out = append(out, htPkt{server: s.server, seq: seq[i], ack: seq[1-i], ackf: true, data: d[:n]})
			seq[i] += uint32(n)
			d = d[n:]
		}
	}
	out = append(out, htPkt{server: true, seq: seq[1], ack: seq[0], ackf: true, fin: true}, htPkt{seq: seq[0], ack: seq[1] + 1, ackf: true, fin: true})
	return out
}

// htDrop removes the packets carrying exactly these payloads.
func htDrop(payloads ...string) func([]htPkt) []htPkt {
	return func(p []htPkt) []htPkt {
		return slices.DeleteFunc(p, func(x htPkt) bool { return slices.Contains(payloads, string(x.data)) })
	}
}

// htWritePcapPorts writes the packets as Ethernet/IPv4/TCP frames, client
// 10.0.0.1:cport, server 10.0.0.2:sport.
func htWritePcapPorts(pkts []htPkt, cport, sport uint16) []byte {
	var buf bytes.Buffer
	hdr := make([]byte, 24)
	htPutLE32(hdr[0:], 0xa1b2c3d4)
	htPutLE16(hdr[4:], 2)
	htPutLE16(hdr[6:], 4)
	htPutLE32(hdr[16:], 65535)
	htPutLE32(hdr[20:], 1) // Ethernet
	buf.Write(hdr)
	for i, p := range pkts {
		frame := htTcpFrame(p, cport, sport)
		rec := make([]byte, 16)
		htPutLE32(rec[0:], 1700000000)
		htPutLE32(rec[4:], uint32(i*1000))
		htPutLE32(rec[8:], uint32(len(frame)))
		htPutLE32(rec[12:], uint32(len(frame)))
		buf.Write(rec)
		buf.Write(frame)
	}
	return buf.Bytes()
}

func htPutLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
func htPutLE16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }
func htPutBE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
func htPutBE16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }

// htTcpFrame builds one frame (TCP checksum left zero: the decoders do not
// check them, as in the loopback captures).
func htTcpFrame(p htPkt, cport, sport uint16) []byte {
	src, dst := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	sp, dp := cport, sport
	if p.server {
		src, dst, sp, dp = dst, src, dp, sp
	}
	f := make([]byte, 14+20+20+len(p.data))
	f[12], f[13] = 0x08, 0x00
	ip := f[14:]
	ip[0] = 0x45
	htPutBE16(ip[2:], uint16(20+20+len(p.data)))
	ip[8], ip[9] = 64, 6
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(ip[i])<<8 | uint32(ip[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	htPutBE16(ip[10:], ^uint16(sum))
	tcp := ip[20:]
	htPutBE16(tcp[0:], sp)
	htPutBE16(tcp[2:], dp)
	htPutBE32(tcp[4:], p.seq)
	htPutBE32(tcp[8:], p.ack)
	tcp[12] = 5 << 4
	var flags byte
	if p.fin {
		flags |= 0x01
	}
	if p.syn {
		flags |= 0x02
	}
	if len(p.data) > 0 {
		flags |= 0x08
	}
	if p.ackf {
		flags |= 0x10
	}
	tcp[13] = flags
	htPutBE16(tcp[14:], 65535)
	copy(tcp[20:], p.data)
	return f
}

func htGzipped(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func htZlibbed(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func htRawDeflated(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// htChunked encodes s in chunks of 5 bytes.
func htChunked(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		n := min(5, len(s))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, s[:n])
		s = s[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// htReorderPcap rewrites a classic pcap: every TCP segment with a payload
// is cut in two halves sent in reverse order, the second half twice (a
// retransmission).
func htReorderPcap(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 || data[0] != 0xd4 || data[1] != 0xc3 {
		t.Fatal("not a little-endian classic pcap")
	}
	var out bytes.Buffer
	out.Write(data[:24])
	le32 := func(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24 }
	write := func(rec []byte, frame []byte) {
		h := slices.Clone(rec)
		htPutLE32(h[8:], uint32(len(frame)))
		htPutLE32(h[12:], uint32(len(frame)))
		out.Write(h)
		out.Write(frame)
	}
	for off := 24; off+16 <= len(data); {
		rec := data[off : off+16]
		n := int(le32(rec[8:]))
		frame := data[off+16 : off+16+n]
		off += 16 + n
		// Ethernet, IPv4 or IPv6, TCP with a payload of 2 bytes or more.
		ipOff, l4 := 14, 0
		var ipLen int
		switch {
		case len(frame) < 74:
		case frame[12] == 0x08 && frame[13] == 0x00 && frame[ipOff+9] == 6:
			l4 = ipOff + int(frame[ipOff]&0x0f)*4
			ipLen = int(frame[ipOff+2])<<8 | int(frame[ipOff+3])
		case frame[12] == 0x86 && frame[13] == 0xdd && frame[ipOff+6] == 6:
			l4 = ipOff + 40
			ipLen = 40 + (int(frame[ipOff+4])<<8 | int(frame[ipOff+5]))
		}
		if l4 == 0 {
			write(rec, frame)
			continue
		}
		payload := l4 + int(frame[l4+12]>>4)*4
		end := ipOff + ipLen
		if end-payload < 2 {
			write(rec, frame)
			continue
		}
		half := (end - payload) / 2
		part := func(from, to int) []byte {
			f := slices.Concat(frame[:payload], frame[from:to])
			seq := uint32(frame[l4+4])<<24 | uint32(frame[l4+5])<<16 | uint32(frame[l4+6])<<8 | uint32(frame[l4+7])
			htPutBE32(f[l4+4:], seq+uint32(from-payload))
			if frame[12] == 0x08 {
				htPutBE16(f[ipOff+2:], uint16(len(f)-ipOff))
			} else {
				htPutBE16(f[ipOff+4:], uint16(len(f)-ipOff-40))
			}
			return f
		}
		second := part(payload+half, end)
		write(rec, second)
		write(rec, part(payload, payload+half))
		write(rec, second)
	}
	return out.Bytes()
}
