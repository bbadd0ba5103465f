package packet

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// LinkLayerDiscoveryInfo reads the optional TLVs of an LLDP data
// unit: port description, system name and description, system
// capabilities, the management address (the first one; an LLDP agent may
// send several, all of which are in the LinkLayerDiscovery record's
// Values) and the organisationally specific TLVs. Unknown holds the TLVs
// whose type 802.1AB does not define (9 to 126) and defined ones too short
// to decode. The management address's object identifier is written in
// dotted notation ("1.3.6.1.4.1.9"), where Netcap v0.6.11 kept its BER
// bytes in the string. The strings end at a NUL byte, as in Wireshark
// (some agents terminate them with one; the bytes are in the
// LinkLayerDiscovery record's Values).
var LinkLayerDiscoveryInfo = newDecoder(
	decoder.Info{Name: "LinkLayerDiscoveryInfo", Type: types.Type_NC_LinkLayerDiscoveryInfo, Description: "Link Layer Discovery Protocol (IEEE 802.1AB) optional TLVs"},
	layers.LayerTypeLinkLayerDiscoveryInfo,
	func() gopacket.DecodingLayer { return &lldpInfoLayer{} },
	func() *types.LinkLayerDiscoveryInfo { return &types.LinkLayerDiscoveryInfo{} },
	func(l *layers.LinkLayerDiscoveryInfo, p *Packet, r *types.LinkLayerDiscoveryInfo) {
		r.Timestamp = p.Timestamp
		r.PortDescription = textString(l.PortDescription)
		r.SysName = textString(l.SysName)
		r.SysDescription = textString(l.SysDescription)
		r.SysCapabilities = &types.LLDPSysCapabilities{
			SystemCap:  lldpCapabilities(l.SysCapabilities.SystemCap),
			EnabledCap: lldpCapabilities(l.SysCapabilities.EnabledCap),
		}
		m := l.MgmtAddress
		r.MgmtAddress = &types.LLDPMgmtAddress{
			Subtype:          int32(m.Subtype),
			Address:          copyBytes(m.Address),
			InterfaceSubtype: int32(m.InterfaceSubtype),
			InterfaceNumber:  m.InterfaceNumber,
			OID:              oidString([]byte(m.OID)),
		}
		for _, o := range l.OrgTLVs {
			r.OrgTLVs = append(r.OrgTLVs, &types.LLDPOrgSpecificTLV{OUI: uint32(o.OUI), SubType: int32(o.SubType), Info: copyBytes(o.Info)})
		}
		for _, v := range l.Unknown {
			r.Unknown = append(r.Unknown, lldpValue(v))
		}
	},
)

// textString is a text field from the wire as a record string: up to its
// first NUL byte, escaped (types.WireString).
func textString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return types.WireString(s)
}

func lldpCapabilities(c layers.LLDPCapabilities) *types.LLDPCapabilities {
	return &types.LLDPCapabilities{
		Other: c.Other, Repeater: c.Repeater, Bridge: c.Bridge, WLANAP: c.WLANAP, Router: c.Router,
		Phone: c.Phone, DocSis: c.DocSis, StationOnly: c.StationOnly, CVLAN: c.CVLAN, SVLAN: c.SVLAN, TMPR: c.TMPR,
	}
}

// lldpInfoLayer decodes the optional TLVs of an LLDP data unit, which the
// LLDP layer hands on, into a layers.LinkLayerDiscoveryInfo. Unlike
// gopacket's decoder, a malformed optional TLV does not fail the data unit
// (gopacket then also leaves a half-filled Info layer in the packet): it
// goes to Unknown, as do TLVs of undefined types, which gopacket drops.
type lldpInfoLayer struct {
	layers.LinkLayerDiscoveryInfo
	tlvs []layers.LinkLayerDiscoveryValue
}

func (l *lldpInfoLayer) unwrap() gopacket.Layer { return &l.LinkLayerDiscoveryInfo }

func (l *lldpInfoLayer) CanDecode() gopacket.LayerClass {
	return layers.LayerTypeLinkLayerDiscoveryInfo
}

