package tlshello_test

import (
	"io"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/source"
)

// helloPayloads returns the TCP payloads of testdata/tls.pcap that start
// with a handshake record.
func helloPayloads(tb testing.TB) [][]byte {
	f, err := source.OpenFile(testutil.Testdata(tb, "tls.pcap"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	for {
		data, ci, err := f.ReadPacket()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, ci.LinkType, gopacket.Default)
		if tcp, ok := pkt.TransportLayer().(*layers.TCP); ok && len(tcp.Payload) > 5 && tcp.Payload[0] == 22 {
			out = append(out, append([]byte(nil), tcp.Payload...))
		}
	}
}

func TestGREASE(t *testing.T) {
	n := 0
	for v := 0; v <= 0xffff; v++ {
		if tlshello.IsGREASE(uint16(v)) {
			n++
			if v&0xff != v>>8 || v&0x0f != 0x0a {
				t.Errorf("%#04x called GREASE", v)
			}
		}
	}
	if n != 16 { // RFC 8701: 0x0a0a, 0x1a1a, ..., 0xfafa
		t.Errorf("%d GREASE values, want 16", n)
	}
}

// TestTruncatedHellos: every prefix of a hello is ErrIncomplete or
// ErrNotHandshake, never a wrong hello or a panic.
func TestTruncatedHellos(t *testing.T) {
	for _, p := range helloPayloads(t) {
		for n := range len(p) {
			if ch, err := tlshello.ParseClientHello(p[:n]); err == nil {
				t.Fatalf("ClientHello parsed from %d of %d bytes: %v", n, len(p), ch.ServerName)
			}
			if _, err := tlshello.ParseServerHello(p[:n]); err == nil && n < 40 {
				t.Fatalf("ServerHello parsed from %d bytes", n)
			}
		}
	}
}

func FuzzParseClientHello(f *testing.F) {
	for _, p := range helloPayloads(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ch, err := tlshello.ParseClientHello(data)
		if err != nil {
			return
		}
		ch.JA3()
		ja4, raw := ch.JA4(tlshello.TCP)
		if len(ja4) != 36 || len(raw) < 10 {
			t.Fatalf("JA4 %q (raw %q) has the wrong shape", ja4, raw)
		}
	})
}

func FuzzParseServerHello(f *testing.F) {
	for _, p := range helloPayloads(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if sh, err := tlshello.ParseServerHello(data); err == nil {
			sh.JA3S()
		}
	})
}
