package packet

import (
	"encoding/binary"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// CiscoDiscoveryInfo decodes the TLVs of a CDP packet. Addresses and
// MgmtAddresses hold the IPv4 and IPv6 addresses of the Addresses and
// Management Addresses TLVs (other protocols' addresses are skipped, as
// gopacket does). IPPrefixes are the IP Prefix TLV's prefixes with the
// address as sent and the mask in hex, as Netcap v0.6.11 wrote it
// ("ffffff00"). Unknown holds the TLVs not decoded: types gopacket has no
// field for and TLVs too short or malformed to decode. Strings from the
// wire are made valid UTF-8. A TLV that occurs twice sets its field from
// the last one (IP prefixes add up).
var CiscoDiscoveryInfo = newDecoder(
	decoder.Info{Name: "CiscoDiscoveryInfo", Type: types.Type_NC_CiscoDiscoveryInfo, Description: "Cisco Discovery Protocol device information"},
	layers.LayerTypeCiscoDiscoveryInfo,
	func() gopacket.DecodingLayer { return &cdpInfoLayer{} },
	func() *types.CiscoDiscoveryInfo { return &types.CiscoDiscoveryInfo{} },
	func(l *layers.CiscoDiscoveryInfo, p *Packet, r *types.CiscoDiscoveryInfo) {
		r.Timestamp = p.Timestamp
		h := l.CDPHello
		r.CDPHello = &types.CDPHello{
			OUI:              copyBytes(h.OUI),
			ProtocolID:       int32(h.ProtocolID),
			ClusterMaster:    ipString(h.ClusterMaster),
			Unknown1:         ipString(h.Unknown1),
			Version:          int32(h.Version),
			SubVersion:       int32(h.SubVersion),
			Status:           int32(h.Status),
			Unknown2:         int32(h.Unknown2),
			ClusterCommander: macString(h.ClusterCommander),
			SwitchMAC:        macString(h.SwitchMAC),
			Unknown3:         int32(h.Unknown3),
			ManagementVLAN:   int32(h.ManagementVLAN),
		}
		r.DeviceID = textString(l.DeviceID)
		r.Addresses = ipStrings(l.Addresses)
		r.PortID = textString(l.PortID)
		c := l.Capabilities
		r.Capabilities = &types.CDPCapabilities{
			L3Router: c.L3Router, TBBridge: c.TBBridge, SPBridge: c.SPBridge, L2Switch: c.L2Switch, IsHost: c.IsHost,
			IGMPFilter: c.IGMPFilter, L1Repeater: c.L1Repeater, IsPhone: c.IsPhone, RemotelyManaged: c.RemotelyManaged,
		}
		r.Version = textString(l.Version)
		r.Platform = textString(l.Platform)
		for _, n := range l.IPPrefixes {
			r.IPPrefixes = append(r.IPPrefixes, &types.IPNet{IP: ipString(n.IP), IPMask: n.Mask.String()})
		}
		r.VTPDomain = textString(l.VTPDomain)
		r.NativeVLAN = int32(l.NativeVLAN)
		r.FullDuplex = l.FullDuplex
		r.VLANReply = &types.CDPVLANDialogue{ID: int32(l.VLANReply.ID), VLAN: int32(l.VLANReply.VLAN)}
		r.VLANQuery = &types.CDPVLANDialogue{ID: int32(l.VLANQuery.ID), VLAN: int32(l.VLANQuery.VLAN)}
		r.PowerConsumption = int32(l.PowerConsumption)
		r.MTU = l.MTU
		r.ExtendedTrust = int32(l.ExtendedTrust)
		r.UntrustedCOS = int32(l.UntrustedCOS)
		r.SysName = textString(l.SysName)
		r.SysOID = textString(l.SysOID)
		r.MgmtAddresses = ipStrings(l.MgmtAddresses)
		r.Location = &types.CDPLocation{Type: int32(l.Location.Type), Location: textString(l.Location.Location)}
		r.PowerRequest = cdpPower(l.PowerRequest)
		r.PowerAvailable = cdpPower(l.PowerAvailable)
		s := l.SparePairPoe
		r.SparePairPoe = &types.CDPSparePairPoE{PSEFourWire: s.PSEFourWire, PDArchShared: s.PDArchShared, PDRequestOn: s.PDRequestOn, PSEOn: s.PSEOn}
		e := l.EnergyWise
		r.EnergyWise = &types.CDPEnergyWise{
			EncryptedData:  copyBytes(e.EncryptedData),
			Unknown1:       e.Unknown1,
			SequenceNumber: e.SequenceNumber,
			ModelNumber:    textString(e.ModelNumber),
			Unknown2:       int32(e.Unknown2),
			HardwareID:     textString(e.HardwareID),
			SerialNum:      textString(e.SerialNum),
			Unknown3:       copyBytes(e.Unknown3),
			Role:           textString(e.Role),
			Domain:         textString(e.Domain),
			Name:           textString(e.Name),
			ReplyUnknown1:  copyBytes(e.ReplyUnknown1),
			ReplyPort:      copyBytes(e.ReplyPort),
			ReplyAddress:   copyBytes(e.ReplyAddress),
			ReplyUnknown2:  copyBytes(e.ReplyUnknown2),
			ReplyUnknown3:  copyBytes(e.ReplyUnknown3),
		}
		for _, v := range l.Unknown {
			r.Unknown = append(r.Unknown, cdpValue(v))
		}
	},
)

func cdpPower(d layers.CDPPowerDialogue) *types.CDPPowerDialogue {
	return &types.CDPPowerDialogue{ID: int32(d.ID), MgmtID: int32(d.MgmtID), Values: append([]uint32(nil), d.Values...)}
}

// cdpInfoLayer decodes the TLVs of a CDP packet, which the CDP layer hands
// on, into a layers.CiscoDiscoveryInfo the way gopacket's decoder does,
// except that a TLV gopacket cannot decode does not fail the packet (and
// leave a half-filled layer behind): it goes to Unknown. The system OID,
// which gopacket keeps as raw bytes in a string, is written in dotted
// notation.
type cdpInfoLayer struct {
	layers.CiscoDiscoveryInfo
	tlvs []layers.CiscoDiscoveryValue
}

func (l *cdpInfoLayer) unwrap() gopacket.Layer { return &l.CiscoDiscoveryInfo }

func (l *cdpInfoLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeCiscoDiscoveryInfo }

func (l *cdpInfoLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

func (l *cdpInfoLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	tlvs, truncated := cdpTLVs(l.tlvs[:0], data)
	l.tlvs = tlvs
	if truncated {
		df.SetTruncated()
	}
	l.CiscoDiscoveryInfo = layers.CiscoDiscoveryInfo{Unknown: l.Unknown[:0]}
	for _, v := range tlvs {
		if !l.decodeTLV(v) {
			l.Unknown = append(l.Unknown, v)
		}
	}
	l.Contents, l.Payload = data, nil
	return nil
}

// decodeTLV sets the fields of one TLV and reports whether it could.
func (l *cdpInfoLayer) decodeTLV(t layers.CiscoDiscoveryValue) bool {
	v := t.Value
	switch t.Type {
	case layers.CDPTLVDevID:
		l.DeviceID = string(v)
	case layers.CDPTLVAddress:
		a, ok := cdpAddresses(v)
		if !ok {
			return false
		}
		l.Addresses = a
	case layers.CDPTLVPortID:
		l.PortID = string(v)
	case layers.CDPTLVCapabilities:
		if len(v) < 4 {
			return false
		}
		c := layers.CDPCapability(binary.BigEndian.Uint32(v))
		l.Capabilities = layers.CDPCapabilities{
			L3Router:        c&layers.CDPCapMaskRouter != 0,
			TBBridge:        c&layers.CDPCapMaskTBBridge != 0,
			SPBridge:        c&layers.CDPCapMaskSPBridge != 0,
			L2Switch:        c&layers.CDPCapMaskSwitch != 0,
			IsHost:          c&layers.CDPCapMaskHost != 0,
			IGMPFilter:      c&layers.CDPCapMaskIGMPFilter != 0,
			L1Repeater:      c&layers.CDPCapMaskRepeater != 0,
			IsPhone:         c&layers.CDPCapMaskPhone != 0,
			RemotelyManaged: c&layers.CDPCapMaskRemote != 0,
		}
	case layers.CDPTLVVersion:
		l.Version = string(v)
	case layers.CDPTLVPlatform:
		l.Platform = string(v)
	case layers.CDPTLVIPPrefix:
		// 5 bytes per prefix: address and prefix length. A 4-byte value
		// (an ODR default gateway) has no field.
		if len(v) == 0 || len(v)%5 != 0 {
			return false
		}
		for i := 0; i < len(v); i += 5 {
			if v[i+4] > 32 {
				return false
			}
		}
		for i := 0; i < len(v); i += 5 {
			l.IPPrefixes = append(l.IPPrefixes, net.IPNet{
				IP:   net.IPv4(v[i], v[i+1], v[i+2], v[i+3]).To4(),
				Mask: net.CIDRMask(int(v[i+4]), 32),
			})
		}
	case layers.CDPTLVHello:
		if len(v) < 32 {
			return false
		}
		l.CDPHello = layers.CDPHello{
			OUI:              v[0:3],
			ProtocolID:       binary.BigEndian.Uint16(v[3:5]),
			ClusterMaster:    net.IP(v[5:9]),
			Unknown1:         net.IP(v[9:13]),
			Version:          v[13],
			SubVersion:       v[14],
			Status:           v[15],
			Unknown2:         v[16],
			ClusterCommander: net.HardwareAddr(v[17:23]),
			SwitchMAC:        net.HardwareAddr(v[23:29]),
			Unknown3:         v[29],
			ManagementVLAN:   binary.BigEndian.Uint16(v[30:32]),
		}
	case layers.CDPTLVVTPDomain:
		l.VTPDomain = string(v)
	case layers.CDPTLVNativeVLAN:
		if len(v) < 2 {
			return false
		}
		l.NativeVLAN = binary.BigEndian.Uint16(v)
	case layers.CDPTLVFullDuplex:
		if len(v) < 1 {
			return false
		}
		l.FullDuplex = v[0] == 1
	case layers.CDPTLVVLANReply, layers.CDPTLVVLANQuery:
		if len(v) < 3 {
			return false
		}
		d := layers.CDPVLANDialogue{ID: v[0], VLAN: binary.BigEndian.Uint16(v[1:3])}
		if t.Type == layers.CDPTLVVLANReply {
			l.VLANReply = d
		} else {
			l.VLANQuery = d
		}
	case layers.CDPTLVPower:
		if len(v) < 2 {
			return false
		}
		l.PowerConsumption = binary.BigEndian.Uint16(v)
	case layers.CDPTLVMTU:
		if len(v) < 4 {
			return false
		}
		l.MTU = binary.BigEndian.Uint32(v)
	case layers.CDPTLVExtendedTrust:
		if len(v) < 1 {
			return false
		}
		l.ExtendedTrust = v[0]
	case layers.CDPTLVUntrustedCOS:
		if len(v) < 1 {
			return false
		}
		l.UntrustedCOS = v[0]
	case layers.CDPTLVSysName:
		l.SysName = string(v)
	case layers.CDPTLVSysOID:
		l.SysOID = cdpOID(v)
	case layers.CDPTLVMgmtAddresses:
		a, ok := cdpAddresses(v)
		if !ok {
			return false
		}
		l.MgmtAddresses = a
	case layers.CDPTLVLocation:
		if len(v) < 2 {
			return false
		}
		l.Location = layers.CDPLocation{Type: v[0], Location: string(v[1:])}
	case layers.CDPTLVPowerRequested, layers.CDPTLVPowerAvailable:
		if len(v) < 4 {
			return false
		}
		d := layers.CDPPowerDialogue{ID: binary.BigEndian.Uint16(v[0:2]), MgmtID: binary.BigEndian.Uint16(v[2:4])}
		for n := 4; n+4 <= len(v); n += 4 {
			d.Values = append(d.Values, binary.BigEndian.Uint32(v[n:n+4]))
		}
		if t.Type == layers.CDPTLVPowerRequested {
			l.PowerRequest = d
		} else {
			l.PowerAvailable = d
		}
	case layers.CDPTLVEnergyWise:
		return l.energyWise(v)
	case layers.CDPTLVSparePairPOE:
		if len(v) < 1 {
			return false
		}
		l.SparePairPoe = layers.CDPSparePairPoE{
			PSEFourWire:  v[0]&layers.CDPPoEFourWire != 0,
			PDArchShared: v[0]&layers.CDPPoEPDArch != 0,
			PDRequestOn:  v[0]&layers.CDPPoEPDRequest != 0,
			PSEOn:        v[0]&layers.CDPPoEPSE != 0,
		}
	default:
		return false
	}
	return true
}

// energyWise reads an EnergyWise TLV: a 72-byte fixed part ending in the
// length and number of the sub-TLVs that follow, each a 4-byte type, a
// 4-byte length that counts the 8-byte header, and a value. gopacket reads
// the sub-TLV length without the header (Wireshark counts it, and so does
// this decoder) and fails the packet on a sub-TLV table longer than its
// count; here reading stops at the count, the table's end or a sub-TLV that
// does not fit.
func (l *cdpInfoLayer) energyWise(v []byte) bool {
	if len(v) < 72 {
		return false
	}
	e := layers.CDPEnergyWise{
		EncryptedData:  v[0:20],
		Unknown1:       binary.BigEndian.Uint32(v[20:24]),
		SequenceNumber: binary.BigEndian.Uint32(v[24:28]),
		ModelNumber:    string(v[28:44]),
		Unknown2:       binary.BigEndian.Uint16(v[44:46]),
		HardwareID:     string(v[46:49]),
		SerialNum:      string(v[49:60]),
		Unknown3:       v[60:68],
	}
	table := v[72:]
	if n := int(binary.BigEndian.Uint16(v[68:70])); n < len(table) {
		table = table[:n]
	}
	for num := binary.BigEndian.Uint16(v[70:72]); num > 0 && len(table) >= 8; num-- {
		typ := layers.CDPEnergyWiseSubtype(binary.BigEndian.Uint32(table[0:4]))
		n := binary.BigEndian.Uint32(table[4:8])
		if n < 8 || uint64(n) > uint64(len(table)) {
			break
		}
		val := table[8:n]
		switch typ {
		case layers.CDPEnergyWiseRole:
			e.Role = string(val)
		case layers.CDPEnergyWiseDomain:
			e.Domain = string(val)
		case layers.CDPEnergyWiseName:
			e.Name = string(val)
		case layers.CDPEnergyWiseReplyTo:
			if len(val) >= 14 {
				e.ReplyUnknown1 = val[0:2]
				e.ReplyPort = val[2:4]
				e.ReplyAddress = val[4:8]
				e.ReplyUnknown2 = val[8:10]
				e.ReplyUnknown3 = val[10:14]
			}
		}
		table = table[n:]
	}
	l.EnergyWise = e
	return true
}

// CDP address protocols: NLPID 0xcc is IPv4, the 802.2 SNAP header
// aaaa03 000000 86dd is IPv6.
var cdpProtoIPv6 = []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd}

// cdpAddresses reads an Addresses TLV: a 4-byte count, then per address a
// protocol type, protocol length, protocol, 2-byte address length and
// address. It keeps the IPv4 and IPv6 addresses; reading stops at an
// address that runs past the TLV. It fails only on a TLV without a count.
func cdpAddresses(v []byte) ([]net.IP, bool) {
	if len(v) < 4 {
		return nil, false
	}
	count := binary.BigEndian.Uint32(v)
	v = v[4:]
	var out []net.IP
	for i := uint32(0); i < count && len(v) >= 2; i++ {
		plen := int(v[1])
		if len(v) < 2+plen+2 {
			break
		}
		proto := v[2 : 2+plen]
		alen := int(binary.BigEndian.Uint16(v[2+plen:]))
		rest := v[2+plen+2:]
		if len(rest) < alen {
			break
		}
		addr := rest[:alen]
		switch {
		case v[0] == layers.CDPProtocolTypeNLPID && plen == 1 && proto[0] == 0xcc && alen == 4:
			out = append(out, net.IP(addr))
		case v[0] == layers.CDPProtocolType802_2 && string(proto) == string(cdpProtoIPv6) && alen == 16:
			out = append(out, net.IP(addr))
		}
		v = rest[alen:]
	}
	return out, true
}

// cdpOID writes a System Object Identifier TLV's value in dotted notation.
// The value is a BER-encoded OID, with or without its tag and length.
func cdpOID(v []byte) string {
	if len(v) >= 2 && v[0] == 0x06 && int(v[1]) == len(v)-2 {
		v = v[2:]
	}
	return oidString(v)
}