func (l *lldpInfoLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

func (l *lldpInfoLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	tlvs, n, truncated := lldpTLVs(l.tlvs[:0], data)
	l.tlvs = tlvs
	if truncated {
		df.SetTruncated()
	}
	l.LinkLayerDiscoveryInfo = layers.LinkLayerDiscoveryInfo{OrgTLVs: l.OrgTLVs[:0], Unknown: l.Unknown[:0]}
	mgmt := false
	for _, v := range tlvs {
		switch v.Type {
		case layers.LLDPTLVChassisID, layers.LLDPTLVPortID, layers.LLDPTLVTTL:
			// the LinkLayerDiscovery record's
		case layers.LLDPTLVPortDescription:
			l.PortDescription = string(v.Value)
		case layers.LLDPTLVSysName:
			l.SysName = string(v.Value)
		case layers.LLDPTLVSysDescription:
			l.SysDescription = string(v.Value)
		case layers.LLDPTLVSysCapabilities:
			if len(v.Value) < 4 {
				l.Unknown = append(l.Unknown, v)
				continue
			}
			l.SysCapabilities.SystemCap = lldpCaps(binary.BigEndian.Uint16(v.Value[0:2]))
			l.SysCapabilities.EnabledCap = lldpCaps(binary.BigEndian.Uint16(v.Value[2:4]))
		case layers.LLDPTLVMgmtAddress:
			if mgmt {
				continue
			}
			if a, ok := lldpMgmtAddress(v.Value); ok {
				l.MgmtAddress = a
				mgmt = true
			} else {
				l.Unknown = append(l.Unknown, v)
			}
		case layers.LLDPTLVOrgSpecific:
			if len(v.Value) < 4 {
				l.Unknown = append(l.Unknown, v)
				continue
			}
			l.OrgTLVs = append(l.OrgTLVs, layers.LLDPOrgSpecificTLV{
				OUI:     layers.IEEEOUI(uint32(v.Value[0])<<16 | uint32(v.Value[1])<<8 | uint32(v.Value[2])),
				SubType: v.Value[3],
				Info:    v.Value[4:],
			})
		default:
			l.Unknown = append(l.Unknown, v)
		}
	}
	l.Contents, l.Payload = data[:n], data[n:]
	return nil
}

// lldpCaps reads an 802.1AB system capabilities bit map.
func lldpCaps(v uint16) layers.LLDPCapabilities {
	return layers.LLDPCapabilities{
		Other:       v&layers.LLDPCapsOther != 0,
		Repeater:    v&layers.LLDPCapsRepeater != 0,
		Bridge:      v&layers.LLDPCapsBridge != 0,
		WLANAP:      v&layers.LLDPCapsWLANAP != 0,
		Router:      v&layers.LLDPCapsRouter != 0,
		Phone:       v&layers.LLDPCapsPhone != 0,
		DocSis:      v&layers.LLDPCapsDocSis != 0,
		StationOnly: v&layers.LLDPCapsStationOnly != 0,
		CVLAN:       v&layers.LLDPCapsCVLAN != 0,
		SVLAN:       v&layers.LLDPCapsSVLAN != 0,
		TMPR:        v&layers.LLDPCapsTmpr != 0,
	}
}

// lldpMgmtAddress reads a management address TLV (802.1AB 8.5.9): address
// string length (counting the subtype), subtype, address, interface
// numbering subtype, interface number, OID string length, OID.
func lldpMgmtAddress(v []byte) (layers.LLDPMgmtAddress, bool) {
	var a layers.LLDPMgmtAddress
	if len(v) < 1 {
		return a, false
	}
	alen := int(v[0])
	if alen < 1 || len(v) < 1+alen+6 {
		return a, false
	}
	a.Subtype = layers.IANAAddressFamily(v[1])
	a.Address = v[2 : 1+alen]
	rest := v[1+alen:]
	a.InterfaceSubtype = layers.LLDPInterfaceSubtype(rest[0])
	a.InterfaceNumber = binary.BigEndian.Uint32(rest[1:5])
	olen := int(rest[5])
	if len(rest) < 6+olen {
		return a, false
	}
	a.OID = string(rest[6 : 6+olen])
	return a, true
}

// oidString writes a BER-encoded object identifier in dotted notation; a
// malformed one (an arc cut short or too large) is written in hex.
func oidString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var sb strings.Builder
	var arc uint64
	first := true
	for i, c := range b {
		if arc > 1<<56 {
			return hex.EncodeToString(b)
		}
		arc = arc<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(b)-1 {
				return hex.EncodeToString(b)
			}
			continue
		}
		if first {
			// The first arc (0, 1 or 2) and the second share a number.
			x := min(arc/40, 2)
			sb.WriteString(strconv.FormatUint(x, 10))
			sb.WriteByte('.')
			sb.WriteString(strconv.FormatUint(arc-40*x, 10))
			first = false
		} else {
			sb.WriteByte('.')
			sb.WriteString(strconv.FormatUint(arc, 10))
		}
		arc = 0
	}
	return sb.String()
}
