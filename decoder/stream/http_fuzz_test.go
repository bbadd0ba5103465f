package stream

import (
	"net/netip"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// UserAgentProductsForTest exposes the User-Agent reading to the external
// tests: "product version os|…".
func UserAgentProductsForTest(ua string) string {
	var out []string
	for _, p := range userAgentProducts(ua, nil) {
		out = append(out, p.name+" "+p.version+" "+p.os)
	}
	return strings.Join(out, "|")
}

// FuzzHTTPSession feeds arbitrary bytes through detection and an HTTP
// session, both directions, with gaps: it must not panic, must keep its
// bounds, and every record must marshal (valid UTF-8 strings).
//
// The input is a script: each step is a control byte then data. The
// control byte's low bit is the direction, bit 1 makes the step a gap of
// (length) bytes, and bits 2-7 give the data length (0-63); the last
// step takes the rest.
func FuzzHTTPSession(f *testing.F) {
	for _, s := range []string{
		"\x00GET / HTTP/1.1\r\nHost: a\r\n\r\n\x01HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"\x00POST /l HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuser=\r\n6;x\r\nb&pw=c\r\n0\r\nT: 1\r\n\r\n\x01HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00",
		"\x00GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n\x03\x01HTTP/1.1 204 No\r\n\r\nHTTP/1.0 200 OK\r\n\r\nrest",
		"\x01HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
		"\x00GET /\r\n\x01<html>",
		"\x00CONNECT a:443 HTTP/1.1\r\n\r\n\x01HTTP/1.1 200 OK\r\n\r\n\x16\x03",
		"\x00GET / HTTP/1.1\r\nAuthorization: Basic Ym9iOnB3\r\nCookie: a=b; c\r\nUser-Agent: Mozilla/5.0 (X11; Linux) Firefox/1\r\n\r\n\x01HTTP/1.1 200 OK\r\nSet-Cookie: x=y; Max-Age=5\r\nServer: A/1 (B) C/2\r\nContent-Type: multipart/form-data; boundary=z\r\n\r\n--z\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		run := NewRun(Options{Payloads: true, MaxBodyBytes: 1024}, allProtocols, ownObservers)
		var recs int
		w := run.Worker(func(typ types.Type, m proto.Message) error {
			if _, err := proto.Marshal(m); err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			if err := types.CheckStrings(m); err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			if r, ok := m.(*types.HTTP); ok && (len(r.RequestBody) > 1024 || len(r.ResponseBody) > 1024) {
				t.Fatalf("body beyond MaxBodyBytes")
			}
			recs++
			return nil
		})
		info := reassembly.ConnInfo{
			Transport: reassembly.TCP, MidStream: len(script) > 0 && script[0]&0x80 != 0,
			Client: reassembly.Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Port: 40000},
			Server: reassembly.Endpoint{Addr: netip.MustParseAddr("10.0.0.2"), Port: 80},
		}
		// Straight into a session (whatever Detect says), and through a
		// Conn (detection, replay).
		s := httpProtocol{}.New(newConn(w, info))
		c := newConn(w, info)
		ts := int64(1)
		for len(script) > 0 {
			ctl := script[0]
			script = script[1:]
			n := int(ctl >> 2)
			if n == 0 || n > len(script) {
				n = len(script)
			}
			dir := Direction(ctl & 1)
			if ctl&2 != 0 {
				s.Gap(dir, int64(n))
				c.Gap(dir, int64(n))
			} else {
				s.Data(dir, script[:n], ts)
				c.Data(dir, script[:n], ts)
			}
			script = script[n:]
			ts += 1000
		}
		s.Close(ts)
		c.Close(reassembly.ClosedFIN, ts)
		hs := s.(*httpSession)
		if len(hs.queue) != 0 {
			t.Fatalf("%d pairs left after Close", len(hs.queue))
		}
		for _, h := range hs.half {
			if len(h.line) > httpMaxLine {
				t.Fatalf("line of %d bytes", len(h.line))
			}
		}
		_ = recs
	})
}
