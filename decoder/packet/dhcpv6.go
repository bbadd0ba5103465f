package packet

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// DHCPv6 writes one record per DHCPv6 message (RFC 8415): a client
// or server message has a transaction ID, a relay message (Relay-forward,
// Relay-reply) a hop count and link and peer addresses instead; then the
// options, in message order. The message a relay carries stays the data of
// its Relay Message option (9): it is not decoded into a record of its
// own. Option data is a string field: bytes that are no valid UTF-8
// become U+FFFD.
//
// gopacket rejects a message with a malformed option (one overrunning the
// message) as a whole; its record has the header and the options before
// the malformed one.
//
// Fingerprint is the DHCPv6 counterpart of the DHCPv4 fingerprint (the
// "DHCPv6 fingerprint" fingerbank looks devices up by): the option codes
// the client requests in its Option Request Option (6), in order, as
// comma-separated decimals ("23,24,17"); empty without one.
var DHCPv6 = newDecoder(
	decoder.Info{Name: "DHCPv6", Type: types.Type_NC_DHCPv6, Description: "Dynamic Host Configuration Protocol for IPv6 messages, with options and fingerprint"},
	layers.LayerTypeDHCPv6,
	func() gopacket.DecodingLayer { return &dhcpv6Layer{} },
	func() *types.DHCPv6 { return &types.DHCPv6{} },
	func(l *layers.DHCPv6, p *Packet, r *types.DHCPv6) {
		r.Timestamp = p.Timestamp
		r.MsgType = int32(l.MsgType)
		r.HopCount = int32(l.HopCount)
		r.LinkAddr = ipString(l.LinkAddr)
		r.PeerAddr = ipString(l.PeerAddr)
		r.TransactionID = copyBytes(l.TransactionID)
		if len(l.Options) > 0 {
			r.Options = make([]*types.DHCPv6Option, len(l.Options))
		}
		var fp strings.Builder
		for i, o := range l.Options {
			r.Options[i] = &types.DHCPv6Option{Code: int32(o.Code), Length: int32(o.Length), Data: types.WireBytes(o.Data)}
			if o.Code == layers.DHCPv6OptOro {
				for j := 0; j+1 < len(o.Data); j += 2 {
					if fp.Len() > 0 {
						fp.WriteByte(',')
					}
					fp.WriteString(strconv.Itoa(int(binary.BigEndian.Uint16(o.Data[j:]))))
				}
			}
		}
		r.Fingerprint = fp.String()
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

// dhcpv6Layer decodes with gopacket, but keeps a message with a malformed
// option (see DHCPv6): gopacket has decoded the header and the
// options before it when it gives up.
type dhcpv6Layer struct{ layers.DHCPv6 }

func (d *dhcpv6Layer) unwrap() gopacket.Layer { return &d.DHCPv6 }

func (d *dhcpv6Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	err := d.DHCPv6.DecodeFromBytes(data, df)
	if err == nil || len(data) < 4 {
		return err
	}
	if relay := d.MsgType == layers.DHCPv6MsgTypeRelayForward || d.MsgType == layers.DHCPv6MsgTypeRelayReply; relay && len(data) < 34 {
		return err // the relay header is cut short
	}
	return nil
}
