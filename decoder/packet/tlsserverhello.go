package packet

import (
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/types"
)

// TLSServerHello writes a record for each TLS ServerHello at the
// start of a TCP segment, on any port, with its JA3S fingerprint (split
// hellos: see TLSClientHello).
var TLSServerHello PacketDecoder = tlsServerHello{}

type tlsServerHello struct{}

func (tlsServerHello) Info() decoder.Info {
	return decoder.Info{Name: "TLSServerHello", Type: types.Type_NC_TLSServerHello, Group: decoder.GroupPacket,
		Description: "TLS ServerHello messages with JA3S fingerprints"}
}

func (tlsServerHello) NewRecord() proto.Message { return &types.TLSServerHello{} }

func (tlsServerHello) Decode(p *Packet, m proto.Message) (bool, string) {
	if p.TCP == nil || len(p.TCP.Payload) == 0 {
		return false, ""
	}
	sh, err := tlshello.ParseServerHello(p.TCP.Payload)
	switch {
	case errors.Is(err, tlshello.ErrNotHandshake):
		return false, ""
	case errors.Is(err, tlshello.ErrIncomplete):
		return false, "hello continues in a later TCP segment"
	case err != nil:
		return false, "malformed hello"
	}
	sh.Fill(m.(*types.TLSServerHello), p.Timestamp, helloEndpoints(p))
	return true, ""
}
