package packet

import (
	"net"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// IGMP reads IGMPv1, v2 and v3: gopacket has a layer type for each
// family, so the decoder accepts either (gopacket.Layer) and switches.
// MaxResponseTime and IntervalTime are durations in nanoseconds, as Netcap.
//
// The durations are decoded here from the message's 8-bit codes, not
// taken from gopacket (v1.7.7), whose igmpTimeDecode is wrong for codes of
// 128 and more (it swaps exponent and mantissa and computes the shift in
// 8 bits, so most such codes come out as garbage or 0), reads the IGMPv3
// QQIC in tenths of a second where RFC 3376 4.1.7 counts seconds, and
// applies the IGMPv3 floating-point form to IGMPv1/v2, whose Max Resp Time
// (RFC 2236 2.2) is a plain count of tenths. gopacket keeps neither the
// codes nor the message's bytes: the parser's IGMP decoding layer (layers.go)
// keeps the bytes in the layer's Contents. gopacket also resets the Version
// of its IGMPv3 layer while decoding, so the decoder sets it: that layer
// holds only IGMPv3 messages.
var IGMP = newDecoder(
	decoder.Info{Name: "IGMP", Type: types.Type_NC_IGMP, Description: "Internet Group Management Protocol v1, v2 and v3"},
	layers.LayerTypeIGMP,
	func() gopacket.DecodingLayer { return &igmpLayer{} },
	func() *types.IGMP { return &types.IGMP{} },
	func(l gopacket.Layer, p *Packet, r *types.IGMP) {
		r.Timestamp = p.Timestamp
		switch g := l.(type) {
		case *layers.IGMPv1or2:
			r.Type = int32(g.Type)
			if msg := igmpMessage(g); msg != nil {
				r.MaxResponseTime = uint64(msg[1]) * uint64(100*time.Millisecond)
			} else {
				r.MaxResponseTime = igmpFallback(g.MaxResponseTime, 100*time.Millisecond)
			}
			r.Checksum = int32(g.Checksum)
			r.GroupAddress = ipString(g.GroupAddress)
			r.Version = int32(g.Version)
		case *layers.IGMP:
			r.Type = int32(g.Type)
			if g.Type == layers.IGMPMembershipQuery {
				// A report has neither field: its byte 1 is reserved.
				if msg := igmpMessage(g); len(msg) >= 12 {
					r.MaxResponseTime = igmpv3Value(msg[1]) * uint64(100*time.Millisecond)
					r.IntervalTime = igmpv3Value(msg[9]) * uint64(time.Second)
				} else {
					r.MaxResponseTime = igmpFallback(g.MaxResponseTime, 100*time.Millisecond)
					r.IntervalTime = igmpFallback(g.IntervalTime, time.Second)
				}
			}
			r.Checksum = int32(g.Checksum)
			r.GroupAddress = ipString(g.GroupAddress)
			r.SupressRouterProcessing = g.SupressRouterProcessing
			r.RobustnessValue = int32(g.RobustnessValue)
			r.SourceAddresses = ipStrings(g.SourceAddresses)
			r.NumberOfGroupRecords = int32(g.NumberOfGroupRecords)
			r.NumberOfSources = int32(g.NumberOfSources)
			r.Version = 3
			for _, gr := range g.GroupRecords {
				r.GroupRecords = append(r.GroupRecords, &types.IGMPv3GroupRecord{
					Type:             int32(gr.Type),
					AuxDataLen:       int32(gr.AuxDataLen),
					NumberOfSources:  int32(gr.NumberOfSources),
					MulticastAddress: ipString(gr.MulticastAddress),
					SourceAddresses:  ipStrings(gr.SourceAddresses),
				})
			}
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

// igmpMessage returns the message's bytes: the Contents the parser's IGMP
// decoding layer sets. Layers from gopacket's own decoder (the slow path
// behind PPP links) have none, and the decoder falls back to gopacket's
// durations.
func igmpMessage(l gopacket.Layer) []byte {
	if b := l.LayerContents(); len(b) >= 8 {
		return b
	}
	return nil
}

// igmpFallback is the duration of a code gopacket decoded into d when the
// message's bytes are not at hand: gopacket gets codes below 128 right, up
// to their unit (tenths of a second for all of them); larger codes are lost.
func igmpFallback(d time.Duration, unit time.Duration) uint64 {
	code := d / (100 * time.Millisecond)
	if code >= 128 {
		return 0
	}
	return uint64(code) * uint64(unit)
}

// igmpv3Value decodes an IGMPv3 Max Resp Code or QQIC (RFC 3376 4.1.1,
// 4.1.7): below 128 the value itself, else 1|exp(3 bits)|mant(4 bits)
// stands for (mant | 0x10) << (exp + 3).
func igmpv3Value(code uint8) uint64 {
	if code < 128 {
		return uint64(code)
	}
	mant, exp := code&0x0F, code>>4&0x07
	return uint64(mant|0x10) << (exp + 3)
}

func ipStrings(ips []net.IP) []string {
	if len(ips) == 0 {
		return nil
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ipString(ip)
	}
	return out
}
