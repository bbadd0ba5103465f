package credentials

import (
	"testing"
	"unicode/utf8"

	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/streamfuzz"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

func FuzzHarvest(f *testing.F) {
	f.Add(uint16(21), []byte("\x3d220 FTP ready\r\n\x28USER bob\r\n\x25331 ok\r\n\x28PASS x y\r\n\x2d230 in\r\n"))
	f.Add(uint16(143), []byte("\x2d* OK ready\r\n\x2ca LOGIN {3}\r\nabc \"d\\\"e\"\r\n\x15a OK\r\n"))
	f.Add(uint16(143), []byte("\x48a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n\x15a NO\r\n"))
	f.Add(uint16(23), []byte("\x21\xff\xfd\x18\xff\xfb\x01login: \x08bob\r\x01\x29Password: \x0cpw\x7fd\r\n"))
	f.Fuzz(func(t *testing.T, port uint16, in []byte) {
		c, out := streamfuzz.Conn(t, stream.Options{}, reassembly.TCP, port)
		s := hvObserver{}.New(c)
		streamfuzz.Feed(s, in)
		for _, m := range *out {
			if r, ok := m.(*types.Credentials); ok && (!utf8.ValidString(r.User) || !utf8.ValidString(r.Password)) {
				t.Fatalf("invalid UTF-8: %v", r)
			}
		}
	})
}
