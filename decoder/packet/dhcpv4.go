package packet

import (
	"encoding/binary"
	"net"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// DHCPv4 writes one record per DHCP (BOOTP) message with its fixed
// fields and its options in message order, as gopacket lists them: the
// options before End (End itself is not listed; Pad bytes before it are,
// one option each), followed by those an Option Overload (option 52) puts
// in the file and sname fields. HardwareOpts is the hops field (Netcap
// named it after gopacket's old field name). ServerName and File are the
// fixed 64- and 128-byte fields as they are on the wire. Option data is a
// string field: bytes that are no valid UTF-8 become U+FFFD.
//
// gopacket rejects as a whole a message with a malformed option (one
// overrunning the message), a BOOTP message (RFC 951, without the DHCP
// magic cookie) and one whose hardware address length exceeds the 16
// bytes of chaddr; the record of such a message has the fixed fields (no
// ClientHWAddr for a length beyond 16) and the options before the
// malformed one (none for BOOTP, whose vendor area is not read).
//
// Fingerprint is the DHCP fingerprint fingerbank and Netcap look devices up
// by: the option codes of the Parameter Request List (option 55), in the
// order requested, as comma-separated decimals ("1,3,6,42"); empty when the
// message has no such list. A list split over several options 55 is
// their concatenation (RFC 3396).
var DHCPv4 = newDecoder(
	decoder.Info{Name: "DHCPv4", Type: types.Type_NC_DHCPv4, Description: "Dynamic Host Configuration Protocol (and BOOTP) messages, with options and fingerprint"},
	layers.LayerTypeDHCPv4,
	func() gopacket.DecodingLayer { return &dhcpv4Layer{} },
	func() *types.DHCPv4 { return &types.DHCPv4{} },
	func(l *layers.DHCPv4, p *Packet, r *types.DHCPv4) {
		r.Timestamp = p.Timestamp
		r.Operation = int32(l.Operation)
		r.HardwareType = int32(l.HardwareType)
		r.HardwareLen = int32(l.HardwareLen)
		r.HardwareOpts = int32(l.RelayHops)
		r.Xid = l.Xid
		r.Secs = int32(l.Secs)
		r.Flags = int32(l.Flags)
		r.ClientIP = ipString(l.ClientIP)
		r.YourClientIP = ipString(l.YourClientIP)
		r.NextServerIP = ipString(l.NextServerIP)
		r.RelayAgentIP = ipString(l.RelayAgentIP)
		r.ClientHWAddr = macString(l.ClientHWAddr)
		r.ServerName = copyBytes(l.ServerName)
		r.File = copyBytes(l.File)
		if len(l.Options) > 0 {
			r.Options = make([]*types.DHCPOption, len(l.Options))
		}
		var fp strings.Builder
		for i, o := range l.Options {
			r.Options[i] = &types.DHCPOption{Type: int32(o.Type), Length: int32(o.Length), Data: types.WireBytes(o.Data)}
			if o.Type == layers.DHCPOptParamsRequest {
				for _, code := range o.Data {
					if fp.Len() > 0 {
						fp.WriteByte(',')
					}
					fp.WriteString(strconv.Itoa(int(code)))
				}
			}
		}
		r.Fingerprint = fp.String()
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

// dhcpv4FixedLen is the length of the fixed fields, up to the magic cookie.
const dhcpv4FixedLen = 236

// dhcpv4Layer decodes with gopacket and, where gopacket rejects a message
// that has its fixed fields, reads it leniently (see DHCPv4).
type dhcpv4Layer struct{ layers.DHCPv4 }

func (d *dhcpv4Layer) unwrap() gopacket.Layer { return &d.DHCPv4 }

func (d *dhcpv4Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	err := d.DHCPv4.DecodeFromBytes(data, df)
	if err == nil || len(data) < dhcpv4FixedLen {
		return err
	}
	d.decodeLenient(data)
	return nil
}

// decodeLenient reads the fixed fields of data (at least dhcpv4FixedLen
// bytes) and, after a DHCP magic cookie, the options up to End or the
// first malformed one.
func (d *dhcpv4Layer) decodeLenient(data []byte) {
	opts := d.Options[:0]
	d.DHCPv4 = layers.DHCPv4{
		BaseLayer:    layers.BaseLayer{Contents: data},
		Operation:    layers.DHCPOp(data[0]),
		HardwareType: layers.LinkType(data[1]),
		HardwareLen:  data[2],
		RelayHops:    data[3],
		Xid:          binary.BigEndian.Uint32(data[4:8]),
		Secs:         binary.BigEndian.Uint16(data[8:10]),
		Flags:        binary.BigEndian.Uint16(data[10:12]),
		ClientIP:     net.IP(data[12:16]),
		YourClientIP: net.IP(data[16:20]),
		NextServerIP: net.IP(data[20:24]),
		RelayAgentIP: net.IP(data[24:28]),
		ServerName:   data[44:108],
		File:         data[108:236],
	}
	if d.HardwareLen <= 16 {
		// chaddr has 16 bytes: a longer address cannot be (tshark
		// shows none either).
		d.ClientHWAddr = net.HardwareAddr(data[28 : 28+int(d.HardwareLen)])
	}
	if len(data) >= dhcpv4FixedLen+4 && binary.BigEndian.Uint32(data[236:240]) == layers.DHCPMagic {
		for o := data[240:]; len(o) > 0 && o[0] != byte(layers.DHCPOptEnd); {
			if o[0] == byte(layers.DHCPOptPad) {
				opts = append(opts, layers.DHCPOption{Type: layers.DHCPOptPad})
				o = o[1:]
				continue
			}
			if len(o) < 2 || 2+int(o[1]) > len(o) {
				break
			}
			opts = append(opts, layers.DHCPOption{Type: layers.DHCPOpt(o[0]), Length: o[1], Data: o[2 : 2+int(o[1])]})
			o = o[2+int(o[1]):]
		}
	}
	d.Options = opts
}
