package service

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/streamfuzz"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

func FuzzServiceBanner(f *testing.F) {
	f.Add("", []byte("220 (vsFTPd 3.0.3)\r\n"))
	f.Add("SSH", []byte("SSH-2.0-OpenSSH_9.2p1 Debian\r\n"))
	f.Add("HTTP", []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.2.3\r\n\r\n"))
	f.Add("", []byte("* OK Microsoft Exchange IMAP4rev1 server version 5.5.2650.23 (x) ready\r\n"))
	f.Add("", []byte("\x05\x00\xff\xfe\\"))
	f.Fuzz(func(t *testing.T, protocol string, b []byte) {
		// The parsed fields stay raw (they are escaped where they land
		// in a record): the line and version are the banner's own bytes
		// (products and vendors may come from the product table).
		sw := svBannerSoftware(protocol, b)
		for _, s := range []string{sw.Version, sw.Line} {
			if !strings.Contains(string(b), s) {
				t.Fatalf("%q is not in the banner: %+v", s, sw)
			}
		}
		// Through the observer, with bytes of both directions: the
		// Service and Software records hold escaped strings only.
		c, _ := streamfuzz.Conn(t, stream.Options{}, reassembly.TCP, 21)
		st := &svStore{items: map[svKey]*svAgg{}, max: DefaultMaxServices}
		s := svObserver{st: st}.New(c)
		streamfuzz.Feed(s, b)
		check := func(_ types.Type, m proto.Message) error {
			if err := types.CheckStrings(m); err != nil {
				return err
			}
			_, err := proto.Marshal(m)
			return err
		}
		if err := errors.Join(st.flush(check), c.Run().Flush(check)); err != nil {
			t.Fatal(err)
		}
	})
}
