package packet

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"net"
	"strconv"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Diameter reads Diameter messages (RFC 6733) on TCP port 3868,
// which gopacket maps: the header (Flags is the command flags byte) and
// the AVPs. A Grouped AVP is followed in AVPs by the AVPs it holds, depth
// first (the schema has no nesting), so AVPs lists every AVP of the
// message in the order they occur; a group's members are the AVPs after
// it whose padded lengths add up to its ValueLen.
//
// Per AVP: Flags is the flags byte, Len the AVP Length (header and value,
// without padding), HeaderLen 8 or 12 (with a Vendor-ID), ValueLen the
// value's length, Padding the bytes that pad the AVP to 32 bits (RFC 6733
// 4), Value the value's bytes. VendorCode is the Vendor-ID, VendorName the
// vendor's name and VendorID its short identifier in Diameter
// dictionaries (10415: "3GPP" and "TGPP"), both empty for a vendor this
// decoder does not know. AttributeName and AttributeFormat (the RFC 6733
// 4.2/4.3 data type) come from the base protocol (RFC 6733), NASREQ (RFC
// 7155), Credit-Control (RFC 4006) and a few common 3GPP AVPs; both are
// empty for other AVPs. DecodedValue renders the value by its format:
// strings as text, numbers in decimal, addresses as IP addresses, times
// in RFC 3339 (UTC), octet strings and unknown AVPs in hex, nothing for a
// Grouped AVP (its members follow).
//
// Diameter is decoded per TCP segment, without reassembly: each message
// of a segment yields a record; one cut by the end of the segment yields
// one with the AVPs that are whole; the segments continuing it yield
// nothing unless their bytes happen to look like a Diameter header. Over
// SCTP (also port 3868) the parser's SCTP layer hands on its chunks, not
// the DATA chunks' user data, so no message is found there.
var Diameter = newDecoder(
	decoder.Info{Name: "Diameter", Type: types.Type_NC_Diameter, Description: "Diameter messages with their AVPs, per TCP segment"},
	layers.LayerTypeDiameter,
	func() gopacket.DecodingLayer { return &diameterLayer{} },
	func() *types.Diameter { return &types.Diameter{} },
	func(l gopacket.Layer, p *Packet, r *types.Diameter) {
		msg := l.LayerContents()
		if len(msg) < diameterHeaderLen {
			return
		}
		r.Timestamp = p.Timestamp
		r.Version = uint32(msg[0])
		r.MessageLen = be24(msg[1:4])
		r.Flags = uint32(msg[4])
		r.CommandCode = be24(msg[5:8])
		r.ApplicationID = binary.BigEndian.Uint32(msg[8:12])
		r.HopByHopID = binary.BigEndian.Uint32(msg[12:16])
		r.EndToEndID = binary.BigEndian.Uint32(msg[16:20])
		r.AVPs = diameterAVPs(msg[diameterHeaderLen:], 0, nil)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

const (
	diameterHeaderLen = 20
	// diameterMaxDepth bounds how deep Grouped AVPs are followed; deeper
	// groups keep their value without members.
	diameterMaxDepth = 16
	// diameterMaxAVPs bounds the AVPs of one record.
	diameterMaxAVPs = 4096
)

func be24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// diameterMinLen is the shortest message: a header and the headers of an
// Origin-Host and an Origin-Realm AVP, which every message has (RFC 6733
// 6.3, 6.4). tshark takes no shorter message on TCP for Diameter either.
const diameterMinLen = diameterHeaderLen + 2*8

// looksLikeDiameter reports whether data starts with a Diameter header:
// version 1, a length of diameterMinLen or more, no reserved command flag
// and not both the R(equest) and E(rror) flags (an error is an answer).
func looksLikeDiameter(data []byte) bool {
	if len(data) < diameterHeaderLen || data[0] != 1 || be24(data[1:4]) < diameterMinLen {
		return false
	}
	flags := data[4]
	return flags&0x0f == 0 && flags&0xa0 != 0xa0
}

// diameterLayer delimits one Diameter message; the decoder reads it from
// the layer's contents. gopacket's Diameter layer rejects a message cut
// by the end of the segment, and its DecodingLayer ends the packet after
// the first message.
type diameterLayer struct {
	contents, payload []byte
}

func (d *diameterLayer) LayerType() gopacket.LayerType  { return layers.LayerTypeDiameter }
func (d *diameterLayer) LayerContents() []byte          { return d.contents }
func (d *diameterLayer) LayerPayload() []byte           { return d.payload }
func (d *diameterLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeDiameter }

func (d *diameterLayer) NextLayerType() gopacket.LayerType {
	if looksLikeDiameter(d.payload) {
		return layers.LayerTypeDiameter
	}
	return gopacket.LayerTypePayload
}

func (d *diameterLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < diameterHeaderLen {
		df.SetTruncated()
		return errors.New("short Diameter header")
	}
	if !looksLikeDiameter(data) {
		return errors.New("not a Diameter header (version, length or flags)")
	}
	end := int(be24(data[1:4]))
	if end > len(data) {
		df.SetTruncated()
		end = len(data)
	}
	d.contents, d.payload = data[:end], data[end:]
	return nil
}

// diameterAVPs appends the AVPs in data to out, each Grouped AVP followed
// by its members, and returns out. It stops at an AVP whose length cannot
// hold its header; an AVP cut by the end of data is kept with the part of
// its value that is there and ends the list.
func diameterAVPs(data []byte, depth int, out []*types.AVP) []*types.AVP {
	for len(data) >= 8 && len(out) < diameterMaxAVPs {
		flags := data[4]
		length := int(be24(data[5:8]))
		a := &types.AVP{
			AttributeCode: binary.BigEndian.Uint32(data[0:4]),
			Flags:         uint32(flags),
			Len:           uint32(length),
			HeaderLen:     8,
		}
		if flags&0x80 != 0 { // V: a Vendor-ID follows
			if len(data) < 12 {
				return out
			}
			a.HeaderLen = 12
			a.VendorCode = binary.BigEndian.Uint32(data[8:12])
			if v, ok := diameterVendors[a.VendorCode]; ok {
				a.VendorID, a.VendorName = v.id, v.name
			}
		}
		hl := int(a.HeaderLen)
		if length < hl {
			return out
		}
		a.ValueLen = uint32(length - hl)
		a.Padding = uint32((4 - length%4) % 4)
		value := data[hl:min(length, len(data))]
		a.Value = copyBytes(value)
		def, known := diameterAVPDef(a.AttributeCode, a.VendorCode, flags&0x80 != 0)
		if known {
			a.AttributeName, a.AttributeFormat = def.name, def.format
		}
		a.DecodedValue = diameterValue(def.format, value)
		out = append(out, a)
		if def.format == diameterGrouped && depth < diameterMaxDepth && length <= len(data) {
			out = diameterAVPs(value, depth+1, out)
		}
		next := length + int(a.Padding)
		if next >= len(data) {
			return out
		}
		data = data[next:]
	}
	return out
}

// Diameter AVP data formats (RFC 6733 4.2, 4.3).
const (
	diameterOctetString = "OctetString"
	diameterInteger32   = "Integer32"
	diameterInteger64   = "Integer64"
	diameterUnsigned32  = "Unsigned32"
	diameterUnsigned64  = "Unsigned64"
	diameterFloat32     = "Float32"
	diameterFloat64     = "Float64"
	diameterGrouped     = "Grouped"
	diameterAddress     = "Address"
	diameterTime        = "Time"
	diameterUTF8String  = "UTF8String"
	diameterIdentity    = "DiameterIdentity"
	diameterURI         = "DiameterURI"
	diameterEnumerated  = "Enumerated"
	diameterIPFilter    = "IPFilterRule"
	diameterQoSFilter   = "QoSFilterRule"
)

// ntpEpoch is the origin of Diameter Time values (RFC 6733 4.3.1: the
// seconds since 1900, as NTP).
var ntpEpoch = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// diameterValue renders a value of the given format; values whose size
// does not fit the format, and those of unknown format, as hex.
func diameterValue(format string, v []byte) string {
	switch format {
	case diameterGrouped:
		return ""
	case diameterUTF8String, diameterIdentity, diameterURI, diameterIPFilter, diameterQoSFilter:
		return types.WireBytes(v)
	case diameterInteger32:
		if len(v) == 4 {
			return strconv.FormatInt(int64(int32(binary.BigEndian.Uint32(v))), 10)
		}
	case diameterInteger64:
		if len(v) == 8 {
			return strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10)
		}
	case diameterUnsigned32, diameterEnumerated:
		if len(v) == 4 {
			if format == diameterEnumerated { // an Integer32 (RFC 6733 4.3.1)
				return strconv.FormatInt(int64(int32(binary.BigEndian.Uint32(v))), 10)
			}
			return strconv.FormatUint(uint64(binary.BigEndian.Uint32(v)), 10)
		}
	case diameterUnsigned64:
		if len(v) == 8 {
			return strconv.FormatUint(binary.BigEndian.Uint64(v), 10)
		}
	case diameterFloat32:
		if len(v) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(v))), 'g', -1, 32)
		}
	case diameterFloat64:
		if len(v) == 8 {
			return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(v)), 'g', -1, 64)
		}
	case diameterTime:
		if len(v) == 4 {
			return ntpEpoch.Add(time.Duration(binary.BigEndian.Uint32(v)) * time.Second).Format(time.RFC3339)
		}
	case diameterAddress:
		// address family (IANA: 1 IPv4, 2 IPv6), then the address
		if len(v) == 2+net.IPv4len && binary.BigEndian.Uint16(v) == 1 ||
			len(v) == 2+net.IPv6len && binary.BigEndian.Uint16(v) == 2 {
			return net.IP(v[2:]).String()
		}
	}
	return hex.EncodeToString(v)
}

