package packet_test

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// lldpOrgSubtypeFields are tshark's subtype fields of organisationally
// specific TLVs, by OUI: tshark has one per organisation it knows.
var lldpOrgSubtypeFields = map[string]string{
	"32962": "lldp.ieee.802_1.subtype", // 00-80-c2
	"4623":  "lldp.ieee.802_3.subtype", // 00-12-0f
	"4795":  "lldp.media.subtype",      // 00-12-bb
	"5055":  "lldp.ieee.802_1qbg.subtype",
	"3791":  "lldp.profinet.subtype",
	"322":   "lldp.cisco.subtype",
}

// lldpInfoCase compares the LinkLayerDiscoveryInfo records: the strings
// (tshark escapes control characters, so ours are escaped the same way),
// the system and enabled capability bit maps (the record's booleans put
// back into bits), the first management address, the organisationally
// specific TLVs (OUI, subtype and length of the rest, from tshark's TLV
// lengths) and the TLVs of types 802.1AB leaves undefined (Unknown, as
// type and length). A data unit without a capabilities or management
// address TLV has zeros there.
var lldpInfoCase = tsharktest.Case{
	Type:   "LinkLayerDiscoveryInfo",
	Filter: "lldp",
	Read: []string{"lldp.port.desc", "lldp.tlv.system.name", "lldp.tlv.system.desc", "lldp.tlv.system_cap", "lldp.tlv.enable_system_cap",
		"lldp.mgn.address.subtype", "lldp.mgn.addr.ip4", "lldp.mgn.addr.ip6", "lldp.mgn.addr.hex", "lldp.mgn.interface.subtype",
		"lldp.mgn.interface.number", "lldp.mgn.obj.id", "lldp.orgtlv.oui", "lldp.unknown_subtype", "lldp.tlv.type", "lldp.tlv.len",
		"lldp.ieee.802_1.subtype", "lldp.ieee.802_3.subtype", "lldp.media.subtype", "lldp.ieee.802_1qbg.subtype",
		"lldp.profinet.subtype", "lldp.cisco.subtype"},
	Columns: []string{"PortDescription", "SysName", "SysDescription", "SysCapabilities", "MgmtAddress", "OrgTLVs", "Unknown"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.LinkLayerDiscoveryInfo)
		caps := func(c *types.LLDPCapabilities) string {
			return bitsNumber(c.GetOther(), c.GetRepeater(), c.GetBridge(), c.GetWLANAP(), c.GetRouter(), c.GetPhone(), c.GetDocSis(),
				c.GetStationOnly(), c.GetCVLAN(), c.GetSVLAN(), c.GetTMPR())
		}
		a := r.MgmtAddress
		var orgs, unknown []string
		for _, o := range r.OrgTLVs {
			orgs = append(orgs, decimal(o.OUI)+";"+decimal(o.SubType)+";"+decimal(len(o.Info)))
		}
		for _, v := range r.Unknown {
			unknown = append(unknown, decimal(v.Type)+";"+decimal(v.Length))
		}
		return []string{
			tsharkEscape(r.PortDescription), tsharkEscape(r.SysName), tsharkEscape(r.SysDescription),
			caps(r.SysCapabilities.GetSystemCap()) + ";" + caps(r.SysCapabilities.GetEnabledCap()),
			strings.Join([]string{decimal(a.GetSubtype()), hex.EncodeToString(a.GetAddress()), decimal(a.GetInterfaceSubtype()),
				decimal(a.GetInterfaceNumber()), a.GetOID()}, ";"),
			strings.Join(orgs, "|"), strings.Join(unknown, "|"),
		}
	},
	FrameRows: func(f tsharktest.Frame) [][]string {
		addr := ""
		switch {
		case f.At("lldp.mgn.addr.ip4", 0) != "":
			addr = ipHex(f.At("lldp.mgn.addr.ip4", 0))
		case f.At("lldp.mgn.addr.ip6", 0) != "":
			addr = ipHex(f.At("lldp.mgn.addr.ip6", 0))
		default:
			addr = macHex(f.At("lldp.mgn.addr.hex", 0))
		}
		mgmt := strings.Join([]string{zeroWhenAbsent(f.At("lldp.mgn.address.subtype", 0)), addr,
			zeroWhenAbsent(f.At("lldp.mgn.interface.subtype", 0)), zeroWhenAbsent(f.At("lldp.mgn.interface.number", 0)),
			f.At("lldp.mgn.obj.id", 0)}, ";")
		// The n-th TLV of an organisation takes the n-th value of its
		// subtype field.
		var orgs, unknown []string
		orgIdx, subIdx := 0, map[string]int{}
		for i, typ := range f.All("lldp.tlv.type") {
			n, _ := strconv.Atoi(typ)
			length, _ := strconv.Atoi(f.At("lldp.tlv.len", i))
			switch {
			case n == 127:
				oui := f.At("lldp.orgtlv.oui", orgIdx)
				orgIdx++
				field, ok := lldpOrgSubtypeFields[oui]
				if !ok {
					field = "lldp.unknown_subtype"
				}
				orgs = append(orgs, oui+";"+tsharktest.Normalize(f.At(field, subIdx[field]))+";"+strconv.Itoa(length-4))
				subIdx[field]++
			case n >= 9:
				unknown = append(unknown, typ+";"+strconv.Itoa(length))
			}
		}
		return [][]string{{
			f.At("lldp.port.desc", 0), f.At("lldp.tlv.system.name", 0), f.At("lldp.tlv.system.desc", 0),
			tsharktest.Normalize(zeroWhenAbsent(f.At("lldp.tlv.system_cap", 0))) + ";" + tsharktest.Normalize(zeroWhenAbsent(f.At("lldp.tlv.enable_system_cap", 0))),
			mgmt, strings.Join(orgs, "|"), strings.Join(unknown, "|"),
		}}
	},
}

// TestLinkLayerDiscoveryInfoAgainstTshark checks that every LLDP data unit
// yields its Info record too, with the values tshark reads.
func TestLinkLayerDiscoveryInfoAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, lldpCaptures...)
	compare(t, lldpInfoCase, pcaps...)
	sameTimestamps(t, "LinkLayerDiscovery", "LinkLayerDiscoveryInfo", pcaps...)
}

// TestLinkLayerDiscoveryInfoSynthAgainstTshark adds what the captures lack:
// control characters in the strings, C-VLAN, S-VLAN and TPMR capability
// bits, management addresses with an OID and of IPv6 (the first one is
// kept), reserved TLV types (Unknown).
func TestLinkLayerDiscoveryInfoSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, lldpInfoCase, lldpSyntheticCapture(t))
}

func FuzzLinkLayerDiscoveryInfo(f *testing.F) {
	var seeds [][]byte
	for _, fr := range lldpSyntheticFrames() {
		seeds = append(seeds, fr[14:])
	}
	fuzzLayer(f, layers.LayerTypeLinkLayerDiscoveryInfo, seeds...)
}
