package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// IPSecESP decodes IPSecESP records.
var IPSecESP = newDecoder(
	decoder.Info{Name: "IPSecESP", Type: types.Type_NC_IPSecESP, Description: "IPsec Encapsulating Security Payload"},
	layers.LayerTypeIPSecESP,
	func() gopacket.DecodingLayer { return &layers.IPSecESP{} },
	func() *types.IPSecESP { return &types.IPSecESP{} },
	func(l *layers.IPSecESP, p *Packet, r *types.IPSecESP) {
		r.Timestamp = p.Timestamp
		r.SPI = int32(l.SPI)
		r.Seq = int32(l.Seq)
		r.LenEncrypted = int32(len(l.Encrypted))
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