type diameterVendor struct{ id, name string }

// diameterVendors are the vendors of common vendor-specific AVPs, by
// SMI network management private enterprise code.
var diameterVendors = map[uint32]diameterVendor{
	9:     {"CiscoSystems", "Cisco"},
	94:    {"Nokia", "Nokia"},
	193:   {"Ericsson", "Ericsson"},
	2011:  {"Huawei", "Huawei"},
	5535:  {"TGPP2", "3GPP2"},
	10415: {"TGPP", "3GPP"},
	12645: {"Vodafone", "Vodafone"},
	13019: {"ETSI", "ETSI"},
	28458: {"NokiaSolutionsAndNetworks", "Nokia Solutions and Networks"},
}

type avpDef struct{ name, format string }

// diameterAVPDef returns the name and format of an AVP: one of the IETF
// AVPs below without a Vendor-ID, or a 3GPP one.
func diameterAVPDef(code, vendor uint32, hasVendor bool) (avpDef, bool) {
	if !hasVendor {
		d, ok := diameterIETFAVPs[code]
		return d, ok
	}
	if vendor == 10415 {
		d, ok := diameter3GPPAVPs[code]
		return d, ok
	}
	return avpDef{}, false
}

// diameterIETFAVPs: the base protocol's AVPs (RFC 6733 4.5 and 8.x, with
// the RADIUS attributes it reuses), NASREQ's common ones (RFC 7155) and
// Credit-Control's (RFC 4006 8).
var diameterIETFAVPs = map[uint32]avpDef{
	1:   {"User-Name", diameterUTF8String},
	2:   {"User-Password", diameterOctetString},
	4:   {"NAS-IP-Address", diameterOctetString},
	5:   {"NAS-Port", diameterUnsigned32},
	6:   {"Service-Type", diameterEnumerated},
	7:   {"Framed-Protocol", diameterEnumerated},
	8:   {"Framed-IP-Address", diameterOctetString},
	11:  {"Filter-Id", diameterUTF8String},
	18:  {"Reply-Message", diameterUTF8String},
	24:  {"State", diameterOctetString},
	25:  {"Class", diameterOctetString},
	27:  {"Session-Timeout", diameterUnsigned32},
	28:  {"Idle-Timeout", diameterUnsigned32},
	30:  {"Called-Station-Id", diameterUTF8String},
	31:  {"Calling-Station-Id", diameterUTF8String},
	32:  {"NAS-Identifier", diameterUTF8String},
	33:  {"Proxy-State", diameterOctetString},
	44:  {"Acct-Session-Id", diameterOctetString},
	50:  {"Acct-Multi-Session-Id", diameterUTF8String},
	55:  {"Event-Timestamp", diameterTime},
	85:  {"Acct-Interim-Interval", diameterUnsigned32},
	257: {"Host-IP-Address", diameterAddress},
	258: {"Auth-Application-Id", diameterUnsigned32},
	259: {"Acct-Application-Id", diameterUnsigned32},
	260: {"Vendor-Specific-Application-Id", diameterGrouped},
	261: {"Redirect-Host-Usage", diameterEnumerated},
	262: {"Redirect-Max-Cache-Time", diameterUnsigned32},
	263: {"Session-Id", diameterUTF8String},
	264: {"Origin-Host", diameterIdentity},
	265: {"Supported-Vendor-Id", diameterUnsigned32},
	266: {"Vendor-Id", diameterUnsigned32},
	267: {"Firmware-Revision", diameterUnsigned32},
	268: {"Result-Code", diameterUnsigned32},
	269: {"Product-Name", diameterUTF8String},
	270: {"Session-Binding", diameterUnsigned32},
	271: {"Session-Server-Failover", diameterEnumerated},
	272: {"Multi-Round-Time-Out", diameterUnsigned32},
	273: {"Disconnect-Cause", diameterEnumerated},
	274: {"Auth-Request-Type", diameterEnumerated},
	276: {"Auth-Grace-Period", diameterUnsigned32},
	277: {"Auth-Session-State", diameterEnumerated},
	278: {"Origin-State-Id", diameterUnsigned32},
	279: {"Failed-AVP", diameterGrouped},
	280: {"Proxy-Host", diameterIdentity},
	281: {"Error-Message", diameterUTF8String},
	282: {"Route-Record", diameterIdentity},
	283: {"Destination-Realm", diameterIdentity},
	284: {"Proxy-Info", diameterGrouped},
	285: {"Re-Auth-Request-Type", diameterEnumerated},
	287: {"Accounting-Sub-Session-Id", diameterUnsigned64},
	291: {"Authorization-Lifetime", diameterUnsigned32},
	292: {"Redirect-Host", diameterURI},
	293: {"Destination-Host", diameterIdentity},
	294: {"Error-Reporting-Host", diameterIdentity},
	295: {"Termination-Cause", diameterEnumerated},
	296: {"Origin-Realm", diameterIdentity},
	297: {"Experimental-Result", diameterGrouped},
	298: {"Experimental-Result-Code", diameterUnsigned32},
	299: {"Inband-Security-Id", diameterUnsigned32},
	363: {"Accounting-Input-Octets", diameterUnsigned64},
	364: {"Accounting-Output-Octets", diameterUnsigned64},
	365: {"Accounting-Input-Packets", diameterUnsigned64},
	366: {"Accounting-Output-Packets", diameterUnsigned64},
	400: {"NAS-Filter-Rule", diameterIPFilter},
	407: {"QoS-Filter-Rule", diameterQoSFilter},
	411: {"CC-Correlation-Id", diameterOctetString},
	412: {"CC-Input-Octets", diameterUnsigned64},
	413: {"CC-Money", diameterGrouped},
	414: {"CC-Output-Octets", diameterUnsigned64},
	415: {"CC-Request-Number", diameterUnsigned32},
	416: {"CC-Request-Type", diameterEnumerated},
	417: {"CC-Service-Specific-Units", diameterUnsigned64},
	418: {"CC-Session-Failover", diameterEnumerated},
	419: {"CC-Sub-Session-Id", diameterUnsigned64},
	420: {"CC-Time", diameterUnsigned32},
	421: {"CC-Total-Octets", diameterUnsigned64},
	422: {"Check-Balance-Result", diameterEnumerated},
	423: {"Cost-Information", diameterGrouped},
	424: {"Cost-Unit", diameterUTF8String},
	425: {"Currency-Code", diameterUnsigned32},
	426: {"Credit-Control", diameterEnumerated},
	427: {"Credit-Control-Failure-Handling", diameterEnumerated},
	428: {"Direct-Debiting-Failure-Handling", diameterEnumerated},
	429: {"Exponent", diameterInteger32},
	430: {"Final-Unit-Indication", diameterGrouped},
	431: {"Granted-Service-Unit", diameterGrouped},
	432: {"Rating-Group", diameterUnsigned32},
	433: {"Redirect-Address-Type", diameterEnumerated},
	434: {"Redirect-Server", diameterGrouped},
	435: {"Redirect-Server-Address", diameterUTF8String},
	436: {"Requested-Action", diameterEnumerated},
	437: {"Requested-Service-Unit", diameterGrouped},
	438: {"Restriction-Filter-Rule", diameterIPFilter},
	439: {"Service-Identifier", diameterUnsigned32},
	440: {"Service-Parameter-Info", diameterGrouped},
	441: {"Service-Parameter-Type", diameterUnsigned32},
	442: {"Service-Parameter-Value", diameterOctetString},
	443: {"Subscription-Id", diameterGrouped},
	444: {"Subscription-Id-Data", diameterUTF8String},
	445: {"Unit-Value", diameterGrouped},
	446: {"Used-Service-Unit", diameterGrouped},
	447: {"Value-Digits", diameterInteger64},
	448: {"Validity-Time", diameterUnsigned32},
	449: {"Final-Unit-Action", diameterEnumerated},
	450: {"Subscription-Id-Type", diameterEnumerated},
	451: {"Tariff-Time-Change", diameterTime},
	452: {"Tariff-Change-Usage", diameterEnumerated},
	453: {"G-S-U-Pool-Identifier", diameterUnsigned32},
	454: {"CC-Unit-Type", diameterEnumerated},
	455: {"Multiple-Services-Indicator", diameterEnumerated},
	456: {"Multiple-Services-Credit-Control", diameterGrouped},
	457: {"G-S-U-Pool-Reference", diameterGrouped},
	458: {"User-Equipment-Info", diameterGrouped},
	459: {"User-Equipment-Info-Type", diameterEnumerated},
	460: {"User-Equipment-Info-Value", diameterOctetString},
	461: {"Service-Context-Id", diameterUTF8String},
	480: {"Accounting-Record-Type", diameterEnumerated},
	483: {"Accounting-Realtime-Required", diameterEnumerated},
	485: {"Accounting-Record-Number", diameterUnsigned32},
}

// diameter3GPPAVPs are common 3GPP AVPs (vendor 10415; TS 29.061, 29.212,
// 29.229, 29.272).
var diameter3GPPAVPs = map[uint32]avpDef{
	13:   {"3GPP-Charging-Characteristics", diameterUTF8String},
	18:   {"3GPP-SGSN-MCC-MNC", diameterUTF8String},
	628:  {"Supported-Features", diameterGrouped},
	629:  {"Feature-List-ID", diameterUnsigned32},
	630:  {"Feature-List", diameterUnsigned32},
	1016: {"QoS-Information", diameterGrouped},
	1020: {"Bearer-Identifier", diameterOctetString},
	1032: {"RAT-Type", diameterEnumerated},
	1400: {"Subscription-Data", diameterGrouped},
	1405: {"ULR-Flags", diameterUnsigned32},
	1406: {"ULA-Flags", diameterUnsigned32},
	1407: {"Visited-PLMN-Id", diameterOctetString},
	1423: {"Context-Identifier", diameterUnsigned32},
}
