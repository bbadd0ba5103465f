package packet_test

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// dot11Type turns tshark's wlan.fc.type_subtype (type << 4 | subtype) into
// gopacket's Dot11Type (subtype << 2 | type).
func dot11Type(v string) string {
	n, err := strconv.ParseUint(v, 0, 16)
	if err != nil {
		return "bad type " + v
	}
	return strconv.FormatUint(n&0xf<<2|n>>4&3, 10)
}

// l2LEHex reads hex bytes as a little-endian number.
func l2LEHex(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) > 8 {
		return "bad bytes " + h
	}
	var n uint64
	for i := len(b) - 1; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	return strconv.FormatUint(n, 10)
}

// dot11Addr returns the MAC address tshark shows at offset off of the
// 802.11 header starting at pos (any 6-byte address field there), or "".
func dot11Addr(f tsharktest.Packet, pos, off int) string {
	for _, fl := range f.Nodes() {
		if fl.Pos == pos+off && fl.Size == 6 && strings.HasPrefix(fl.Name, "wlan.") && strings.Count(fl.Show, ":") == 5 {
			return fl.Show
		}
	}
	return ""
}

// dot11Case compares the Dot11 records with tshark's dissection: type and
// subtype, version, flags, duration/ID (the field's two bytes: tshark
// splits them into duration or association ID), the addresses at the four
// address positions of the header (a frame has the ones tshark shows),
// sequence and fragment numbers, the QoS control (TID, EOSP, ack policy
// from tshark's fields, TXOP its second byte) and the HT Control field
// (see dot11HTC).
var dot11Case = tsharktest.Case{
	Type:   "Dot11",
	Filter: dot11Filter,
	Columns: []string{"Type", "Proto", "Flags", "DurationID", "Address1", "Address2", "Address3", "Address4",
		"SequenceNumber", "FragmentNumber", "QOS", "HTControl"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.Dot11)
		qos := ""
		if q := r.QOS; q != nil {
			qos = strings.Join([]string{decimal(q.TID), boolDigit(q.EOSP), decimal(q.AckPolicy), decimal(q.TXOP)}, ";")
		}
		return []string{decimal(r.Type), decimal(r.Proto), decimal(r.Flags), decimal(r.DurationID), r.Address1, r.Address2,
			r.Address3, r.Address4, decimal(r.SequenceNumber), decimal(r.FragmentNumber), qos, dot11HTCOurs(r.HTControl)}
	},
	PacketRows: func(f tsharktest.Packet) [][]string {
		w := f.All("wlan")
		if len(w) == 0 {
			return [][]string{{"no wlan"}}
		}
		pos := w[0].Pos
		// The QoS control's bits (tshark names bit 4 by direction, the
		// record EOSP).
		qos := ""
		if q := f.All("wlan.qos"); len(q) > 0 {
			if b := l2Bytes(q[0]); len(b) == 2 {
				qos = strings.Join([]string{decimal(b[0] & 0xf), decimal(b[0] >> 4 & 1), decimal(b[0] >> 5 & 3), decimal(b[1])}, ";")
			}
		}
		return [][]string{{
			dot11Type(f.ShowOf("wlan.fc.type_subtype")), f.ShowOf("wlan.fc.version"), tsharktest.Normalize(f.ShowOf("wlan.flags")),
			l2LEHex(f.Span(pos+2, pos+4)), dot11Addr(f, pos, 4), dot11Addr(f, pos, 10), dot11Addr(f, pos, 16),
			dot11Addr(f, pos, 24), zeroWhenAbsent(f.ShowOf("wlan.seq")), zeroWhenAbsent(f.ShowOf("wlan.frag")), qos, dot11HTC(f),
		}}
	},
}

// dot11Filter selects the 802.11 frames: those with a frame control, but
// for management and data frames cut by the capture before the end of
// their 24-byte header, which gopacket (and so the parser) does not decode;
// tshark shows what was captured of them.
const dot11Filter = "wlan.fc && !(frame.cap_len < 24 && wlan.fc.type != 1)"

