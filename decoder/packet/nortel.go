package packet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// NortelDiscovery reads Nortel (SynOptics) Discovery Protocol hello
// packets, carried in LLC/SNAP with OUI 00-00-81 and protocol 0x01a2.
// IPAddress is written in dotted notation (Netcap v0.6.11 put the four raw
// bytes in the string). SrcMac and DstMac are the addresses of the
// Ethernet frame carrying the packet, left empty when it is not directly in
// an 802.3 frame (optionally VLAN-tagged).
var NortelDiscovery = newDecoder(
	decoder.Info{Name: "NortelDiscovery", Type: types.Type_NC_NortelDiscovery, Description: "Nortel Discovery Protocol (SONMP) hellos"},
	layers.LayerTypeNortelDiscovery,
	func() gopacket.DecodingLayer { return &nortelLayer{} },
	func() *types.NortelDiscovery { return &types.NortelDiscovery{} },
	func(l *layers.NortelDiscovery, p *Packet, r *types.NortelDiscovery) {
		r.Timestamp = p.Timestamp
		r.IPAddress = ipString(l.IPAddress)
		r.SegmentID = copyBytes(l.SegmentID)
		r.Chassis = int32(l.Chassis)
		r.Backplane = int32(l.Backplane)
		r.State = int32(l.State)
		r.NumLinks = int32(l.NumLinks)
		r.SrcMac, r.DstMac = nortelFrameMACs(p.Data, l.Contents)
	},
)

// ndpLen is the length of an NDP hello.
const ndpLen = 11

// nortelLayer decodes an NDP hello into a layers.NortelDiscovery; gopacket
// has no decoding layer for it.
type nortelLayer struct{ layers.NortelDiscovery }

func (l *nortelLayer) unwrap() gopacket.Layer { return &l.NortelDiscovery }

func (l *nortelLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeNortelDiscovery }

func (l *nortelLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

func (l *nortelLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < ndpLen {
		df.SetTruncated()
		return errors.New("NDP hello too short")
	}
	l.NortelDiscovery = layers.NortelDiscovery{
		IPAddress: net.IP(data[0:4]),
		SegmentID: data[4:7],
		Chassis:   layers.NDPChassisType(data[7]),
		Backplane: layers.NDPBackplaneType(data[8]),
		State:     layers.NDPState(data[9]),
		NumLinks:  data[10],
	}
	l.Contents, l.Payload = data[:ndpLen], data[ndpLen:]
	return nil
}

// ndpSNAP is the LLC/SNAP header in front of an NDP hello.
var ndpSNAP = []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x81, 0x01, 0xa2}

// nortelFrameMACs returns the source and destination MAC of frame when it
// is an 802.3 frame (with up to two VLAN tags) whose LLC/SNAP header
// announces NDP and whose payload is hello; else two empty strings. The
// record decoder does not see the link layer, so it looks at the frame.
func nortelFrameMACs(frame, hello []byte) (string, string) {
	off := 12
	for tags := 0; tags < 2 && len(frame) >= off+4; tags++ {
		if t := binary.BigEndian.Uint16(frame[off:]); t != 0x8100 && t != 0x88a8 {
			break
		}
		off += 4
	}
	if len(frame) < off+2+len(ndpSNAP)+len(hello) || binary.BigEndian.Uint16(frame[off:]) > 1500 {
		return "", ""
	}
	off += 2
	if !bytes.Equal(frame[off:off+len(ndpSNAP)], ndpSNAP) || !bytes.Equal(frame[off+len(ndpSNAP):off+len(ndpSNAP)+len(hello)], hello) {
		return "", ""
	}
	return macString(net.HardwareAddr(frame[6:12])), macString(net.HardwareAddr(frame[0:6]))
}
