package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// BFD reads BFD control packets (RFC 5880) on UDP port 3784 (single
// hop, RFC 5881, which gopacket maps) and 4784 (multihop, RFC 5883, mapped
// by init below). The intervals are in microseconds as on the wire; the
// 32-bit discriminators and intervals are held in int32 fields (Netcap's
// schema), so values of 2^31 and more read as negative numbers. AuthHeader
// is set when the A bit is: the authentication type, key ID, sequence
// number (keyed MD5 and SHA1) and data (the password, or the digest),
// bounded by the section's Auth Len.
var BFD = onUDPPorts(newDecoder(
	decoder.Info{Name: "BFD", Type: types.Type_NC_BFD, Description: "Bidirectional Forwarding Detection control packets"},
	layers.LayerTypeBFD,
	func() gopacket.DecodingLayer { return &bfdLayer{} },
	func() *types.BFD { return &types.BFD{} },
	func(l *layers.BFD, p *Packet, r *types.BFD) {
		r.Timestamp = p.Timestamp
		r.Version = int32(l.Version)
		r.Diagnostic = int32(l.Diagnostic)
		r.State = int32(l.State)
		r.Poll, r.Final = l.Poll, l.Final
		r.ControlPlaneIndependent = l.ControlPlaneIndependent
		r.AuthPresent = l.AuthPresent
		r.Demand, r.Multipoint = l.Demand, l.Multipoint
		r.DetectMultiplier = int32(l.DetectMultiplier)
		r.MyDiscriminator = int32(l.MyDiscriminator)
		r.YourDiscriminator = int32(l.YourDiscriminator)
		r.DesiredMinTxInterval = int32(l.DesiredMinTxInterval)
		r.RequiredMinRxInterval = int32(l.RequiredMinRxInterval)
		r.RequiredMinEchoRxInterval = int32(l.RequiredMinEchoRxInterval)
		if a := l.AuthHeader; a != nil {
			r.AuthHeader = &types.BFDAuthHeader{
				AuthType:       int32(a.AuthType),
				KeyID:          int32(a.KeyID),
				SequenceNumber: int32(a.SequenceNumber),
				Data:           copyBytes(a.Data),
			}
		}
	},
), bfdMultihopPort) // multihop BFD (RFC 5883); gopacket knows the single-hop port

// bfdMultihopPort is the UDP port of multihop BFD control packets.
const bfdMultihopPort = 4784

// bfdLayer is gopacket's BFD decoding, with the authentication section
// read as RFC 5880 4.2-4.4 lay it out: gopacket takes everything after the
// key ID (or sequence number) to the end of the packet for the data, not
// what the section's Auth Len covers, and keeps no data for an
// authentication type it does not know.
type bfdLayer struct{ layers.BFD }

func (b *bfdLayer) unwrap() gopacket.Layer { return &b.BFD }

func (b *bfdLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if err := b.BFD.DecodeFromBytes(data, df); err != nil {
		return err
	}
	a := b.AuthHeader
	if a == nil {
		return nil
	}
	// gopacket bounded the packet by its Length, which is at least 24.
	auth := b.Contents[24:]
	if n := int(auth[1]); n <= len(auth) {
		auth = auth[:n]
	}
	start := 3 // type, length, key ID, then the password
	switch a.AuthType {
	case layers.BFDAuthTypeKeyedMD5, layers.BFDAuthTypeMeticulousKeyedMD5,
		layers.BFDAuthTypeKeyedSHA1, layers.BFDAuthTypeMeticulousKeyedSHA1:
		start = 8 // then a reserved byte and the sequence number
	}
	a.Data = nil
	if start < len(auth) {
		a.Data = auth[start:]
	}
	return nil
}
