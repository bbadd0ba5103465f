package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv6 decodes ICMPv6 records.
var ICMPv6 = newDecoder(
	decoder.Info{Name: "ICMPv6", Type: types.Type_NC_ICMPv6, Description: "Internet Control Message Protocol for IPv6"},
	layers.LayerTypeICMPv6,
	func() gopacket.DecodingLayer { return &layers.ICMPv6{} },
	func() *types.ICMPv6 { return &types.ICMPv6{} },
	func(l *layers.ICMPv6, p *Packet, r *types.ICMPv6) {
		r.Timestamp = p.Timestamp
		r.TypeCode = int32(l.TypeCode) // type << 8 | code
		r.Checksum = int32(l.Checksum)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

// icmpv6Options converts neighbour-discovery options.
func icmpv6Options(opts layers.ICMPv6Options) []*types.ICMPv6Option {
	if len(opts) == 0 {
		return nil
	}
	out := make([]*types.ICMPv6Option, len(opts))
	for i, o := range opts {
		out[i] = &types.ICMPv6Option{Type: int32(o.Type), Data: copyBytes(o.Data)}
	}
	return out
}
