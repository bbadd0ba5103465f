package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// LLC decodes LLC records.
var LLC = newDecoder(
	decoder.Info{Name: "LLC", Type: types.Type_NC_LLC, Description: "IEEE 802.2 Logical Link Control"},
	layers.LayerTypeLLC,
	func() gopacket.DecodingLayer { return &layers.LLC{} },
	func() *types.LLC { return &types.LLC{} },
	func(l *layers.LLC, p *Packet, r *types.LLC) {
		r.Timestamp = p.Timestamp
		r.DSAP = int32(l.DSAP)
		r.IG = l.IG
		r.SSAP = int32(l.SSAP)
		r.CR = l.CR
		r.Control = llcControl(l)
	},
)

// llcControl returns the control field. A two-byte field (I and S formats)
// has its first octet in the low byte: 802.2 numbers the bits from the
// first octet's least significant bit (N(S) is bits 2-8, N(R) bits 10-16),
// and Wireshark shows it so, and then Control&3 tells the format of every
// frame, as it does for the one-byte U format. gopacket puts the first
// octet in the high byte.
func llcControl(l *layers.LLC) int32 {
	if c := l.Contents; len(c) == 4 {
		return int32(c[2]) | int32(c[3])<<8
	}
	return int32(l.Control)
}
