package packet

import (
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// NTP writes one record per NTP message. The fields are the raw
// values of the RFC 5905 header: Poll and Precision are signed log2
// seconds, RootDelay and RootDispersion 16.16 fixed-point seconds,
// ReferenceID the 32-bit identifier and the four timestamps 32.32
// fixed-point seconds since 1900 (era 0). ExtensionBytes holds what
// follows the 48-byte header (extension fields, key identifier and
// digest).
//
// Control (mode 6, RFC 1305 appendix B / RFC 9327) and private (mode 7,
// ntpdc) messages share only the first byte with that header: their record
// has the version and mode, the leap indicator of a control message (a
// private message has its response and more bits there), and every other
// field zero.
// gopacket reads them as time messages, which makes garbage of the
// longer ones and rejects those shorter than 48 bytes; the decoding layer
// here accepts them.
var NTP = newDecoder(
	decoder.Info{Name: "NTP", Type: types.Type_NC_NTP, Description: "Network Time Protocol messages"},
	layers.LayerTypeNTP,
	func() gopacket.DecodingLayer { return &ntpLayer{} },
	func() *types.NTP { return &types.NTP{} },
	func(l *layers.NTP, p *Packet, r *types.NTP) {
		r.Timestamp = p.Timestamp
		if l.Mode != 7 {
			r.LeapIndicator = int32(l.LeapIndicator)
		}
		r.Version = int32(l.Version)
		r.Mode = int32(l.Mode)
		if !ntpControlMode(l.Mode) {
			r.Stratum = int32(l.Stratum)
			r.Poll = int32(l.Poll)
			r.Precision = int32(l.Precision)
			r.RootDelay = uint32(l.RootDelay)
			r.RootDispersion = uint32(l.RootDispersion)
			r.ReferenceID = uint32(l.ReferenceID)
			r.ReferenceTimestamp = uint64(l.ReferenceTimestamp)
			r.OriginTimestamp = uint64(l.OriginTimestamp)
			r.ReceiveTimestamp = uint64(l.ReceiveTimestamp)
			r.TransmitTimestamp = uint64(l.TransmitTimestamp)
			r.ExtensionBytes = copyBytes(l.ExtensionBytes)
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

// ntpControlMode reports whether mode is that of a control (6) or private
// (7) message, which do not have the time message's header.
func ntpControlMode(mode layers.NTPMode) bool { return mode == 6 || mode == 7 }

// ntpLayer decodes time messages with gopacket and control and private
// messages (of any length) as far as their first byte.
type ntpLayer struct{ layers.NTP }

func (n *ntpLayer) unwrap() gopacket.Layer { return &n.NTP }

func (n *ntpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) == 0 {
		df.SetTruncated()
		return errors.New("NTP message empty")
	}
	if mode := layers.NTPMode(data[0] & 0x07); ntpControlMode(mode) {
		n.NTP = layers.NTP{
			BaseLayer: layers.BaseLayer{Contents: data},
			Version:   layers.NTPVersion(data[0] >> 3 & 0x07),
			Mode:      mode,
		}
		if mode == 6 {
			n.LeapIndicator = layers.NTPLeapIndicator(data[0] >> 6)
		}
		return nil
	}
	return n.NTP.DecodeFromBytes(data, df)
}
