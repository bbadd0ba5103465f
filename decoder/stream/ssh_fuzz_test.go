package stream

import (
	"net/netip"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// FuzzSSHSession feeds a script of both directions (as FuzzHTTPSession
// reads it: a control byte with the direction in bit 0, a gap in bit 1 and
// the length in bits 2-7, then the data) into an SSH session: no panic,
// bounded buffers, one record per side at most, every record marshals.
func FuzzSSHSession(f *testing.F) {
	kex := []byte{0, 0, 0, 60, 4, 20}
	kex = append(kex, make([]byte, 16)...)
	for range 10 {
		kex = append(kex, 0, 0, 0, 1, 'a')
	}
	kex = append(kex, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	f.Add(append([]byte("\x00SSH-2.0-OpenSSH_9.2\r\n\x00"), kex...))
	f.Add([]byte("\x01banner line\r\nSSH-1.99-Cisco-1.25\r\n\x00SSH-1.5-x\r\n"))
	f.Add([]byte("\x00SSH-2.0-a\r\n\x02\x00\xff\xff\xff\xff\x00"))
	f.Fuzz(func(t *testing.T, script []byte) {
		run := NewRun(Options{}, allProtocols, ownObservers)
		sides := map[bool]int{}
		w := run.Worker(func(typ types.Type, m proto.Message) error {
			if _, err := proto.Marshal(m); err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			if err := types.CheckStrings(m); err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			if r, ok := m.(*types.SSH); ok {
				sides[r.IsClient]++
				if sides[r.IsClient] > 1 {
					t.Fatalf("two records for one side")
				}
			}
			return nil
		})
		info := reassembly.ConnInfo{Transport: reassembly.TCP,
			Client: reassembly.Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Port: 40000},
			Server: reassembly.Endpoint{Addr: netip.MustParseAddr("10.0.0.2"), Port: 22}}
		s := sshProtocol{}.New(newConn(w, info)).(*sshSession)
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
			} else {
				s.Data(dir, script[:n], ts)
			}
			script = script[n:]
			ts++
			for _, h := range s.side {
				if len(h.buf) > sshMaxPacket+4+64 && !h.done {
					t.Fatalf("buffer of %d bytes", len(h.buf))
				}
			}
		}
		s.Close(ts)
	})
}
