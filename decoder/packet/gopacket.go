package packet

import (
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// gopacket keeps its layer types, link types and port mappings in
// package-level tables that it reads while decoding. The decoders of this
// package change a few of them; RegisterLayerTypes makes those changes, in
// one place, instead of init functions spread over the decoders' files.

var registerOnce sync.Once

// RegisterLayerTypes puts this package's entries into gopacket's tables,
// and the UDP ports the decoders ds declare (LayerDecoder.UDPPorts).
// It must run before any frame is decoded, by the parser or by
// gopacket.NewPacket (the collector hashes some frames with it): without
// it, LCM and multihop BFD datagrams stay payload, USB captures have no
// first layer, UDP port 2222 is read as ENIP headers and OSPF behind
// links gopacket decodes goes to gopacket's decoder. NewParser calls it;
// calling it again does nothing.
func RegisterLayerTypes(ds []LayerDecoder) {
	registerOnce.Do(func() {
		for _, d := range ds {
			for _, port := range d.UDPPorts() {
				layers.RegisterUDPPortLayerType(port, d.LayerType())
			}
		}
		// CIP I/O data on UDP 2222 has no encapsulation header (enip.go).
		layers.RegisterUDPPortLayerType(layers.UDPPort(layers.UDPPortENIP), gopacket.LayerTypePayload)
		// The two OSPF versions, one layer type per record type (ospfv2.go).
		gopacket.RegisterLayerType(int(layerTypeOSPFv2), gopacket.LayerTypeMetadata{Name: "OSPFv2", Decoder: gopacket.DecodeFunc(decodeOSPFv2)})
		gopacket.RegisterLayerType(int(layerTypeOSPFv3), gopacket.LayerTypeMetadata{Name: "OSPFv3", Decoder: gopacket.DecodeFunc(decodeOSPFv3)})
		// Frames the parser hands to gopacket.NewPacket (behind PPP, PPPoE,
		// FDDI) reach OSPF through LayerTypeOSPF's decoder (after IPv4) and
		// the IP protocol table (after IPv6): they are decoded with this
		// package's OSPF layers too.
		gopacket.OverrideLayerType(int(layers.LayerTypeOSPF), gopacket.LayerTypeMetadata{Name: "OSPF", Decoder: gopacket.DecodeFunc(decodeOSPF)})
		layers.IPProtocolMetadata[layers.IPProtocolOSPF].DecodeWith = gopacket.DecodeFunc(decodeOSPF)
		// The usbmon header of link type 189, which gopacket does not know
		// (usb.go), and the link types of USB captures: the parser starts a
		// frame at its link type's layer type, and gopacket gives link type
		// 220 none (a decoder but no layer type) and has no entry for 189.
		gopacket.RegisterLayerType(int(layerTypeUSBMon), gopacket.LayerTypeMetadata{Name: "USBMon", Decoder: gopacket.DecodeFunc(decodeUSBMon)})
		setFirstLayerType(layers.LinkTypeLinuxUSB, layers.LayerTypeUSB)
		layers.LinkTypeMetadata[linkTypeUSBLinux] = layers.EnumMetadata{DecodeWith: gopacket.DecodeFunc(decodeUSBMon), Name: "USB Linux", LayerType: layerTypeUSBMon}
	})
}

// setFirstLayerType sets the layer type a frame of link type lt starts
// with, keeping the rest of gopacket's entry.
func setFirstLayerType(lt layers.LinkType, first gopacket.LayerType) {
	m := layers.LinkTypeMetadata[lt]
	m.LayerType = first
	layers.LinkTypeMetadata[lt] = m
}
