package dpi_test

import (
	"math/rand"
	"testing"

	"github.com/netcap-go/netcap/decoder/dpi"
)

var benchSink string

func benchDetect(b *testing.B, t dpi.Transport, sport, dport uint16, p []byte, want string) {
	if got := dpi.Detect(t, sport, dport, true, p); got != want {
		b.Fatalf("Detect = %q, want %q", got, want)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		benchSink = dpi.Detect(t, sport, dport, true, p)
	}
}

// BenchmarkDetectHTTP: a typical browser request.
func BenchmarkDetectHTTP(b *testing.B) {
	p := []byte("GET /assets/app.js?v=3 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\r\n")
	benchDetect(b, dpi.TCP, 51000, 80, p, "HTTP")
}

// BenchmarkDetectTLS: a real TLS 1.3 ClientHello.
func BenchmarkDetectTLS(b *testing.B) {
	ch, _ := tlsHellos(b, 0)
	benchDetect(b, dpi.TCP, 51000, 443, ch, "TLS")
}

// BenchmarkDetectDNS: a DNS query over UDP.
func BenchmarkDetectDNS(b *testing.B) {
	benchDetect(b, dpi.UDP, 51000, 53, dnsQuery(b, "www.example.com", 1), "DNS")
}

// BenchmarkDetectNoMatchTCP: 1400 random bytes (encrypted traffic) over TCP.
func BenchmarkDetectNoMatchTCP(b *testing.B) {
	p := make([]byte, 1400)
	rand.New(rand.NewSource(1)).Read(p)
	benchDetect(b, dpi.TCP, 51000, 443, p, "")
}

// BenchmarkDetectNoMatchUDP: 1200 random bytes over UDP.
func BenchmarkDetectNoMatchUDP(b *testing.B) {
	p := make([]byte, 1200)
	rand.New(rand.NewSource(2)).Read(p)
	benchDetect(b, dpi.UDP, 51000, 443, p, "")
}
