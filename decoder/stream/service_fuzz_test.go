package stream

import (
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

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
		text := svBannerText(b)
		if !utf8.ValidString(text) {
			t.Fatalf("banner text not UTF-8: %q", text)
		}
		// Unescaping gives the bytes back.
		var back []byte
		for i := 0; i < len(text); i++ {
			if text[i] == '\\' && i+1 < len(text) {
				if text[i+1] == '\\' {
					back = append(back, '\\')
					i++
					continue
				}
				if text[i+1] == 'x' && i+3 < len(text) {
					var v byte
					for _, h := range text[i+2 : i+4] {
						v = v<<4 | byte(strings.IndexRune("0123456789abcdef", h))
					}
					back = append(back, v)
					i += 3
					continue
				}
			}
			back = append(back, text[i])
		}
		if string(back) != string(b) {
			t.Fatalf("banner text %q does not give back %q", text, b)
		}
		sw := svBannerSoftware(protocol, b)
		for _, s := range []string{sw.Product, sw.Version, sw.Vendor, sw.Line} {
			if !utf8.ValidString(s) {
				t.Fatalf("not UTF-8: %+v", sw)
			}
		}
		// Through the observer, with bytes of both directions.
		c, _ := fzConn(t, Options{}, reassembly.TCP, 21)
		st := &svStore{items: map[svKey]*svAgg{}, max: DefaultMaxServices}
		s := svObserver{st: st}.New(c)
		fzFeed(s, b)
		if err := st.flush(func(_ types.Type, m proto.Message) error {
			_, err := proto.Marshal(m)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}
