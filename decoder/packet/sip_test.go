package packet_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// The SIP records are compared with tshark's PDML: the version, method
// and status from tshark's request or status line (a response's method
// from its CSeq header), and the headers from the header lines tshark
// delimits, grouped by name as the record holds them.

var sipCols = []string{"Version", "Method", "IsResponse", "ResponseCode", "ResponseStatus", "Headers",
	"SrcIP", "DstIP", "SrcPort", "DstPort"}

// sipMethods are the method codes of the record (gopacket's SIPMethod).
var sipMethods = map[string]layers.SIPMethod{
	"INVITE": layers.SIPMethodInvite, "ACK": layers.SIPMethodAck, "BYE": layers.SIPMethodBye,
	"CANCEL": layers.SIPMethodCancel, "OPTIONS": layers.SIPMethodOptions, "REGISTER": layers.SIPMethodRegister,
	"PRACK": layers.SIPMethodPrack, "SUBSCRIBE": layers.SIPMethodSubscribe, "NOTIFY": layers.SIPMethodNotify,
	"PUBLISH": layers.SIPMethodPublish, "INFO": layers.SIPMethodInfo, "REFER": layers.SIPMethodRefer,
	"MESSAGE": layers.SIPMethodMessage, "UPDATE": layers.SIPMethodUpdate, "PING": layers.SIPMethodPing,
}

// sipVersions are the version codes of the record (gopacket's SIPVersion).
var sipVersions = map[string]layers.SIPVersion{"SIP/1.0": layers.SIPVersion1, "SIP/2.0": layers.SIPVersion2}

func sipOurRow(m proto.Message) []string {
	r := m.(*types.SIP)
	return []string{decimal(r.Version), decimal(r.Method), boolDigit(r.IsResponse), decimal(r.ResponseCode), r.ResponseStatus,
		strings.Join(r.Headers, "\n"), r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
}

// sipRows renders each SIP message of a packet. A header line is a child
// of tshark's message header element, whose bytes are the line with its
// continuation lines; tshark sometimes adds elements for the same bytes
// (a generated Call-ID, hidden authentication fields), which are left
// out. The record's entry for a name is "name:values", the name in lower
// case, the values of its header lines (after the colon, without the
// surrounding blanks, continuation lines joined by a space) joined by
// commas, in the order the names first occur.
func sipRows(p tsharktest.Packet) [][]string {
	srcIP, dstIP, srcPort, dstPort := pdmlContext(p)
	var rows [][]string
	for _, s := range p.Outer("sip") {
		var version, method, isResponse, code, status string
		if line := s.ShowOf("sip.Status-Line"); line != "" {
			parts := strings.SplitN(line, " ", 3)
			version, isResponse, code = decimal(sipVersions[strings.ToUpper(parts[0])]), "1", s.ShowOf("sip.Status-Code")
			if len(parts) == 3 {
				status = parts[2]
			}
			method = decimal(sipMethods[strings.ToUpper(s.ShowOf("sip.CSeq.method"))])
		} else {
			line := s.ShowOf("sip.Request-Line")
			version = decimal(sipVersions[strings.ToUpper(line[strings.LastIndexByte(line, ' ')+1:])])
			method, isResponse, code = decimal(sipMethods[strings.ToUpper(s.ShowOf("sip.Method"))]), "0", "0"
		}
		var names []string
		values := map[string][]string{}
		if h := s.Find("sip.msg_hdr"); h != nil {
			seen := map[int]bool{}
			for _, c := range h.Children {
				if c.Hide == "yes" || seen[c.Pos] {
					continue
				}
				seen[c.Pos] = true
				b, err := hex.DecodeString(c.Value)
				colon := bytes.IndexByte(b, ':')
				if err != nil || colon < 0 {
					continue
				}
				name := strings.ToLower(strings.TrimSpace(string(b[:colon])))
				var lines []string
				for _, l := range strings.Split(string(b[colon+1:]), "\n") {
					if l = strings.Trim(l, " \t\r"); l != "" {
						lines = append(lines, l)
					}
				}
				if _, ok := values[name]; !ok {
					names = append(names, name)
				}
				values[name] = append(values[name], strings.Join(lines, " "))
			}
		}
		var headers []string
		for _, n := range names {
			headers = append(headers, types.WireBytes([]byte(n+":"+strings.Join(values[n], ","))))
		}
		rows = append(rows, []string{version, method, isResponse, code, status, strings.Join(headers, "\n"),
			srcIP, dstIP, srcPort, dstPort})
	}
	return rows
}

// sipCase compares SIP over UDP on the ports gopacket decodes as SIP
// (tshark also finds SIP on TCP and by heuristics on other ports).
var sipCase = tsharktest.Case{
	Type:       "SIP",
	Filter:     "sip && (udp.port == 5060 || udp.port == 5082 || udp.port == 5083)",
	Columns:    sipCols,
	PacketRows: sipRows,
	OursRow:    sipOurRow,
}

// TestSIPAgainstTsharkPublic: requests and responses of REGISTER, INVITE
// (with SDP bodies), ACK, CANCEL and BYE dialogs, authentication
// challenges, SIP over GRE and PPP (gopacket's slow path).
func TestSIPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, sipCase, sharedCaptures(t,
		"public/suricata-verify/sip-method/sip.pcap",
		"public/ndpi/webex.pcap",
		"public/ndpi/gre.pcapng",
	)...)
}

