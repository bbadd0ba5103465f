package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
)

// Decoders lists every layer decoder. Adding a protocol adds one line here.
var Decoders = []LayerDecoder{
	ethernetDecoder,
	arpDecoder,
	dot1qDecoder,
	llcDecoder,
	snapDecoder,
	ipv4Decoder,
	ipv6Decoder,
	ipv6HopByHopDecoder,
	ipv6FragmentDecoder,
	icmpv4Decoder,
	icmpv6Decoder,
	icmpv6EchoDecoder,
	icmpv6NeighborSolicitationDecoder,
	icmpv6NeighborAdvertisementDecoder,
	icmpv6RouterSolicitationDecoder,
	icmpv6RouterAdvertisementDecoder,
	igmpDecoder,
	tcpDecoder,
	udpDecoder,
	sctpDecoder,
	greDecoder,
	mplsDecoder,
	vxlanDecoder,
	geneveDecoder,
	ipsecAHDecoder,
	ipsecESPDecoder,

	// Application protocols read per packet.
	dnsDecoder,
	dhcpv4Decoder,
	dhcpv6Decoder,
	ntpDecoder,
	sipDecoder,

	// Routing, industrial and tunnelled protocols.
	modbusDecoder,
	enipDecoder,
	cipDecoder,
	lcmDecoder,
	bfdDecoder,
	vrrpDecoder,
	ospfv2Decoder,
	ospfv3Decoder,
	diameterDecoder,

	// Link-layer discovery, 802.1X, 802.11, FDDI, USB.
	linkLayerDiscoveryDecoder,
	linkLayerDiscoveryInfoDecoder,
	ciscoDiscoveryDecoder,
	ciscoDiscoveryInfoDecoder,
	nortelDiscoveryDecoder,
	ethernetCTPDecoder,
	ethernetCTPReplyDecoder,
	eapolDecoder,
	eapDecoder,
	eapolKeyDecoder,
	dot11Decoder,
	fddiDecoder,
	usbDecoder,
	usbRequestBlockSetupDecoder,
}

// PacketDecoders lists the decoders that read whole packets.
var PacketDecoders = []PacketDecoder{
	tlsClientHelloDecoder,
	tlsServerHelloDecoder,
}

// handledByPacketDecoders are layer types gopacket's port rules name that
// the packet decoders read instead (TLS on port 443 and any other port):
// reaching one ends the layer walk without counting an unknown layer.
var handledByPacketDecoders = map[gopacket.LayerType]bool{
	layers.LayerTypeTLS: true,
}

// transitLayers are decoded only to reach the layers inside them: link
// headers, 802.11 framing and IPv6 extension headers that have no record.
var transitLayers = map[gopacket.LayerType]func() gopacket.DecodingLayer{
	layers.LayerTypeOSPF:             func() gopacket.DecodingLayer { return &ospfLayer{} },
	layers.LayerTypeLoopback:         func() gopacket.DecodingLayer { return &layers.Loopback{} },
	layers.LayerTypeLinuxSLL:         func() gopacket.DecodingLayer { return &layers.LinuxSLL{} },
	layers.LayerTypeLinuxSLL2:        func() gopacket.DecodingLayer { return &layers.LinuxSLL2{} },
	layers.LayerTypeRadioTap:         func() gopacket.DecodingLayer { return &layers.RadioTap{} },
	layers.LayerTypeDot11:            func() gopacket.DecodingLayer { return &layers.Dot11{} },
	layers.LayerTypeDot11Data:        func() gopacket.DecodingLayer { return &layers.Dot11Data{} },
	layers.LayerTypeDot11DataQOSData: func() gopacket.DecodingLayer { return &layers.Dot11DataQOSData{} },
	layers.LayerTypeIPv6Destination:  func() gopacket.DecodingLayer { return &layers.IPv6ExtensionSkipper{} },
	layers.LayerTypeIPv6Routing:      func() gopacket.DecodingLayer { return &layers.IPv6ExtensionSkipper{} },
	layers.LayerTypeERSPANII:         func() gopacket.DecodingLayer { return &layers.ERSPANII{} },
	layers.LayerTypeEtherIP:          func() gopacket.DecodingLayer { return &layers.EtherIP{} },
	layers.LayerTypePFLog:            func() gopacket.DecodingLayer { return &layers.PFLog{} },
	layerTypeUSBMon:                  newUSBMonLayer, // usbmon link type 189, see usb.go
}

// slowTransit are layers without a gopacket decoding layer that commonly
// carry IP (PPP links, PPPoE sessions): the rest of such packets is
// decoded with gopacket.NewPacket.
var slowTransit = map[gopacket.LayerType]bool{
	layers.LayerTypePPP:   true,
	layers.LayerTypePPPoE: true,
}

// Infos describes every decoder of this package: the layer decoders and
// the packet decoders.
func Infos() []decoder.Info {
	out := make([]decoder.Info, 0, len(Decoders)+len(PacketDecoders))
	for _, d := range Decoders {
		out = append(out, d.Info())
	}
	for _, d := range PacketDecoders {
		out = append(out, d.Info())
	}
	return out
}
