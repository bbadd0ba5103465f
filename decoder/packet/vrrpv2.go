package packet

import (
	"encoding/binary"
	"errors"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// VRRPv2 reads VRRP advertisements (IP protocol 112): version 2 (RFC
// 3768) and version 3 (RFC 5798, over IPv4 and IPv6), both into the VRRPv2
// record Netcap v0.6.11 writes for either (gopacket decodes every version
// with the version 2 layout). For version 3 AdverInt is the 12-bit Max
// Adver Int in centiseconds and AuthType is 0 (the field is gone; its
// byte holds the interval's high bits); for version 2 AdverInt is in
// seconds. IPAddress lists the virtual addresses, IPv6 ones for a version
// 3 advertisement sized for them.
var VRRPv2 = newDecoder(
	decoder.Info{Name: "VRRPv2", Type: types.Type_NC_VRRPv2, Aliases: []string{"VRRP"}, Description: "Virtual Router Redundancy Protocol advertisements (versions 2 and 3)"},
	layers.LayerTypeVRRP,
	func() gopacket.DecodingLayer { return &vrrpLayer{} },
	func() *types.VRRPv2 { return &types.VRRPv2{} },
	func(l gopacket.Layer, p *Packet, r *types.VRRPv2) {
		r.Timestamp = p.Timestamp
		switch v := l.(type) {
		case *vrrpLayer:
			r.Version, r.Type = int32(v.version), int32(v.typ)
			r.VirtualRtrID, r.Priority = int32(v.vrid), int32(v.priority)
			r.CountIPAddr = int32(v.count)
			r.AuthType, r.AdverInt = int32(v.authType), int32(v.adverInt)
			r.Checksum = int32(v.checksum)
			r.IPAddress = vrrpAddresses(v.addrs, v.addrLen)
		case *layers.VRRPv2: // gopacket's, behind links decoded by gopacket
			r.Version, r.Type = int32(v.Version), int32(v.Type)
			r.VirtualRtrID, r.Priority = int32(v.VirtualRtrID), int32(v.Priority)
			r.CountIPAddr = int32(v.CountIPAddr)
			r.AuthType, r.AdverInt = int32(v.AuthType), int32(v.AdverInt)
			r.Checksum = int32(v.Checksum)
			r.IPAddress = ipStrings(v.IPAddress)
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

// vrrpLayer decodes a VRRP advertisement. gopacket's VRRPv2 layer reads
// version 3 with the version 2 layout (IPv6 addresses cut into four IPv4
// ones, the 12-bit interval split into "auth type" and an 8-bit
// "interval") and rejects advertisements without addresses.
type vrrpLayer struct {
	version, typ, vrid, priority, count uint8
	authType                            uint8
	adverInt                            uint16
	checksum                            uint16
	addrs                               []byte // count addresses of addrLen bytes
	addrLen                             int
	contents                            []byte
}

func (v *vrrpLayer) LayerType() gopacket.LayerType     { return layers.LayerTypeVRRP }
func (v *vrrpLayer) LayerContents() []byte             { return v.contents }
func (v *vrrpLayer) LayerPayload() []byte              { return nil }
func (v *vrrpLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeVRRP }
func (v *vrrpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (v *vrrpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	*v = vrrpLayer{}
	if len(data) < 8 {
		df.SetTruncated()
		return errors.New("VRRP advertisement too short")
	}
	v.version, v.typ = data[0]>>4, data[0]&0x0f
	v.vrid, v.priority, v.count = data[1], data[2], data[3]
	v.checksum = binary.BigEndian.Uint16(data[6:8])
	n := int(v.count)
	switch v.version {
	case 2:
		v.authType, v.adverInt = data[4], uint16(data[5])
		v.addrLen = net.IPv4len
	case 3:
		v.adverInt = binary.BigEndian.Uint16(data[4:6]) & 0x0fff
		// The advertisement has no authentication data: its length is
		// that of the addresses, of the family of the IP header.
		v.addrLen = net.IPv4len
		if len(data) != 8+n*net.IPv4len && len(data) >= 8+n*net.IPv6len {
			v.addrLen = net.IPv6len
		}
	default:
		return errors.New("unknown VRRP version")
	}
	end := 8 + n*v.addrLen
	if end > len(data) {
		df.SetTruncated()
		return errors.New("VRRP advertisement too short for its addresses")
	}
	v.addrs = data[8:end]
	v.contents = data
	return nil
}

// vrrpAddresses formats count addresses of size bytes each.
func vrrpAddresses(b []byte, size int) []string {
	if size == 0 || len(b) == 0 {
		return nil
	}
	out := make([]string, 0, len(b)/size)
	for i := 0; i+size <= len(b); i += size {
		out = append(out, net.IP(b[i:i+size]).String())
	}
	return out
}
