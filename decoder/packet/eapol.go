package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// EAPOL reads the 802.1X EAPOL header (EtherType 0x888e, also
// behind LLC/SNAP in 802.11 data frames). gopacket's EAPOL layer cuts the
// body to the header's Length, so link-layer padding does not reach the
// EAP or EAPOL-Key layer after it.
var EAPOL = newDecoder(
	decoder.Info{Name: "EAPOL", Type: types.Type_NC_EAPOL, Description: "IEEE 802.1X EAP over LAN headers"},
	layers.LayerTypeEAPOL,
	func() gopacket.DecodingLayer { return &layers.EAPOL{} },
	func() *types.EAPOL { return &types.EAPOL{} },
	func(l *layers.EAPOL, p *Packet, r *types.EAPOL) {
		r.Timestamp = p.Timestamp
		r.Version = int32(l.Version)
		r.Type = int32(l.Type)
		r.Length = int32(l.Length)
	},
)
