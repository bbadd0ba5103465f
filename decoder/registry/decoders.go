package registry

import (
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/stream"
)

// Decoders lists every decoder netcap runs, in the order it runs them:
// layer decoders in this order claim a packet's layers, protocols in
// this order are asked whether a conversation is theirs, observers see
// conversations in this order. Adding a protocol adds one line here.
var Decoders = concat([]Entry{
	// Link, network and transport layers: one record per header.
	layer(packet.Ethernet),
	layer(packet.ARP),
	layer(packet.Dot1Q),
	layer(packet.LLC),
	layer(packet.SNAP),
	layer(packet.IPv4),
	layer(packet.IPv6),
	layer(packet.IPv6HopByHop),
	layer(packet.IPv6Fragment),
	layer(packet.ICMPv4),
	layer(packet.ICMPv6),
	layer(packet.ICMPv6Echo),
	layer(packet.ICMPv6NeighborSolicitation),
	layer(packet.ICMPv6NeighborAdvertisement),
	layer(packet.ICMPv6RouterSolicitation),
	layer(packet.ICMPv6RouterAdvertisement),
	layer(packet.IGMP),
	layer(packet.TCP),
	layer(packet.UDP),
	layer(packet.SCTP),
	layer(packet.GRE),
	layer(packet.MPLS),
	layer(packet.VXLAN),
	layer(packet.Geneve),
	layer(packet.IPSecAH),
	layer(packet.IPSecESP),

	// Application protocols read per packet.
	layer(packet.DNS),
	layer(packet.DHCPv4),
	layer(packet.DHCPv6),
	layer(packet.NTP),
	layer(packet.SIP),

	// Routing, industrial and tunnelled protocols.
	layer(packet.Modbus),
	layer(packet.ENIP),
	layer(packet.CIP),
	layer(packet.LCM),
	layer(packet.BFD),
	layer(packet.VRRPv2),
	layer(packet.OSPFv2),
	layer(packet.OSPFv3),
	layer(packet.Diameter),

	// Link-layer discovery, 802.1X, 802.11, FDDI, USB.
	layer(packet.LinkLayerDiscovery),
	layer(packet.LinkLayerDiscoveryInfo),
	layer(packet.CiscoDiscovery),
	layer(packet.CiscoDiscoveryInfo),
	layer(packet.NortelDiscovery),
	layer(packet.EthernetCTP),
	layer(packet.EthernetCTPReply),
	layer(packet.EAPOL),
	layer(packet.EAP),
	layer(packet.EAPOLKey),
	layer(packet.Dot11),
	layer(packet.FDDI),
	layer(packet.USB),
	layer(packet.USBRequestBlockSetup),

	// Whole packets.
	whole(packet.TLSClientHello),
	whole(packet.TLSServerHello),

	// The connection table and the profile store.
	table(flow.ConnectionInfo),
	table(flow.FlowInfo),
	table(profile.DeviceProfileInfo),
	table(profile.IPProfileInfo),
}, streamEntries())

// streamEntries lists the stream decoders' record types (until the
// stream protocols and observers are listed here one by one).
func streamEntries() []Entry {
	var out []Entry
	for _, i := range stream.Infos {
		out = append(out, derived(i))
	}
	return out
}

func concat(a, b []Entry) []Entry { return append(a, b...) }