// sipSynthMessages are messages the captures lack: methods and headers
// the captures lack, a header folded over several lines, compact header
// names, a name used twice, a header without a value, a value that is no
// UTF-8, a response to a SUBSCRIBE; messages gopacket rejects; datagrams
// that are no SIP.
func sipSynthMessages() [][]byte {
	crlf := func(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n")) }
	options := crlf("OPTIONS sip:carol@chicago.example.com SIP/2.0",
		"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877",
		"v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK776asdhds",
		"Max-Forwards: 70",
		"To: <sip:carol@chicago.example.com>",
		"f: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
		"i: a84b4c76e66710",
		"CSeq: 63104 OPTIONS",
		"Subject: first line",
		"  second line",
		"\tthird line",
		"X-Empty:",
		"X-Binary: caf\xe9",
		"Accept: application/sdp",
		"Accept: text/plain",
		"Content-Length: 0",
		"", "")
	notifyOK := crlf("SIP/2.0 202 Accepted for now",
		"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds7",
		"From: <sip:alice@atlanta.example.com>;tag=1928301774",
		"To: <sip:bob@biloxi.example.com>;tag=a6c85cf",
		"Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
		"CSeq: 314159 SUBSCRIBE",
		"Expires: 600",
		"Content-Length: 0",
		"", "")
	message := crlf("MESSAGE sip:user2@domain.com SIP/2.0",
		"Via: SIP/2.0/UDP user1pc.domain.com;branch=z9hG4bK776sgdkse",
		"Max-Forwards: 70",
		"From: sip:user1@domain.com;tag=49583",
		"To: sip:user2@domain.com",
		"Call-ID: asd88asd77a@1.2.3.4",
		"CSeq: 1 MESSAGE",
		"Content-Type: text/plain",
		"Content-Length: 18",
		"",
		"Watson, come here.")
	// What gopacket rejects: a method it does not know, a CSeq and a
	// Content-Length that are no number, a response whose CSeq has a
	// method it does not know; and a continuation line whose header has
	// no value on its first line.
	unknown := crlf("KEEPALIVE sip:proxy.example.com SIP/2.0",
		"Via: SIP/2.0/UDP 192.0.2.1:5060",
		"CSeq: one KEEPALIVE",
		"Subject:",
		" folded",
		"Content-Length: none",
		"", "")
	frobnicated := crlf("SIP/2.0 299 Frobnicated", "CSeq: 7 FROBNICATE", "", "")
	// Not SIP: blanks without a line end (a keep-alive), a start line
	// with two parts, an unknown version.
	future := crlf("SIP/3.0 200 OK", "CSeq: 7 INVITE", "", "")
	blanks := []byte("     ")
	twoParts := crlf("HELLO world", "", "")
	return [][]byte{options, notifyOK, message, unknown, frobnicated, future, blanks, twoParts}
}

func TestSIPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for i, m := range sipSynthMessages() {
		ports := [][2]int{{5060, 5060}, {5082, 40000}, {40001, 5083}}[i%3]
		frames = append(frames, udpOverIPv4(t, ports[0], ports[1], m), udpOverIPv6(t, ports[1], ports[0], m))
	}
	compare(t, sipCase, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzSIP(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeSIP, sipSynthMessages()...)
}
