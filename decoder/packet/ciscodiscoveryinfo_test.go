package packet_test

import (
	"encoding/asn1"
	"encoding/hex"
	"net"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// l2RowAll renders every field of a record but its timestamp, as the text
// formats do.
func l2RowAll(m proto.Message) []string {
	var fields []protoreflect.FieldDescriptor
	for _, fd := range types.Fields(m.ProtoReflect().Descriptor()) {
		if fd.Name() != "Timestamp" {
			fields = append(fields, fd)
		}
	}
	format := types.Format{Begin: "(", End: ")", Sep: ";"}
	return format.Row(nil, m, fields)
}

// l2Bytes decodes a PDML value (hex).
func l2Bytes(fl *tsharktest.Node) []byte {
	b, _ := hex.DecodeString(fl.Value)
	return b
}

// l2Uint reads a PDML field's value bytes as a big-endian number.
func l2Uint(fl *tsharktest.Node) uint64 {
	var n uint64
	for _, c := range l2Bytes(fl) {
		n = n<<8 | uint64(c)
	}
	return n
}

// cdpInfoFromPDML builds the CiscoDiscoveryInfo record a CDP packet should
// yield from tshark's dissection of it: the value of each field within the
// TLV tshark read it in, and, as Unknown, the TLVs of types the record has
// no field for (and the IP Prefix TLV in its default gateway form), with
// their bytes.
func cdpInfoFromPDML(f tsharktest.Packet) *types.CiscoDiscoveryInfo {
	r := &types.CiscoDiscoveryInfo{
		CDPHello: &types.CDPHello{}, Capabilities: &types.CDPCapabilities{}, VLANReply: &types.CDPVLANDialogue{},
		VLANQuery: &types.CDPVLANDialogue{}, Location: &types.CDPLocation{}, PowerRequest: &types.CDPPowerDialogue{},
		PowerAvailable: &types.CDPPowerDialogue{}, SparePairPoe: &types.CDPSparePairPoE{}, EnergyWise: &types.CDPEnergyWise{},
	}
	tlvs := l2TLVs(f, "cdp.tlv.type")
	tlv := -1
	var typ uint64
	var version []byte
	var addrs *[]string
	var power *types.CDPPowerDialogue
	helloUnknown := 0
	show := func(fl *tsharktest.Node) string { return types.WireString(tsharkUnescape(fl.Show)) }
	for _, fl := range f.Nodes() {
		switch fl.Name {
		case "cdp.tlv.type":
			tlv++
			typ = l2Uint(fl)
			switch typ {
			case 0x02:
				r.Addresses, addrs = nil, &r.Addresses
			case 0x16:
				r.MgmtAddresses, addrs = nil, &r.MgmtAddresses
			case 0x19:
				r.PowerRequest = &types.CDPPowerDialogue{}
				power = r.PowerRequest
			case 0x1a:
				r.PowerAvailable = &types.CDPPowerDialogue{}
				power = r.PowerAvailable
			case 0x05:
				version = nil
			case 0x01, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
				0x15, 0x17, 0x1d, 0x1f:
			default:
				b := l2Bytes(tlvs[tlv])
				r.Unknown = append(r.Unknown, &types.CiscoDiscoveryValue{Type: int32(typ), Length: int32(len(b)), Value: b[4:]})
			}
		case "cdp.deviceid":
			r.DeviceID = show(fl)
		case "cdp.nrgyz.ip_address", "cdp.nrgyz.ipv6_address":
			if addrs != nil {
				*addrs = append(*addrs, fl.Show)
			}
		case "cdp.portid":
			r.PortID = show(fl)
		case "cdp.capabilities":
			c := l2Uint(fl)
			r.Capabilities = &types.CDPCapabilities{L3Router: c&1 != 0, TBBridge: c&2 != 0, SPBridge: c&4 != 0,
				L2Switch: c&8 != 0, IsHost: c&0x10 != 0, IGMPFilter: c&0x20 != 0, L1Repeater: c&0x40 != 0,
				IsPhone: c&0x80 != 0, RemotelyManaged: c&0x100 != 0}
		case "cdp.software_version":
			version = append(version, l2Bytes(fl)...)
			r.Version = types.WireBytes(version)
		case "cdp.platform":
			r.Platform = show(fl)
		case "cdp.ip_prefix":
			// tshark shows the address of this field byte-swapped;
			// its bytes are address and prefix length.
			b := l2Bytes(fl)
			if len(b) == 5 {
				r.IPPrefixes = append(r.IPPrefixes, &types.IPNet{IP: net.IP(b[:4]).String(), IPMask: net.CIDRMask(int(b[4]), 32).String()})
			}
		case "cdp.odr_default_gateway":
			b := l2Bytes(tlvs[tlv])
			r.Unknown = append(r.Unknown, &types.CiscoDiscoveryValue{Type: int32(typ), Length: int32(len(b)), Value: b[4:]})
		case "cdp.oui":
			r.CDPHello.OUI = l2Bytes(fl)
		case "cdp.protocol_id":
			r.CDPHello.ProtocolID = int32(l2Uint(fl))
		case "cdp.cluster.master_ip":
			r.CDPHello.ClusterMaster = fl.Show
		case "cdp.cluster.ip":
			r.CDPHello.Unknown1 = fl.Show
		case "cdp.cluster.version":
			r.CDPHello.Version = int32(l2Uint(fl))
		case "cdp.cluster.sub_version":
			r.CDPHello.SubVersion = int32(l2Uint(fl))
		case "cdp.cluster.status":
			r.CDPHello.Status = int32(l2Uint(fl))
		case "cdp.cluster.unknown":
			if helloUnknown == 0 {
				r.CDPHello.Unknown2 = int32(l2Uint(fl))
			} else {
				r.CDPHello.Unknown3 = int32(l2Uint(fl))
			}
			helloUnknown++
		case "cdp.cluster.commander_mac":
			r.CDPHello.ClusterCommander = fl.Show
		case "cdp.cluster.switch_mac":
			r.CDPHello.SwitchMAC = fl.Show
		case "cdp.cluster.management_vlan":
			r.CDPHello.ManagementVLAN = int32(l2Uint(fl))
		case "cdp.vtp_management_domain":
			r.VTPDomain = show(fl)
		case "cdp.native_vlan":
			r.NativeVLAN = int32(l2Uint(fl))
		case "cdp.duplex":
			r.FullDuplex = fl.Show == "1"
		case "cdp.data":
			switch typ {
			case 0x0e:
				r.VLANReply.ID = int32(l2Uint(fl))
			case 0x0f:
				r.VLANQuery.ID = int32(l2Uint(fl))
			}
		case "cdp.voice_vlan":
			switch typ {
			case 0x0e:
				r.VLANReply.VLAN = int32(l2Uint(fl))
			case 0x0f:
				r.VLANQuery.VLAN = int32(l2Uint(fl))
			}
		case "cdp.power_consumption":
			r.PowerConsumption = int32(l2Uint(fl))
		case "cdp.mtu":
			r.MTU = uint32(l2Uint(fl))
		case "cdp.trust_bitmap":
			r.ExtendedTrust = int32(l2Uint(fl))
		case "cdp.untrusted_port_cos":
			r.UntrustedCOS = int32(l2Uint(fl))
		case "cdp.system_name":
			r.SysName = show(fl)
		case "cdp.system_object_identifier":
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(l2Bytes(fl), &oid); err == nil {
				r.SysOID = oid.String()
			} else {
				r.SysOID = "bad OID " + fl.Value
			}
		case "cdp.location.unknown":
			r.Location.Type = int32(l2Uint(fl))
		case "cdp.location":
			r.Location.Location = show(fl)
		case "cdp.request_id":
			power.ID = int32(l2Uint(fl))
		case "cdp.management_id":
			power.MgmtID = int32(l2Uint(fl))
		case "cdp.power_requested", "cdp.power_available":
			power.Values = append(power.Values, uint32(l2Uint(fl)))
		case "cdp.spare_poe_tlv":
			v := l2Uint(fl)
			r.SparePairPoe = &types.CDPSparePairPoE{PSEFourWire: v&1 != 0, PDArchShared: v&2 != 0, PDRequestOn: v&4 != 0, PSEOn: v&8 != 0}
		case "cdp.encrypted_data":
			r.EnergyWise.EncryptedData = l2Bytes(fl)
		case "cdp.seen_sequence":
			r.EnergyWise.Unknown1 = uint32(l2Uint(fl))
		case "cdp.sequence_number":
			r.EnergyWise.SequenceNumber = uint32(l2Uint(fl))
		case "cdp.model_number":
			r.EnergyWise.ModelNumber = show(fl)
		case "cdp.unknown_pad":
			r.EnergyWise.Unknown2 = int32(l2Uint(fl))
		case "cdp.hardware_version_id":
			r.EnergyWise.HardwareID = show(fl)
		case "cdp.system_serial_number":
			r.EnergyWise.SerialNum = show(fl)
		case "cdp.nrgyz_unknown_values":
			r.EnergyWise.Unknown3 = l2Bytes(fl)
		case "cdp.nrgyz_reply_to.role":
			r.EnergyWise.Role = show(fl)
		case "cdp.nrgyz_reply_to.domain":
			r.EnergyWise.Domain = show(fl)
		case "cdp.nrgyz_reply_to.name":
			r.EnergyWise.Name = show(fl)
		case "cdp.nrgyz_reply_to.unknown_field":
			r.EnergyWise.ReplyUnknown1 = l2Bytes(fl)
		case "cdp.nrgyz_reply_to.port":
			r.EnergyWise.ReplyPort = l2Bytes(fl)
		case "cdp.nrgyz_reply_to.ip_address":
			r.EnergyWise.ReplyAddress = l2Bytes(fl)
		case "cdp.nrgyz_reply_to.backup_server_port":
			r.EnergyWise.ReplyUnknown2 = l2Bytes(fl)
		case "cdp.nrgyz_reply_to.backup_server_ip":
			r.EnergyWise.ReplyUnknown3 = l2Bytes(fl)
		}
	}
	return r
}

// cdpInfoCase compares every field of the CiscoDiscoveryInfo records with
// the record built from tshark's dissection (cdpInfoFromPDML); both are
// rendered the same way.
var cdpInfoCase = tsharktest.Case{
	Type:       "CiscoDiscoveryInfo",
	Filter:     "cdp",
	Columns:    l2FieldNames(&types.CiscoDiscoveryInfo{}),
	OursRow:    l2RowAll,
	PacketRows: func(f tsharktest.Packet) [][]string { return [][]string{l2RowAll(cdpInfoFromPDML(f))} },
}

// l2FieldNames names the columns l2RowAll writes.
func l2FieldNames(m proto.Message) []string {
	var out []string
	for _, fd := range types.Fields(m.ProtoReflect().Descriptor()) {
		if fd.Name() != "Timestamp" {
			out = append(out, string(fd.Name()))
		}
	}
	return out
}

func TestCiscoDiscoveryInfoAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, cdpCaptures...)
	compare(t, cdpInfoCase, pcaps...)
	sameTimestamps(t, "CiscoDiscovery", "CiscoDiscoveryInfo", pcaps...)
}

// TestCiscoDiscoveryInfoSynthAgainstTshark covers the TLVs the public
// captures lack: IPv6 and non-IP addresses, VoIP VLAN query and reply,
// power consumption, requested and available, MTU, system name and OID,
// location, spare pair PoE, an ODR default gateway, EnergyWise with its
// sub-TLVs, a TLV type of no field.
func TestCiscoDiscoveryInfoSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcap := cdpSyntheticCapture(t)
	compare(t, cdpInfoCase, pcap)
	sameTimestamps(t, "CiscoDiscovery", "CiscoDiscoveryInfo", pcap)
}

func FuzzCiscoDiscoveryInfo(f *testing.F) {
	var seeds [][]byte
	for _, fr := range cdpSyntheticFrames() {
		seeds = append(seeds, fr[26:])
	}
	fuzzLayer(f, layers.LayerTypeCiscoDiscoveryInfo, seeds...)
}
