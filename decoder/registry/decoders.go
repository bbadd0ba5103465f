package registry

import (
	"github.com/netcap-go/netcap/decoder/credentials"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/service"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/decoder/vuln"
)

// Decoders lists every decoder netcap runs, in the order it runs them:
// layer decoders in this order claim a packet's layers, protocols in
// this order are asked whether a conversation is theirs, observers see
// conversations in this order. Adding a protocol adds one line here.
var Decoders = []Entry{
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
	layer(packet.RADIUS),

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

	// Application protocols of reassembled conversations, in the order
	// they are asked whether a conversation is theirs (after those that
	// usually serve its port).
	protocol(stream.HTTP),
	protocol(stream.POP3),
	protocol(stream.SMTP),
	protocol(stream.SSH),
	protocol(stream.FTP),

	// Observers of every conversation, in the order they see its data
	// and write their records.
	observer(stream.NewConnsWriter),    // -conns files, no record type
	observer(credentials.NewHarvester), // Credentials
	observer(service.NewObserver),      // Service, Software
	observer(stream.NewTLSHelloReader), // TLS hellos across segments
	observer(vuln.NewMatcher),          // Vulnerability, Exploit

	// Records derived from the decoders above.
	derived(stream.FileInfo),
	derived(stream.CredentialsInfo),
	derived(stream.MailInfo),
	derived(stream.SoftwareInfo),
	derived(service.Info),
	derived(vuln.VulnerabilityInfo),
	derived(vuln.ExploitInfo),
	derived(stream.AlertInfo),
}
