package packet

import (
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/types"
)

// tlsClientHelloDecoder writes a record for each TLS ClientHello at the
// start of a TCP segment, on any port, with its JA3 and JA4 fingerprints.
// A hello that continues in the next segment cannot be read per packet: it
// is counted as skipped.
var tlsClientHelloDecoder PacketDecoder = tlsClientHello{}

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
	r := m.(*types.TLSClientHello)
	r.Timestamp = p.Timestamp
	r.Type = int32(ch.Record.Type)
	r.Version = int32(ch.Record.Version)
	r.MessageLen = int32(ch.Record.Length)
	r.HandshakeType = tlshello.HandshakeClientHello
	r.HandshakeLen = ch.HandshakeLen
	r.HandshakeVersion = int32(ch.Version)
	r.Random = copyBytes(ch.Random)
	r.SessionIDLen = uint32(len(ch.SessionID))
	r.SessionID = copyBytes(ch.SessionID)
	r.CipherSuiteLen = int32(ch.CipherSuiteLen)
	r.ExtensionLen = int32(ch.ExtensionLen)
	r.SNI = wireString([]byte(ch.ServerName))
	r.OSCP = ch.StatusRequest
	r.CipherSuites = int32s(ch.CipherSuites)
	r.CompressMethods = bytesToInt32s(ch.CompressionMethods)
	r.SignatureAlgs = int32s(ch.SignatureAlgorithms)
	r.SupportedGroups = int32s(ch.SupportedGroups)
	r.SupportedPoints = bytesToInt32s(ch.ECPointFormats)
	for _, a := range ch.ALPNs {
		r.ALPNs = append(r.ALPNs, wireString([]byte(a)))
	}
	for _, e := range ch.Extensions {
		r.Extensions = append(r.Extensions, int32(e.Type))
	}
	r.SupportedVersions = int32s(ch.SupportedVersions)
	r.Ja3String, r.Ja3 = ch.JA3()
	r.Ja4, r.Ja4R = ch.JA4(tlshello.TCP)
	r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	if p.Ethernet != nil {
		r.SrcMAC, r.DstMAC = macString(p.Ethernet.SrcMAC), macString(p.Ethernet.DstMAC)
	}
	return true, ""
}

func int32s(vs []uint16) []int32 {
	if len(vs) == 0 {
		return nil
	}
	out := make([]int32, len(vs))
	for i, v := range vs {
		out[i] = int32(v)
	}
	return out
}

func bytesToInt32s(vs []uint8) []int32 {
	if len(vs) == 0 {
		return nil
	}
	out := make([]int32, len(vs))
	for i, v := range vs {
		out[i] = int32(v)
	}
	return out
}
