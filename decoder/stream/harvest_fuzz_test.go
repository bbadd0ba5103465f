package stream

import (
	"fmt"
	"net/netip"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// fzConn returns a connection of a run with every record type enabled
// and the records it writes, for fuzzing one session alone.
func fzConn(t testing.TB, opts Options, transport reassembly.Transport, serverPort uint16) (*Conn, *[]proto.Message) {
	var out []proto.Message
	r := NewRun(opts)
	w := r.Worker(func(typ types.Type, m proto.Message) error {
		if _, err := proto.Marshal(m); err != nil { // invalid UTF-8 fails here
			t.Fatalf("%s record does not marshal: %v: %v", typ, err, m)
		}
		if err := types.CheckStrings(m); err != nil {
			t.Fatalf("%s record: %v", typ, err)
		}
		out = append(out, m)
		return nil
	})
	info := reassembly.ConnInfo{
		Transport: transport,
		Client:    reassembly.Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Port: 40000},
		Server:    reassembly.Endpoint{Addr: netip.MustParseAddr("10.0.0.2"), Port: serverPort},
		Start:     1_700_000_000_000_000_000,
	}
	c := &Conn{Info: info, w: w, Ident: fmt.Sprintf("%s->%s", info.Client, info.Server)}
	c.detected = true // no protocol: the observers alone
	return c, &out
}

// fzFeed plays fuzz input into a session: each chunk is a control byte
// (bit 0: direction, bit 1: a gap instead of data, the rest: length) then
// that many bytes.
func fzFeed(s Session, in []byte) {
	ts := int64(1_700_000_000_000_000_000)
	for len(in) > 0 {
		ctl := in[0]
		in = in[1:]
		n := min(int(ctl>>2)+1, len(in))
		dir := Direction(ctl & 1)
		ts += 1000
		if ctl&2 != 0 {
			s.Gap(dir, int64(n))
			continue
		}
		s.Data(dir, in[:n], ts)
		in = in[n:]
	}
	s.Close(ts)
}

func FuzzHarvest(f *testing.F) {
	f.Add(uint16(21), []byte("\x3d220 FTP ready\r\n\x28USER bob\r\n\x25331 ok\r\n\x28PASS x y\r\n\x2d230 in\r\n"))
	f.Add(uint16(143), []byte("\x2d* OK ready\r\n\x2ca LOGIN {3}\r\nabc \"d\\\"e\"\r\n\x15a OK\r\n"))
	f.Add(uint16(143), []byte("\x48a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n\x15a NO\r\n"))
	f.Add(uint16(23), []byte("\x21\xff\xfd\x18\xff\xfb\x01login: \x08bob\r\x01\x29Password: \x0cpw\x7fd\r\n"))
	f.Fuzz(func(t *testing.T, port uint16, in []byte) {
		c, out := fzConn(t, Options{}, reassembly.TCP, port)
		s := hvObserver{}.New(c)
		fzFeed(s, in)
		for _, m := range *out {
			if r, ok := m.(*types.Credentials); ok && (!utf8.ValidString(r.User) || !utf8.ValidString(r.Password)) {
				t.Fatalf("invalid UTF-8: %v", r)
			}
		}
	})
}