// dot11HTCOurs renders a record's HT Control as dot11HTC renders tshark's.
func dot11HTCOurs(h *types.Dot11HTControl) string {
	if h == nil {
		return ""
	}
	out := []string{boolDigit(h.ACConstraint), boolDigit(h.RDGMorePPDU)}
	if v := h.VHT; v != nil {
		mfb := v.MFB
		out = append(out, "vht", boolDigit(v.MRQ), boolDigit(v.UnsolicitedMFB), decimal(v.MSI), decimal(mfb.GetNumSTS()),
			decimal(mfb.GetVHTMCS()), decimal(mfb.GetBW()), decimal(mfb.GetSNR()), decimal(v.CompressedMSI), boolDigit(v.STBCIndication),
			decimal(v.MFSI), decimal(v.GID), decimal(v.CodingType), boolDigit(v.FbTXBeamformed))
	}
	if ht := h.HT; ht != nil {
		lac := ht.LinkAdapationControl
		out = append(out, "ht", boolDigit(lac.GetTRQ()), boolDigit(lac.GetMRQ()), decimal(lac.GetMSI()), decimal(lac.GetMFSI()),
			decimal(lac.GetMFB()), decimal(lac.GetASEL().GetCommand()), decimal(lac.GetASEL().GetData()),
			decimal(ht.CalibrationPosition), decimal(ht.CalibrationSequence), decimal(ht.CSISteering), boolDigit(ht.NDPAnnouncement), boolDigit(ht.DEI))
	}
	return strings.Join(out, ";")
}

// dot11HTC renders the HT Control field of a frame as tshark dissects it.
// Where tshark 4.0 has no field or a wrong one, the test reads the bits
// (802.11-2016 9.2.4.6): the HT variant's AC Constraint (B30), RDG/More
// PPDU (B31) and DEI (B29, data frames), which tshark shows as reserved;
// the VHT variant's MFSI/GID-L (B6-B8), which tshark has as booleans. The
// SNR field holds SNR - 22 dB (tshark shows the field, the record the
// SNR). Fields a variant does not carry are 0 in the record: the VHT
// variant's MSI without MRQ, its compressed MSI, STBC indication, GID,
// coding type and beamforming bit without unsolicited MFB; the HT
// variant's MRQ, MSI and MFB with antenna selection, ASEL without.
func dot11HTC(f tsharktest.Packet) string {
	h := f.All("wlan.htc")
	if len(h) == 0 {
		return ""
	}
	b := l2Bytes(h[0])
	if len(b) != 4 {
		return "bad HT Control " + h[0].Value
	}
	raw := binary.LittleEndian.Uint32(b)
	bit := func(n uint) string { return decimal(raw >> n & 1) }
	num := func(name string) string { return zeroWhenAbsent(tsharktest.Normalize(f.ShowOf(name))) }
	if f.ShowOf("wlan.htc.vht") == "1" {
		out := []string{num("wlan.htc.ac_constraint"), num("wlan.htc.rdg_more_ppdu")}
		b6 := raw >> 6 & 7
		unsolicited := num("wlan.htc.unsolicited_mfb")
		msi, cmsi, stbc, gid, coding, fb, mfsi := "0", "0", "0", "0", "0", "0", "0"
		if unsolicited == "1" {
			cmsi, stbc, coding, fb = num("wlan.htc.compressed_msi"), num("wlan.htc.ppdu_stbc_encoded"),
				num("wlan.htc.coding_type"), num("wlan.htc.fb_tx_type")
			gh, _ := strconv.Atoi(num("wlan.htc.gid_h"))
			gid = strconv.Itoa(int(b6) | gh<<3)
		} else {
			mfsi = decimal(b6)
			if num("wlan.htc.mrq") == "1" {
				msi = num("wlan.htc.msi")
			}
		}
		snr := "bad SNR"
		if n, err := strconv.Atoi(num("wlan.htc.snr")); err == nil {
			snr = strconv.Itoa(n + 22)
		}
		return strings.Join(append(out, "vht", num("wlan.htc.mrq"), unsolicited, msi, num("wlan.htc.num_sts"),
			num("wlan.htc.vht_mcs"), num("wlan.htc.bw"), snr, cmsi, stbc, mfsi, gid, coding, fb), ";")
	}
	mrq, msi, mfb, cmd, data := "0", "0", "0", "0", "0"
	if aseli := num("wlan.htc.lac.mai.aseli"); aseli == "14" {
		cmd, data = num("wlan.htc.lac.asel.command"), num("wlan.htc.lac.asel.data")
	} else {
		mrq, mfb = num("wlan.htc.lac.mai.mrq"), num("wlan.htc.lac.mfb")
		if mrq == "1" {
			msi = num("wlan.htc.lac.mai.msi")
		}
	}
	dei := "0"
	if f.ShowOf("wlan.fc.type") != "0" {
		dei = bit(29)
	}
	return strings.Join([]string{bit(30), bit(31), "ht", num("wlan.htc.lac.trq"), mrq, msi, num("wlan.htc.lac.mfsi"), mfb, cmd, data,
		num("wlan.htc.cal.pos"), num("wlan.htc.cal.seq"), num("wlan.htc.csi_steering"), num("wlan.htc.ndp_announcement"), dei}, ";")
}

