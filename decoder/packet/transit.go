package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
)

// Decoders are what a parser runs: the layer and packet decoders, in
// the order the registry (package decoder/registry) lists them, and the
// record types it writes.
type Decoders struct {
	Layers  []LayerDecoder
	Packets []PacketDecoder
	Enabled decoder.Set // nil: every type
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
