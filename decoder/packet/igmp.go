package packet

import (
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// igmpDecoder reads IGMPv1, v2 and v3: gopacket has a layer type for each
// family, so the decoder accepts either (gopacket.Layer) and switches.
// MaxResponseTime and IntervalTime are durations in nanoseconds, as Netcap.
var igmpDecoder = newDecoder(
	decoder.Info{Name: "IGMP", Type: types.Type_NC_IGMP, Description: "Internet Group Management Protocol v1, v2 and v3"},
	layers.LayerTypeIGMP,
	func() gopacket.DecodingLayer { return &igmpLayer{} },
	func() *types.IGMP { return &types.IGMP{} },
	func(l gopacket.Layer, p *Packet, r *types.IGMP) {
		r.Timestamp = p.Timestamp
		switch g := l.(type) {
		case *layers.IGMPv1or2:
			r.Type = int32(g.Type)
			r.MaxResponseTime = uint64(g.MaxResponseTime)
			r.Checksum = int32(g.Checksum)
			r.GroupAddress = ipString(g.GroupAddress)
			r.Version = int32(g.Version)
		case *layers.IGMP:
			r.Type = int32(g.Type)
			r.MaxResponseTime = uint64(g.MaxResponseTime)
			r.Checksum = int32(g.Checksum)
			r.GroupAddress = ipString(g.GroupAddress)
			r.SupressRouterProcessing = g.SupressRouterProcessing
			r.RobustnessValue = int32(g.RobustnessValue)
			r.IntervalTime = uint64(g.IntervalTime)
			r.SourceAddresses = ipStrings(g.SourceAddresses)
			r.NumberOfGroupRecords = int32(g.NumberOfGroupRecords)
			r.NumberOfSources = int32(g.NumberOfSources)
			r.Version = int32(g.Version)
			for _, gr := range g.GroupRecords {
				r.GroupRecords = append(r.GroupRecords, &types.IGMPv3GroupRecord{
					Type:             int32(gr.Type),
					AuxDataLen:       int32(gr.AuxDataLen),
					NumberOfSources:  int32(gr.NumberOfSources),
					MulticastAddress: ipString(gr.MulticastAddress),
					SourceAddresses:  ipStrings(gr.SourceAddresses),
				})
			}
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

func ipStrings(ips []net.IP) []string {
	if len(ips) == 0 {
		return nil
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ipString(ip)
	}
	return out
}
