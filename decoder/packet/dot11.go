package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Dot11 reads the IEEE 802.11 MAC header of every frame behind
// radiotap or on the raw 802.11 link type. Its slot replaces the transit
// Dot11 layer: the decoding layer is gopacket's, so data frames go on to
// their Dot11Data* layer, LLC and what they carry as before.
//
// Type is gopacket's Dot11Type: the frame control's subtype << 2 | type.
// Fields a frame does not have (the addresses of a control frame beyond its
// RA/TA, the sequence control of control frames, QoS and HT Control) are
// empty. Checksum is the frame's last 4 bytes, which gopacket always takes
// for the frame check sequence (see the parser for captures without one).
var Dot11 = newDecoder(
	decoder.Info{Name: "Dot11", Type: types.Type_NC_Dot11, Description: "IEEE 802.11 wireless LAN MAC headers"},
	layers.LayerTypeDot11,
	func() gopacket.DecodingLayer { return &layers.Dot11{} },
	func() *types.Dot11 { return &types.Dot11{} },
	func(l *layers.Dot11, p *Packet, r *types.Dot11) {
		r.Timestamp = p.Timestamp
		r.Type = int32(l.Type)
		r.Proto = int32(l.Proto)
		r.Flags = int32(l.Flags)
		r.DurationID = int32(l.DurationID)
		r.Address1 = macString(l.Address1)
		r.Address2 = macString(l.Address2)
		r.Address3 = macString(l.Address3)
		r.Address4 = macString(l.Address4)
		r.SequenceNumber = int32(l.SequenceNumber)
		r.FragmentNumber = int32(l.FragmentNumber)
		r.Checksum = l.Checksum
		if q := l.QOS; q != nil {
			r.QOS = &types.Dot11QOS{TID: int32(q.TID), EOSP: q.EOSP, AckPolicy: int32(q.AckPolicy), TXOP: int32(q.TXOP)}
		}
		if h := l.HTControl; h != nil {
			r.HTControl = dot11HTControl(h)
		}
	},
)

func dot11HTControl(h *layers.Dot11HTControl) *types.Dot11HTControl {
	out := &types.Dot11HTControl{ACConstraint: h.ACConstraint, RDGMorePPDU: h.RDGMorePPDU}
	if v := h.VHT; v != nil {
		out.VHT = &types.Dot11HTControlVHT{
			MRQ:            v.MRQ,
			UnsolicitedMFB: v.UnsolicitedMFB,
			MSI:            u8ptr(v.MSI),
			MFB: &types.Dot11HTControlMFB{
				NumSTS: int32(v.MFB.NumSTS),
				VHTMCS: int32(v.MFB.VHTMCS),
				BW:     int32(v.MFB.BW),
				SNR:    int32(v.MFB.SNR),
			},
			CompressedMSI:  u8ptr(v.CompressedMSI),
			STBCIndication: v.STBCIndication,
			MFSI:           u8ptr(v.MFSI),
			GID:            u8ptr(v.GID),
			FbTXBeamformed: v.FbTXBeamformed,
		}
		if v.CodingType != nil {
			out.VHT.CodingType = int32(*v.CodingType)
		}
	}
	if ht := h.HT; ht != nil {
		out.HT = &types.Dot11HTControlHT{
			CalibrationPosition: int32(ht.CalibrationPosition),
			CalibrationSequence: int32(ht.CalibrationSequence),
			CSISteering:         int32(ht.CSISteering),
			NDPAnnouncement:     ht.NDPAnnouncement,
			DEI:                 ht.DEI,
		}
		if lac := ht.LinkAdapationControl; lac != nil {
			out.HT.LinkAdapationControl = &types.Dot11LinkAdapationControl{
				TRQ:  lac.TRQ,
				MRQ:  lac.MRQ,
				MSI:  int32(lac.MSI),
				MFSI: int32(lac.MFSI),
				MFB:  u8ptr(lac.MFB),
			}
			if a := lac.ASEL; a != nil {
				out.HT.LinkAdapationControl.ASEL = &types.Dot11ASEL{Command: int32(a.Command), Data: int32(a.Data)}
			}
		}
	}
	return out
}

// u8ptr is the value of an optional field gopacket leaves nil when the
// frame does not carry it: 0 then.
func u8ptr(v *uint8) int32 {
	if v == nil {
		return 0
	}
	return int32(*v)
}
