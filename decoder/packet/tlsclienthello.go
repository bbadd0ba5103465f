package packet

import (
	"errors"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/types"
)

// TLSClientHello writes a record for each TLS ClientHello at the
// start of a TCP segment, on any port, with its JA3 and JA4 fingerprints.
// A hello that continues in the next segment cannot be read per packet: it
// is counted here, and read from the reassembled stream when reassembly is
// on (decoder/stream).
var TLSClientHello PacketDecoder = tlsClientHello{}

type tlsClientHello struct{}

func (tlsClientHello) Info() decoder.Info {
	return decoder.Info{Name: "TLSClientHello", Type: types.Type_NC_TLSClientHello, Group: decoder.GroupPacket,
		Description: "TLS ClientHello messages with JA3 and JA4 fingerprints"}
}

func (tlsClientHello) NewRecord() proto.Message { return &types.TLSClientHello{} }

func (tlsClientHello) Decode(p *Packet, m proto.Message) (bool, string) {
	if p.TCP == nil || len(p.TCP.Payload) == 0 {
		return false, ""
	}
	ch, err := tlshello.ParseClientHello(p.TCP.Payload)
	switch {
	case errors.Is(err, tlshello.ErrNotHandshake):
		return false, ""
	case errors.Is(err, tlshello.ErrIncomplete):
		return false, "hello continues in a later TCP segment"
	case err != nil:
		return false, "malformed hello"
	}
	ch.Fill(m.(*types.TLSClientHello), p.Timestamp, helloEndpoints(p), tlshello.TCP)
	return true, ""
}

// helloEndpoints are the addresses of the TCP connection that carries the
// hello: its IP header and ports (in a tunnel the inner ones, unlike the
// packet context of the layer records), and the first Ethernet header's
// MAC addresses.
func helloEndpoints(p *Packet) tlshello.Endpoints {
	e := tlshello.Endpoints{SrcIP: p.SrcIP, DstIP: p.DstIP, SrcPort: int32(p.TCP.SrcPort), DstPort: int32(p.TCP.DstPort)}
	switch ip := p.TCPNet.(type) {
	case *layers.IPv4:
		e.SrcIP, e.DstIP = ipString(ip.SrcIP), ipString(ip.DstIP)
	case *layers.IPv6:
		e.SrcIP, e.DstIP = ipString(ip.SrcIP), ipString(ip.DstIP)
	}
	if p.Ethernet != nil {
		e.SrcMAC, e.DstMAC = macString(p.Ethernet.SrcMAC), macString(p.Ethernet.DstMAC)
	}
	return e
}