// dot11FCS compares the frame check sequence of the frames that have one
// (radiotap says so) on pcap. Frames without one (radiotap without the FCS
// flag, the raw 802.11 link type, which tshark takes to have none) are not
// compared: gopacket takes their last 4 bytes for an FCS, and the parser
// does not tell it otherwise (see the report on the parser).
func dot11FCS(t *testing.T, pcap string) {
	t.Helper()
	filter := dot11Filter + " && radiotap.flags.fcs == 1"
	withFCS := map[string]bool{}
	for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: filter}) {
		withFCS[f.Time] = true
	}
	if len(withFCS) == 0 {
		return
	}
	compare(t, tsharktest.Case{
		Type:   "Dot11",
		Filter: filter,
		Keep:   func(m proto.Message) bool { return withFCS[tsharktest.RecordTime(m)] },
		Fields: []tsharktest.Field{
			{Ours: "SequenceNumber", Tshark: "wlan.seq", Conv: zeroWhenAbsent},
			// A frame cut by the snap length before its FCS has
			// none: 0 in the record.
			{Ours: "Checksum", Tshark: "wlan.fcs", Conv: zeroWhenAbsent},
		},
	}, pcap)
}

// dot11Captures are the public 802.11 captures: data frames (QoS and not,
// to and from the DS) with IP, ARP, DNS and mDNS, management frames (probes,
// beacons, authentication, association, mesh), control frames, behind
// radiotap and on the raw 802.11 link type (wlanmon, tim_ie_oobr: frames
// cut by the snap length), and one radiotap header without a frame
// (radiotap-heapoverflow, which tshark reads no 802.11 header from either).
var dot11Captures = []string{
	"public/arkime/80211http.pcap",
	"public/tcpdump/ieee802.11_exthdr.pcap",
	"public/tcpdump/ieee802.11_meshid.pcap",
	"public/tcpdump/ieee802.11_rx-stbc.pcap",
	"public/tcpdump/ieee802.11_tim_ie_oobr.pcap",
	"public/zeek/traces/radiotap.pcap",
	"public/zeek/traces/wlanmon.pcap",
	"public/zeek/traces/arp-who-has-radiotap.pcap",
}

func TestDot11AgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, dot11Captures...)
	compare(t, dot11Case, pcaps...)
	for _, p := range pcaps {
		dot11FCS(t, p)
	}
	// No Dot11 record from a radiotap header without a frame.
	if n := len(decodeCapture(t, testutil.Shared(t, "public/tcpdump/radiotap-heapoverflow.pcap")).Records(types.Type_NC_Dot11)); n != 0 {
		t.Errorf("radiotap-heapoverflow: %d Dot11 records, want 0", n)
	}
}

// TestDot11SynthAgainstTshark compares frames the public captures lack:
// control frames of every kind, four-address (WDS) data frames with a
// fragment number, protected and null data frames, and HT Control fields of
// the HT and VHT variants in QoS data and management frames.
func TestDot11SynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcap := writePcap(t, layers.LinkTypeIEEE80211Radio, dot11SyntheticFrames()...)
	compare(t, dot11Case, pcap)
	dot11FCS(t, pcap)
}

