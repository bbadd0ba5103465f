package stream

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Benchmarks of the HTTP session: connections of a browser and a web
// server, in segments of a TCP MSS, every record made (and dropped). Run
// with -benchmem: allocations per connection are what they watch.

// httpBenchConn returns the two directions of a connection of pairs
// requests, with response bodies of bodySize bytes.
func httpBenchConn(pairs, bodySize int) (requests, responses []byte) {
	var req, res bytes.Buffer
	body := bytes.Repeat([]byte("<p>netcap benchmark body</p>\n"), bodySize/29+1)[:bodySize]
	for i := range pairs {
		fmt.Fprintf(&req, "GET /static/page-%d.html?lang=en&id=%d HTTP/1.1\r\n"+
			"Host: www.example.com\r\n"+
			"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"+
			"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"+
			"Accept-Language: en-US,en;q=0.5\r\n"+
			"Accept-Encoding: gzip, deflate, br\r\n"+
			"Referer: http://www.example.com/\r\n"+
			"Cookie: session=abc%d; theme=dark\r\n"+
			"Connection: keep-alive\r\n"+
			"Upgrade-Insecure-Requests: 1\r\n\r\n", i, i, i)
		fmt.Fprintf(&res, "HTTP/1.1 200 OK\r\n"+
			"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"+
			"Server: nginx/1.24.0\r\n"+
			"Content-Type: text/html; charset=utf-8\r\n"+
			"Content-Length: %d\r\n"+
			"Last-Modified: Sun, 31 Dec 2023 00:00:00 GMT\r\n"+
			"ETag: \"%x-%x\"\r\n"+
			"cache-control: max-age=3600\r\n"+
			"Set-Cookie: visit=%d; Path=/; HttpOnly\r\n"+
			"X-Frame-Options: SAMEORIGIN\r\n"+
			"Accept-Ranges: bytes\r\n\r\n%s", bodySize, i, bodySize, i, body)
	}
	return req.Bytes(), res.Bytes()
}

// BenchmarkHTTPSession runs a connection of one request (as most are) and
// a keep-alive one of eight, with small and large bodies.
func BenchmarkHTTPSession(b *testing.B) {
	for _, c := range []struct{ pairs, body int }{{1, 256}, {8, 256}, {8, 64 << 10}} {
		b.Run(fmt.Sprintf("pairs=%d/body=%d", c.pairs, c.body), func(b *testing.B) { benchHTTPSession(b, c.pairs, c.body) })
	}
}

func benchHTTPSession(b *testing.B, pairs, bodySize int) {
	requests, responses := httpBenchConn(pairs, bodySize)
	run := NewRun(Options{}, []Protocol{HTTP}, nil)
	w := run.Worker(func(types.Type, proto.Message) error { return nil })
	c := newConn(w, reassembly.ConnInfo{
		Transport: reassembly.TCP,
		Client:    reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Port: 40000},
		Server:    reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.2"), Port: 80},
	})
	const mss = 1448
	b.SetBytes(int64(len(requests) + len(responses)))
	b.ReportAllocs()
	for b.Loop() {
		s := HTTP.New(c)
		// Requests and responses alternate, as on a connection without
		// pipelining: each request before its response.
		req, res := requests, responses
		for ts := int64(1); len(req) > 0 || len(res) > 0; ts++ {
			n := min(len(req), mss)
			if n > 0 {
				s.Data(ClientToServer, req[:n], ts)
				req = req[n:]
			}
			n = min(len(res), mss)
			if n > 0 {
				s.Data(ServerToClient, res[:n], ts)
				res = res[n:]
			}
		}
		s.Close(int64(len(requests)))
	}
}
