package packet_test

import (
	"cmp"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// avp builds a Diameter AVP: code, flags (V 0x80, M 0x40, P 0x20), a
// Vendor-ID when V is set, the value, then padding to 32 bits (not counted
// in the AVP Length).
func avp(code uint32, flags byte, vendor uint32, value []byte) []byte {
	b := be32(code)
	hl := 8
	if flags&0x80 != 0 {
		hl = 12
	}
	n := hl + len(value)
	b = append(b, flags, byte(n>>16), byte(n>>8), byte(n))
	if flags&0x80 != 0 {
		b = append(b, be32(vendor)...)
	}
	b = append(b, value...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// avpU32 and avpStr are AVPs (mandatory, no vendor) with a 32-bit value or
// a string.
func avpU32(code, v uint32) []byte        { return avp(code, 0x40, 0, be32(v)) }
func avpStr(code uint32, s string) []byte { return avp(code, 0x40, 0, []byte(s)) }

// avpGroup is a Grouped AVP holding members.
func avpGroup(code uint32, flags byte, vendor uint32, members ...[]byte) []byte {
	return avp(code, flags, vendor, slices.Concat(members...))
}

// diameterMsg is a Diameter message: version 1, length, command flags (R
// 0x80, P 0x40, E 0x20, T 0x10), command code, application ID, hop-by-hop
// and end-to-end identifiers, AVPs.
func diameterMsg(flags byte, cmd, app, hbh, e2e uint32, avps ...[]byte) []byte {
	body := slices.Concat(avps...)
	n := 20 + len(body)
	b := []byte{1, byte(n >> 16), byte(n >> 8), byte(n), flags, byte(cmd >> 16), byte(cmd >> 8), byte(cmd)}
	return slices.Concat(b, be32(app), be32(hbh), be32(e2e), body)
}

// diameterSamples are Diameter messages of the base protocol and the
// Credit-Control application with AVPs of every data format (RFC 6733
// 4.2, 4.3): strings, identities, IPv4 and IPv6 addresses, Unsigned32/64,
// negative Integer32/64, Enumerated, Time, octet strings, Grouped AVPs
// nested two deep, 3GPP vendor AVPs (one Grouped), an AVP of a vendor and
// one of a code this decoder does not know, lengths that need padding, and
// the R, P, E and T flags.
func diameterSamples() [][]byte {
	ipv4 := slices.Concat(be16(1), []byte{192, 0, 2, 7})
	ipv6 := slices.Concat(be16(2), mustHex("20010db8000000000000000000000007"))
	cer := diameterMsg(0x80, 257, 0, 0x11111111, 0x22222222,
		avp(264, 0x40, 0, []byte("peer1.example.net")),
		avp(296, 0x40, 0, []byte("example.net")),
		avp(257, 0x40, 0, ipv4),
		avp(257, 0x40, 0, ipv6),
		avpU32(266, 10415),
		avp(269, 0x00, 0, []byte("netcap-test")),
		avpU32(278, 0xfffffffe),
		avpU32(265, 10415),
		avpU32(258, 4),
		avpGroup(260, 0x40, 0, avpU32(266, 10415), avpU32(258, 16777251)),
		avpU32(267, 1),
	)
	ccr := diameterMsg(0xc0, 272, 4, 0x33333333, 0x44444444,
		avpStr(263, "peer1.example.net;1;2;x"),
		avpStr(264, "peer1.example.net"),
		avpStr(296, "example.net"),
		avpStr(283, "example.org"),
		avpU32(258, 4),
		avpStr(461, "32251@3gpp.org"),
		avpU32(416, 2),
		avpU32(415, 1),
		avp(55, 0x40, 0, be32(0xe1b6b980)), // 2020-01-01T00:00:00Z
		avpGroup(443, 0x40, 0, avpU32(450, 0), avpStr(444, "491701234567")),
		avpGroup(456, 0x40, 0,
			avpGroup(437, 0x40, 0, avp(421, 0x40, 0, mustHex("0000000100000000"))),
			avpU32(432, 100),
			avpGroup(446, 0x40, 0, avpU32(420, 3600), avp(412, 0x40, 0, mustHex("ffffffffffffffff")))),
		avpGroup(458, 0x00, 0, avpU32(459, 0), avp(460, 0x00, 0, mustHex("3533353233313037"))),
		avp(1032, 0xc0, 10415, be32(1004)),
		avpGroup(628, 0x80, 10415, avpU32(266, 10415), avp(629, 0x80, 10415, be32(1)), avp(630, 0x80, 10415, be32(0x1c000607))),
		avp(429, 0x40, 0, be32(0xfffffffe)),
		avp(447, 0x40, 0, mustHex("fffffffffffffc18")),
		avp(99999, 0x00, 0, []byte{1, 2, 3}),
		avp(1, 0xa0, 9999, []byte("vendor9999")),
	)
	cca := diameterMsg(0x60, 272, 4, 0x33333333, 0x44444444,
		avpStr(263, "peer1.example.net;1;2;x"),
		avpU32(268, 5005),
		avpStr(281, "missing AVP"),
		avpGroup(279, 0x40, 0, avpU32(415, 1)),
		avpGroup(297, 0x40, 0, avpU32(266, 10415), avpU32(298, 5001)),
	)
	dwr := diameterMsg(0x90, 280, 0, 1, 2, avpStr(264, "peer1.example.net"), avpStr(296, "example.net"))
	dwa := diameterMsg(0x00, 280, 0, 1, 2, avpU32(268, 2001), avpStr(264, "peer2.example.net"), avpStr(296, "example.net"))
	return [][]byte{cer, ccr, cca, dwr, dwa}
}

// TestDiameterSynthAgainstTshark compares diameterSamples (the public
// captures have no Diameter), one per TCP segment, then two in one
// segment, one split over two segments, and segments that are no
// Diameter.
func TestDiameterSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	s := diameterSamples()
	var frames [][]byte
	for i, m := range s {
		frames = append(frames, tcpFrame(t, 40000+i, 3868, 1, m))
	}
	frames = append(frames, tcpFrame(t, 41000, 3868, 1, slices.Concat(s[3], s[4])))
	frames = append(frames, tcpFrame(t, 41001, 3868, 1, s[1][:100]), tcpFrame(t, 41001, 3868, 101, s[1][100:]))
	// Too short for a message (an Origin-Host and an Origin-Realm are
	// missing), a wrong version, a reserved flag, R and E flags together:
	// no Diameter.
	frames = append(frames, tcpFrame(t, 41002, 3868, 1, diameterMsg(0x80, 280, 0, 1, 2, avpU32(268, 2001))))
	for i, m := range [][]byte{slices.Concat([]byte{2}, s[3][1:]), slices.Concat(s[3][:4], []byte{0x88}, s[3][5:]),
		slices.Concat(s[3][:4], []byte{0xa0}, s[3][5:])} {
		frames = append(frames, tcpFrame(t, 41003+i, 3868, 1, m))
	}
	compare(t, diameterCase(t), writePcap(t, layers.LinkTypeEthernet, frames...))
}

// diameterCase compares every field of the Diameter record, with its AVPs
// in the order tshark shows them (a Grouped AVP, then its members), with
// tshark's Diameter dissection (read per segment, noDesegment).
//
// Per AVP, the code, flags, length and Vendor-ID are tshark's; HeaderLen
// is 12 with a Vendor-ID, else 8; Value, ValueLen and Padding are the
// bytes of tshark's value and padding fields. tshark's AVP summary ("AVP:
// Origin-Host(264) l=25 f=-M- vnd=TGPP val=...") names the AVP ("Unknown"
// where we have no name either) and the vendor's dictionary identifier;
// the vendor's name is the one tshark shows with its Vendor-ID ("3GPP"),
// expected only for vendors of Wireshark's Diameter dictionary (others
// are unknown to us too). AttributeFormat is the AVP's type in
// Wireshark's Diameter dictionary (diameterDictionary), with the data
// formats of RFC 6733 4.2/4.3 for Wireshark's own type names and where
// Wireshark's types differ from the RFCs (diameterRFCFormats).
// DecodedValue renders tshark's value by that format: tshark's text for
// strings and numbers (enumerations as their number), its address for an
// Address, its time in RFC 3339, hex for octet strings and unknown AVPs,
// nothing for Grouped AVPs.
func diameterCase(t *testing.T) tsharktest.Case {
	dict := diameterDictionary(t)
	return tsharktest.Case{
		Type:   "Diameter",
		Filter: "diameter",
		Args:   noDesegment,
		Columns: []string{"Version", "Flags", "MessageLen", "CommandCode", "ApplicationID", "HopByHopID", "EndToEndID", "AVPs",
			"SrcIP", "DstIP", "SrcPort", "DstPort"},
		OursRow: func(m proto.Message) []string {
			r := m.(*types.Diameter)
			var avps []string
			for _, a := range r.AVPs {
				avps = append(avps, strings.Join([]string{decimal(a.AttributeCode), a.AttributeName, a.AttributeFormat,
					decimal(a.Flags), decimal(a.HeaderLen), decimal(a.Len), decimal(a.VendorCode), a.VendorName, a.VendorID,
					a.DecodedValue, decimal(a.Padding), hex.EncodeToString(a.Value), decimal(a.ValueLen)}, ";"))
			}
			return []string{decimal(r.Version), decimal(r.Flags), decimal(r.MessageLen), decimal(r.CommandCode), decimal(r.ApplicationID),
				decimal(r.HopByHopID), decimal(r.EndToEndID), joinList(avps), r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
		},
		PacketRows: func(p tsharktest.Packet) [][]string {
			src, dst := p.Addrs()
			sport, dport := p.Ports()
			var rows [][]string
			for _, d := range p.Protocols("diameter") {
				if d.Field("diameter.version") == nil {
					continue // tshark names the protocol but does not dissect it
				}
				var avps []string
				for _, a := range diameterAVPNodes(d) {
					avps = append(avps, diameterExpectedAVP(a, dict))
				}
				rows = append(rows, []string{d.Val("diameter.version"), d.Val("diameter.flags"), d.Val("diameter.length"),
					d.Val("diameter.cmd.code"), d.Val("diameter.applicationId"), d.Val("diameter.hopbyhopid"),
					d.Val("diameter.endtoendid"), joinList(avps), src, dst, sport, dport})
			}
			return rows
		},
	}
}

// diameterAVPNodes returns the AVP fields under n, each followed by those
// it holds (a Grouped AVP's members), depth first.
func diameterAVPNodes(n *tsharktest.Node) []*tsharktest.Node {
	var out []*tsharktest.Node
	for _, c := range n.Children {
		if c.Proto {
			continue
		}
		if c.Name == "diameter.avp" {
			out = append(out, c)
		}
		out = append(out, diameterAVPNodes(c)...)
	}
	return out
}

// diameterSummary reads tshark's AVP summary: "AVP: <name>(<code>) l=<len>
// f=<flags>[ vnd=<vendor>][ val=<value>]".
var diameterSummary = regexp.MustCompile(`^AVP: (.*)\((\d+)\) l=\d+ f=\S+(?: vnd=(\S+))?`)

// diameterAVPField are the fields of an AVP that are not its value.
var diameterAVPField = map[string]bool{
	"diameter.avp.code": true, "diameter.avp.flags": true, "diameter.avp.len": true, "diameter.avp.vendorId": true,
	"diameter.avp.pad": true, "diameter.avp": true, "diameter.vendorId": true,
}

// diameterExpectedAVP renders what tshark shows of AVP a like the test
// renders our AVPs.
func diameterExpectedAVP(a *tsharktest.Node, dict map[[2]uint32]string) string {
	var value, pad *tsharktest.Node
	for _, c := range a.Children {
		switch {
		case c.Name == "diameter.avp.pad":
			pad = c
		case value == nil && strings.HasPrefix(c.Name, "diameter.") && !diameterAVPField[c.Name]:
			value = c
		}
	}
	code, _ := strconv.ParseUint(a.Val("diameter.avp.code"), 10, 32)
	name, vendorID, vendorName, vendor := "", "", "", "0"
	if m := diameterSummary.FindStringSubmatch(a.ShowName); m != nil {
		name, vendorID = m[1], m[3]
	}
	if _, err := strconv.Atoi(vendorID); err == nil {
		vendorID = "" // a vendor Wireshark's dictionary lacks: tshark shows its number
	}
	if name == "Unknown" {
		name = ""
	}
	headerLen := "8"
	if v := a.Field("diameter.avp.vendorId"); v != nil {
		headerLen, vendor = "12", v.Show
		if vendorID != "" {
			vendorName, _, _ = strings.Cut(strings.TrimPrefix(v.ShowName, "AVP Vendor Id: "), " (")
		}
	}
	vendorCode, _ := strconv.ParseUint(vendor, 10, 32)
	format := dict[[2]uint32{uint32(code), uint32(vendorCode)}]
	if name == "" {
		format = ""
	}
	var raw []byte
	decoded := ""
	if value != nil {
		raw, _ = hex.DecodeString(value.Value)
		decoded = diameterExpectedValue(format, value, raw)
	}
	padding := 0
	if pad != nil {
		padding = pad.Size
	}
	return strings.Join([]string{strconv.FormatUint(code, 10), name, format, a.Val("diameter.avp.flags"), headerLen,
		a.Val("diameter.avp.len"), vendor, vendorName, vendorID, decoded, strconv.Itoa(padding),
		hex.EncodeToString(raw), strconv.Itoa(len(raw))}, ";")
}

// diameterExpectedValue renders tshark's value field v of an AVP of the
// given format (raw are its bytes).
func diameterExpectedValue(format string, v *tsharktest.Node, raw []byte) string {
	switch format {
	case "Grouped":
		return ""
	case "UTF8String", "DiameterIdentity", "DiameterURI", "IPFilterRule", "QoSFilterRule",
		"Integer32", "Integer64", "Unsigned32", "Unsigned64", "Enumerated", "Float32", "Float64":
		return v.Show
	case "Address":
		for _, c := range v.Children {
			if strings.HasSuffix(c.Name, ".IPv4") || strings.HasSuffix(c.Name, ".IPv6") {
				return c.Show
			}
		}
	case "Time":
		tm, err := time.Parse("Jan _2, 2006 15:04:05.000000000 MST", v.Show)
		if err != nil {
			return "bad time " + v.Show
		}
		return tm.UTC().Format(time.RFC3339)
	}
	return hex.EncodeToString(raw)
}

// diameterRFCFormats are the data formats of AVPs whose type in
// Wireshark's dictionary differs from their RFC's: Result-Code,
// Experimental-Result-Code, Session-Binding, Inband-Security-Id and
// Authorization-Lifetime are Unsigned32 in RFC 6733 (4.5, 8.1, 7.7),
// Framed-IP-Address is an OctetString in RFC 7155 (4.4.10.5.1).
var diameterRFCFormats = map[[2]uint32]string{
	{268, 0}: "Unsigned32", {298, 0}: "Unsigned32", {270, 0}: "Unsigned32", {299, 0}: "Unsigned32",
	{291, 0}: "Unsigned32", {8, 0}: "OctetString",
}

// diameterDictionary reads the AVP types of Wireshark's Diameter
// dictionary (the XML files tshark loads), by code and vendor, as RFC
// 6733 data formats: Wireshark's IPAddress is an Address, AppId and
// VendorId are Unsigned32, OctetStringOrUTF8 is an OctetString.
func diameterDictionary(t *testing.T) map[[2]uint32]string {
	t.Helper()
	files, err := filepath.Glob("/usr/share/wireshark/diameter/*.xml")
	if err != nil || len(files) == 0 {
		t.Skip("no Wireshark Diameter dictionary in /usr/share/wireshark/diameter")
	}
	attr := regexp.MustCompile(`([\w-]+)="([^"]*)"`)
	vendorRE := regexp.MustCompile(`<vendor\s([^>]*)>`)
	avpRE := regexp.MustCompile(`(?s)<avp\s([^>]*)>(.*?)</avp>`)
	typeRE := regexp.MustCompile(`<type\s+type-name="(\w+)"`)
	attrs := func(s string) map[string]string {
		m := map[string]string{}
		for _, a := range attr.FindAllStringSubmatch(s, -1) {
			m[a[1]] = a[2]
		}
		return m
	}
	vendors := map[string]uint32{"": 0, "None": 0}
	var texts []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
		for _, m := range vendorRE.FindAllStringSubmatch(string(b), -1) {
			a := attrs(m[1])
			if n, err := strconv.ParseUint(a["code"], 10, 32); err == nil {
				vendors[a["vendor-id"]] = uint32(n)
			}
		}
	}
	names := map[string]string{"IPAddress": "Address", "AppId": "Unsigned32", "VendorId": "Unsigned32", "OctetStringOrUTF8": "OctetString"}
	dict := map[[2]uint32]string{}
	for _, text := range texts {
		for _, m := range avpRE.FindAllStringSubmatch(text, -1) {
			a := attrs(m[1])
			code, err := strconv.ParseUint(a["code"], 10, 32)
			if err != nil {
				continue
			}
			format := "Grouped"
			if tm := typeRE.FindStringSubmatch(m[2]); tm != nil {
				format = tm[1]
			} else if !strings.Contains(m[2], "<grouped") {
				continue
			}
			if n, ok := names[format]; ok {
				format = n
			}
			key := [2]uint32{uint32(code), vendors[a["vendor-id"]]}
			if _, dup := dict[key]; !dup { // tshark uses the first definition
				dict[key] = format
			}
		}
	}
	for k, v := range diameterRFCFormats {
		dict[k] = v
	}
	return dict
}

// TestDiameterDictionary checks the decoder's AVP names and formats
// against Wireshark's: a message per AVP of Wireshark's dictionary
// without a vendor or of 3GPP (a 4-byte value, none in a group; an
// Origin-Host follows), and every
// AVP the decoder names must have tshark's name for it and the
// dictionary's format (diameterDictionary, with the RFCs' formats where
// they differ; diameterRFCNames).
func TestDiameterDictionary(t *testing.T) {
	t.Parallel()
	dict := diameterDictionary(t)
	var keys [][2]uint32
	for k := range dict {
		if k[1] == 0 || k[1] == 10415 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b [2]uint32) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	// writePcap's timestamps hold up to 1000 frames per capture.
	named := 0
	for chunk := range slices.Chunk(keys, 900) {
		named += diameterCheckNames(t, dict, chunk)
	}
	if named < 100 {
		t.Errorf("only %d AVPs named", named)
	}
	t.Logf("%d AVP names and formats agree with Wireshark's dictionary (%d AVPs tried)", named, len(keys))
}

// diameterCheckNames decodes a message per AVP of keys and checks the
// names and formats the decoder gives against tshark's and dict's; it
// returns how many AVPs the decoder named.
func diameterCheckNames(t *testing.T, dict map[[2]uint32]string, keys [][2]uint32) int {
	var frames [][]byte
	for i, k := range keys {
		flags, value := byte(0x40), be32(k[0])
		if k[1] != 0 {
			flags = 0xc0
		}
		if dict[k] == "Grouped" {
			value = nil // 4 bytes would make a malformed group
		}
		// tshark takes a message on TCP for Diameter from 36 bytes on.
		msg := diameterMsg(0x80, 272, 4, uint32(i), 1, avp(k[0], flags, k[1], value), avpStr(264, "host.example"))
		frames = append(frames, tcpFrame(t, 40000+i, 3868, 1, msg))
	}
	pcap := writePcap(t, layers.LinkTypeEthernet, frames...)
	theirs := map[string]string{} // by timestamp: tshark's summary of the frame's AVP
	for _, p := range tsharktest.PDML(t, pcap, "diameter", noDesegment...) {
		if a := diameterAVPNodes(p.Protocols("diameter")[0]); len(a) == 2 {
			theirs[p.Time] = a[0].ShowName
		}
	}
	named := 0
	for _, m := range decodeCapture(t, pcap).Records(types.Type_NC_Diameter) {
		r := m.(*types.Diameter)
		if len(r.AVPs) != 2 || r.AVPs[0].AttributeName == "" {
			continue
		}
		a := r.AVPs[0]
		named++
		summary := theirs[tsharktest.RecordTime(m)]
		name := ""
		if s := diameterSummary.FindStringSubmatch(summary); s != nil {
			name = s[1]
		}
		if n, ok := diameterRFCNames[[2]uint32{a.AttributeCode, a.VendorCode}]; ok && name != "" {
			name = n
		}
		format := dict[[2]uint32{a.AttributeCode, a.VendorCode}]
		if name != a.AttributeName || format != a.AttributeFormat {
			t.Errorf("AVP %d (vendor %d): %s, %s; tshark %q, dictionary %s", a.AttributeCode, a.VendorCode,
				a.AttributeName, a.AttributeFormat, summary, format)
		}
	}
	return named
}

// diameterRFCNames are AVP names of the RFCs that Wireshark's dictionary
// spells otherwise: Acct-Multi-Session-Id (RFC 6733 9.8.5), which
// Wireshark calls Accounting-Multi-Session-Id.
var diameterRFCNames = map[[2]uint32]string{{50, 0}: "Acct-Multi-Session-Id"}

func FuzzDiameter(f *testing.F) { fuzzLayer(f, layers.LayerTypeDiameter, diameterSamples()...) }