func FuzzDot11(f *testing.F) {
	var seeds [][]byte
	for _, fr := range dot11SyntheticFrames() {
		seeds = append(seeds, fr[9:])
	}
	fuzzLayer(f, layers.LayerTypeDot11, seeds...)
}

// dot11SyntheticFrames are 802.11 frames behind radiotap, with an FCS.
func dot11SyntheticFrames() [][]byte {
	a1, a2, a3, a4 := macA, macB, macBroadcast, macSTP
	htc := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	body := slices.Concat(snapHeader(0, 0x0800), smallIPv4UDP())
	frames := [][]byte{
		// Control frames: RTS, CTS, ACK, PS-Poll (AID 5 with its two top
		// bits set), BlockAckReq, BlockAck, CF-End, CF-End+CF-Ack.
		dot11Header(0xb4, 0, 500, -1, a1, a2),
		dot11Header(0xc4, 0, 300, -1, a1),
		dot11Header(0xd4, 0x10, 0, -1, a1),
		dot11Header(0xa4, 0, 0xc005, -1, a1, a2),
		slices.Concat(dot11Header(0x84, 0, 60, -1, a1, a2), []byte{0x04, 0x00, 0x10, 0x00}),
		slices.Concat(dot11Header(0x94, 0, 0, -1, a1, a2), []byte{0x05, 0x00, 0x10, 0x00}, make([]byte, 8)),
		dot11Header(0xe4, 0, 0, -1, a1, a2),
		dot11Header(0xf4, 0, 0, -1, a1, a2),
		// Four-address data frame, fragment 3, retry and more fragments.
		slices.Concat(dot11Header(0x08, 0x0f, 100, 0x7ff3, a1, a2, a3, a4), body),
		// Protected data, null data with power management, QoS null.
		slices.Concat(dot11Header(0x08, 0x41, 44, 0x100, a1, a2, a3), mustHex("0100002000000000"), body),
		dot11Header(0x48, 0x11, 44, 0x200, a1, a2, a3),
		slices.Concat(dot11Header(0xc8, 0x01, 44, 0x210, a1, a2, a3), []byte{0x07, 0x00}),
		// QoS data with EOSP and no-ack, TXOP 0x20.
		slices.Concat(dot11Header(0x88, 0x02, 44, 0x220, a1, a2, a3), []byte{0x35, 0x20}, body),
	}
	// QoS data with +HTC: HT variant (TRQ, MRQ with MSI 5, MFSI 3, MFB
	// 0x55, calibration position 2 and sequence 1, CSI steering 3, NDP
	// announcement, AC constraint, RDG), HT variant with ASEL (command 5,
	// data 9), VHT variant (MRQ, MSI 6, MFSI 5, MFB: NSTS 2, MCS 7, BW 1,
	// SNR 10), VHT variant with unsolicited MFB (compressed MSI 2, STBC, GID
	// 0x2b, LDPC, beamformed), in a QoS data frame and in a beacon.
	for _, v := range []uint32{
		0x2 | 0x4 | 5<<3 | 3<<6 | 0x55<<9 | 2<<16 | 1<<18 | 3<<22 | 1<<24 | 1<<30 | 1<<31,
		0x2 | 0xe<<2 | 5<<9 | 9<<12 | 1<<29,
		0x1 | 0x4 | 6<<3 | 5<<6 | 2<<9 | 7<<12 | 1<<16 | (10-22)&0x3f<<18 | 1<<30,
		0x1 | 2<<3 | 0x20 | 0x2b&3<<6 | 0x2b>>2&1<<8 | 3<<9 | 7<<12 | 0x2b>>3&7<<24 | 1<<27 | 1<<28 | 1<<29,
	} {
		frames = append(frames,
			slices.Concat(dot11Header(0x88, 0x81, 44, 0x300, a1, a2, a3), []byte{0x00, 0x00}, htc(v), body),
			slices.Concat(dot11Header(0x80, 0x80, 0, 0x310, a3, a2, a2), htc(v), make([]byte, 12)))
	}
	var out [][]byte
	for _, f := range frames {
		out = append(out, radiotapWithFCS(f))
	}
	return out
}
