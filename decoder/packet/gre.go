package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// GRE decodes GRE records.
var GRE = newDecoder(
	decoder.Info{Name: "GRE", Type: types.Type_NC_GRE, Description: "Generic Routing Encapsulation"},
	layers.LayerTypeGRE,
	func() gopacket.DecodingLayer { return &layers.GRE{} },
	func() *types.GRE { return &types.GRE{} },
	func(l *layers.GRE, p *Packet, r *types.GRE) {
		r.Timestamp = p.Timestamp
		r.ChecksumPresent = l.ChecksumPresent
		r.RoutingPresent = l.RoutingPresent
		r.KeyPresent = l.KeyPresent
		r.SeqPresent = l.SeqPresent
		r.StrictSourceRoute = l.StrictSourceRoute
		r.AckPresent = l.AckPresent
		r.RecursionControl = int32(l.RecursionControl)
		r.Flags = int32(l.Flags)
		r.Version = int32(l.Version)
		r.Protocol = int32(l.Protocol)
		r.Checksum = int32(l.Checksum)
		r.Offset = int32(l.Offset)
		r.Key = l.Key
		r.Seq = l.Seq
		r.Ack = l.Ack
		r.Routing = greRouting(l.GRERouting, 0)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

// greRouting converts the source route entry list; gopacket bounds its
// length, and depth bounds it again here.
func greRouting(g *layers.GRERouting, depth int) *types.GRERouting {
	if g == nil || depth >= 64 {
		return nil
	}
	return &types.GRERouting{
		AddressFamily:      int32(g.AddressFamily),
		SREOffset:          int32(g.SREOffset),
		SRELength:          int32(g.SRELength),
		RoutingInformation: copyBytes(g.RoutingInformation),
		Next:               greRouting(g.Next, depth+1),
	}
}
