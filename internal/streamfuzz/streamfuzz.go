// Package streamfuzz runs fuzz input through one stream session or
// observer alone, outside the pipeline. It is for tests only, and imports
// only decoder/stream and what that imports, so that the tests inside the
// observer packages (decoder/credentials, decoder/service) can use it;
// tests of package stream itself use it from package stream_test.
package streamfuzz

import (
	"net/netip"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Conn returns a connection of a run with opts, without protocols or
// observers (the caller starts the session it fuzzes on the connection),
// and the records the connection writes. Every record must marshal and
// hold escaped strings only (types.CheckStrings), or the test fails.
func Conn(t testing.TB, opts stream.Options, transport reassembly.Transport, serverPort uint16) (*stream.Conn, *[]proto.Message) {
	var out []proto.Message
	r := stream.NewRun(opts, nil, nil)
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
	return w.Factory()(info).(*stream.Conn), &out
}

// Feed plays fuzz input into a session: each chunk is a control byte
// (bit 0: direction, bit 1: a gap instead of data, the rest: length) then
// that many bytes.
func Feed(s stream.Session, in []byte) {
	ts := int64(1_700_000_000_000_000_000)
	for len(in) > 0 {
		ctl := in[0]
		in = in[1:]
		n := min(int(ctl>>2)+1, len(in))
		dir := stream.Direction(ctl & 1)
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
