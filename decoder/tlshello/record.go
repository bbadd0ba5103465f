package tlshello

import (
	"github.com/netcap-go/netcap/types"
)

// Endpoints are the addresses of the packet or connection a hello was
// seen in, for the record.
type Endpoints struct {
	SrcIP, DstIP     string
	SrcMAC, DstMAC   string
	SrcPort, DstPort int32
}

// Fill fills a TLSClientHello record from the hello.
func (ch *ClientHello) Fill(r *types.TLSClientHello, ts int64, e Endpoints, t Transport) {
	r.Timestamp = ts
	r.Type = int32(ch.Record.Type)
	r.Version = int32(ch.Record.Version)
	r.MessageLen = int32(ch.Record.Length)
	r.HandshakeType = HandshakeClientHello
	r.HandshakeLen = ch.HandshakeLen
	r.HandshakeVersion = int32(ch.Version)
	r.Random = clone(ch.Random)
	r.SessionIDLen = uint32(len(ch.SessionID))
	r.SessionID = clone(ch.SessionID)
	r.CipherSuiteLen = int32(ch.CipherSuiteLen)
	r.ExtensionLen = int32(ch.ExtensionLen)
	r.SNI = types.WireString(ch.ServerName)
	r.OSCP = ch.StatusRequest
	r.CipherSuites = int32s(ch.CipherSuites)
	r.CompressMethods = bytesToInt32s(ch.CompressionMethods)
	r.SignatureAlgs = int32s(ch.SignatureAlgorithms)
	r.SupportedGroups = int32s(ch.SupportedGroups)
	r.SupportedPoints = bytesToInt32s(ch.ECPointFormats)
	for _, a := range ch.ALPNs {
		r.ALPNs = append(r.ALPNs, types.WireString(a))
	}
	for _, e := range ch.Extensions {
		r.Extensions = append(r.Extensions, int32(e.Type))
	}
	r.SupportedVersions = int32s(ch.SupportedVersions)
	r.Ja3String, r.Ja3 = ch.JA3()
	r.Ja4, r.Ja4R = ch.JA4(t)
	r.SrcIP, r.DstIP, r.SrcPort, r.DstPort = e.SrcIP, e.DstIP, e.SrcPort, e.DstPort
	r.SrcMAC, r.DstMAC = e.SrcMAC, e.DstMAC
}

// Fill fills a TLSServerHello record from the hello.
func (sh *ServerHello) Fill(r *types.TLSServerHello, ts int64, e Endpoints) {
	r.Timestamp = ts
	r.Version = int32(sh.Version)
	r.Random = clone(sh.Random)
	r.SessionID = clone(sh.SessionID)
	r.CipherSuite = int32(sh.CipherSuite)
	r.CompressionMethod = int32(sh.CompressionMethod)
	r.NextProtoNeg = sh.NextProtoNeg
	for _, np := range sh.NextProtos {
		r.NextProtos = append(r.NextProtos, types.WireString(np))
	}
	r.OCSPStapling = sh.OCSPStapling
	r.TicketSupported = sh.TicketSupported
	r.SecureRenegotiationSupported = sh.SecureRenegotiationSupported
	r.SecureRenegotiation = clone(sh.SecureRenegotiation)
	r.AlpnProtocol = types.WireString(sh.ALPN)
	r.Ems = sh.ExtendedMasterSecret
	for _, sct := range sh.SCTs {
		r.Scts = append(r.Scts, clone(sct))
	}
	r.SupportedVersion = int32(sh.SupportedVersion)
	r.SelectedIdentityPresent = sh.SelectedIdentityPresent
	r.SelectedIdentity = int32(sh.SelectedIdentity)
	r.Cookie = clone(sh.Cookie)
	r.SelectedGroup = int32(sh.SelectedGroup)
	for _, e := range sh.Extensions {
		r.Extensions = append(r.Extensions, int32(e.Type))
	}
	r.Ja3SString, r.Ja3S = sh.JA3S()
	r.SrcIP, r.DstIP, r.SrcPort, r.DstPort = e.SrcIP, e.DstIP, e.SrcPort, e.DstPort
	r.SrcMAC, r.DstMAC = e.SrcMAC, e.DstMAC
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
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
