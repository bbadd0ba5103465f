package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// EAP reads EAP packets (RFC 3748) carried in EAPOL. Success and
// Failure packets (Length 4) have no Type: the record's Type is 0 and its
// TypeData empty. TypeData is the Type-Data, up to the packet's Length.
var EAP = newDecoder(
	decoder.Info{Name: "EAP", Type: types.Type_NC_EAP, Description: "Extensible Authentication Protocol packets in 802.1X"},
	layers.LayerTypeEAP,
	func() gopacket.DecodingLayer { return &layers.EAP{} },
	func() *types.EAP { return &types.EAP{} },
	func(l *layers.EAP, p *Packet, r *types.EAP) {
		r.Timestamp = p.Timestamp
		r.Code = int32(l.Code)
		r.Id = int32(l.Id)
		r.Length = int32(l.Length)
		r.Type = int32(l.Type)
		r.TypeData = copyBytes(l.TypeData)
	},
)
