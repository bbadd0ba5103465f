package packet

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// RADIUS reads RADIUS packets (RFC 2865, 2866; RFC 5176's dynamic
// authorization) on the UDP ports tshark dissects them on: 1812, which
// gopacket maps, and those declared below. The record holds the header
// (Length as sent) and the attributes within Length, each with its raw
// Value; a Vendor-Specific attribute's Value starts with the Vendor-Id,
// which VendorID also holds as a number.
//
// What counts as RADIUS, and what of it is shown, follows tshark
// (Wireshark 4.0): a datagram is RADIUS when it has 4 bytes or more, a
// code Wireshark knows and a Length of 20 to 4096; any other is a decode
// error. The Authenticator needs 20 bytes and the attributes the whole
// Length: a packet cut short of them has a record without them, and
// counts as truncated. Bytes past Length are padding (RFC 2865 3). The
// attribute list ends at the first attribute that does not fit
// (radiusAttr). Unlike tshark, the decoder does not read inside
// Vendor-Specific attributes, so one malformed inside does not end the
// list.
//
// The EAP-Message attributes carry an EAP packet, which the EAP decoder
// reads next (radiusLayer.eap). Behind links gopacket decodes (PPP,
// FDDI), gopacket's RADIUS layer decodes the packet instead: the record
// is the same, but it takes any code, puts every EAP-Message attribute
// into the EAP packet and yields nothing for a malformed attribute list.
var RADIUS = onUDPPorts(newDecoder(
	decoder.Info{Name: "RADIUS", Type: types.Type_NC_RADIUS, Description: "Remote Authentication Dial In User Service packets"},
	layers.LayerTypeRADIUS,
	func() gopacket.DecodingLayer { return &radiusLayer{} },
	func() *types.RADIUS { return &types.RADIUS{} },
	func(l gopacket.Layer, p *Packet, r *types.RADIUS) {
		fillRADIUS(l.LayerContents(), r)
		r.Timestamp = p.Timestamp
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
), radiusAcctPort, radiusOldAuthPort, radiusOldAcctPort, radiusCiscoCoAPort, radiusDynAuthPort)

// The UDP ports of RADIUS besides 1812 (authentication, RFC 2865) that
// tshark decodes it on.
const (
	radiusAcctPort     = 1813 // accounting (RFC 2866)
	radiusOldAuthPort  = 1645 // authentication before RFC 2865 gave it 1812
	radiusOldAcctPort  = 1646 // accounting before RFC 2866 gave it 1813
	radiusCiscoCoAPort = 1700 // Cisco's port for RFC 5176 requests
	radiusDynAuthPort  = 3799 // dynamic authorization (RFC 5176)
)

const (
	radiusHeaderLen  = 20
	radiusMaxLen     = 4096 // RFC 2865 3
	radiusVendorSpec = 26
	radiusEAPMessage = 79
)

// fillRADIUS writes the packet msg (from its first byte to Length or the
// end of the capture, whichever comes first) into r.
func fillRADIUS(msg []byte, r *types.RADIUS) {
	r.Code = uint32(msg[0])
	r.Identifier = uint32(msg[1])
	r.Length = uint32(binary.BigEndian.Uint16(msg[2:4]))
	if len(msg) < radiusHeaderLen {
		return
	}
	r.Authenticator = copyBytes(msg[4:radiusHeaderLen])
	if len(msg) < int(r.Length) {
		return
	}
	list := msg[radiusHeaderLen:r.Length]
	for off := 0; ; {
		a, ok := radiusAttr(list, off)
		if !ok {
			return
		}
		off += len(a)
		r.Attributes = append(r.Attributes, radiusAttribute(a))
	}
}

func radiusAttribute(a []byte) *types.RADIUSAttribute {
	ra := &types.RADIUSAttribute{Type: uint32(a[0]), Length: uint32(a[1]), Value: copyBytes(a[2:])}
	if a[0] == radiusVendorSpec && len(a) >= 6 {
		ra.VendorID = binary.BigEndian.Uint32(a[2:6])
	}
	return ra
}

// radiusAttr returns the attribute at off in list (the attributes up to
// Length), or false where tshark ends the list: less than an attribute
// header left, an attribute Length below 2 (below 3 for the extended
// types of RFC 6929, which add a byte), or past the end of the list.
func radiusAttr(list []byte, off int) ([]byte, bool) {
	if len(list)-off < 2 {
		return nil, false
	}
	n := int(list[off+1])
	extended := list[off] >= 241 && list[off] <= 246
	if n < 2 || extended && n < 3 || n > len(list)-off {
		return nil, false
	}
	return list[off : off+n], true
}

// radiusCodes are the codes Wireshark names (its radius_pkt_type_codes):
// it takes a datagram with another code for no RADIUS.
var radiusCodes = [256]bool{
	1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true, 12: true, 13: true,
	21: true, 22: true, 23: true, 24: true, 25: true, 26: true, 27: true, 29: true, 30: true, 31: true, 32: true, 33: true, 34: true,
	40: true, 41: true, 42: true, 43: true, 44: true, 45: true, 50: true, 51: true,
	129: true, 130: true, 131: true, 132: true,
}

// radiusLayer decodes a RADIUS packet. gopacket's RADIUS layer drops
// attributes of length 2, rejects the whole packet for one malformed
// attribute, counts padding as truncation and puts every EAP-Message
// attribute in the EAP packet.
type radiusLayer struct {
	contents, eapData []byte
	eapBuf            []byte // eapData's storage, reused packet after packet
}

func (r *radiusLayer) LayerType() gopacket.LayerType  { return layers.LayerTypeRADIUS }
func (r *radiusLayer) LayerContents() []byte          { return r.contents }
func (r *radiusLayer) LayerPayload() []byte           { return r.eapData }
func (r *radiusLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeRADIUS }

func (r *radiusLayer) NextLayerType() gopacket.LayerType {
	if len(r.eapData) > 0 {
		return layers.LayerTypeEAP
	}
	return gopacket.LayerTypeZero
}

func (r *radiusLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	r.contents, r.eapData = nil, nil
	if len(data) < 4 {
		df.SetTruncated()
		return errors.New("RADIUS header too short")
	}
	if !radiusCodes[data[0]] {
		return fmt.Errorf("RADIUS code %d unknown", data[0])
	}
	length := int(binary.BigEndian.Uint16(data[2:4]))
	if length < radiusHeaderLen || length > radiusMaxLen {
		return fmt.Errorf("RADIUS length %d out of range", length)
	}
	if len(data) < length {
		df.SetTruncated()
		r.contents = data
		return nil
	}
	r.contents = data[:length]
	r.eapData = r.eap(data, length)
	return nil
}

// eap returns the EAP packet of the first run of consecutive EAP-Message
// attributes, their values joined (RFC 3579 3.1), or nil. As in tshark,
// the run ends where the next two bytes, padding included, are not an
// EAP-Message's type and length; a run not ended that way (the next
// attribute is malformed, or padding follows that looks like one) holds
// no EAP packet.
func (r *radiusLayer) eap(data []byte, length int) []byte {
	list := data[radiusHeaderLen:length]
	r.eapBuf = r.eapBuf[:0]
	for off := 0; ; {
		a, ok := radiusAttr(list, off)
		if !ok {
			return nil
		}
		off += len(a)
		if a[0] != radiusEAPMessage {
			continue
		}
		r.eapBuf = append(r.eapBuf, a[2:]...)
		next := radiusHeaderLen + off
		if next+2 > len(data) || data[next] != radiusEAPMessage {
			return r.eapBuf
		}
	}
}
