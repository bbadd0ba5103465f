package packet

import (
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/types"
)

// tlsServerHelloDecoder writes a record for each TLS ServerHello at the
// start of a TCP segment, on any port, with its JA3S fingerprint.
var tlsServerHelloDecoder PacketDecoder = tlsServerHello{}

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
	r := m.(*types.TLSServerHello)
	r.Timestamp = p.Timestamp
	r.Version = int32(sh.Version)
	r.Random = copyBytes(sh.Random)
	r.SessionID = copyBytes(sh.SessionID)
	r.CipherSuite = int32(sh.CipherSuite)
	r.CompressionMethod = int32(sh.CompressionMethod)
	r.NextProtoNeg = sh.NextProtoNeg
	for _, np := range sh.NextProtos {
		r.NextProtos = append(r.NextProtos, wireString([]byte(np)))
	}
	r.OCSPStapling = sh.OCSPStapling
	r.TicketSupported = sh.TicketSupported
	r.SecureRenegotiationSupported = sh.SecureRenegotiationSupported
	r.SecureRenegotiation = copyBytes(sh.SecureRenegotiation)
	r.AlpnProtocol = wireString([]byte(sh.ALPN))
	r.Ems = sh.ExtendedMasterSecret
	for _, sct := range sh.SCTs {
		r.Scts = append(r.Scts, copyBytes(sct))
	}
	r.SupportedVersion = int32(sh.SupportedVersion)
	r.SelectedIdentityPresent = sh.SelectedIdentityPresent
	r.SelectedIdentity = int32(sh.SelectedIdentity)
	r.Cookie = copyBytes(sh.Cookie)
	r.SelectedGroup = int32(sh.SelectedGroup)
	for _, e := range sh.Extensions {
		r.Extensions = append(r.Extensions, int32(e.Type))
	}
	r.Ja3SString, r.Ja3S = sh.JA3S()
	r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	if p.Ethernet != nil {
		r.SrcMAC, r.DstMAC = macString(p.Ethernet.SrcMAC), macString(p.Ethernet.DstMAC)
	}
	return true, ""
}
