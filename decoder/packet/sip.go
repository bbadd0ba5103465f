package packet

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// SIP writes one record per SIP message on the UDP ports gopacket
// assigns to SIP (5060, 5082, 5083). Version and Method are gopacket's
// codes (layers.SIPVersion: 1 for SIP/1.0, 2 for SIP/2.0; layers.SIPMethod:
// 1 INVITE ... 15 PING, 0 for a method it does not know); a response's
// Method is that of its CSeq header. Headers has one
// entry per header name, as Netcap writes them: the name in lower case (a
// compact form such as "f" stays so), a colon and the values of all the
// header fields of that name, comma-separated, with folded lines joined by
// a space. Netcap listed them in Go map order, which changes from run to
// run; here they are in the order the names first occur in the message.
//
// The decoding layer reads the start line and headers itself: gopacket
// rejects a whole message for a method it does not know, a CSeq or
// Content-Length that is no number or a folded line it cannot attach, and
// takes a datagram without a complete line (a keep-alive of a few blanks)
// for a SIP message with no fields. Here a message needs a start line: a
// status line (SIP/2.0 or SIP/1.0, a three-digit code, a reason) or a
// request line (method, URI, SIP/2.0 or SIP/1.0); anything else yields no
// record.
var SIP = newDecoder(
	decoder.Info{Name: "SIP", Type: types.Type_NC_SIP, Description: "Session Initiation Protocol requests and responses"},
	layers.LayerTypeSIP,
	func() gopacket.DecodingLayer { return &sipLayer{} },
	func() *types.SIP { return &types.SIP{} },
	func(layer gopacket.Layer, p *Packet, r *types.SIP) {
		var s *sipLayer
		switch x := layer.(type) {
		case *sipLayer:
			s = x
		case *layers.SIP:
			// The parser's slow path (behind PPP links) decodes with
			// gopacket; the message is read again here, so that records
			// do not depend on the path.
			s = &sipLayer{}
			if s.decode(x.Contents) != nil {
				// What gopacket reads and the layer here does not
				// (a datagram without a complete line): gopacket's
				// fields, the headers sorted by name. (The parser
				// writes a record for every layer it found.)
				s.SIP = *x
				for name := range x.Headers {
					s.names = append(s.names, name)
				}
				slices.Sort(s.names)
			}
		default:
			return
		}
		r.Timestamp = p.Timestamp
		r.Version = int32(s.Version)
		r.Method = int32(s.Method)
		r.IsResponse = s.IsResponse
		r.ResponseCode = int32(s.ResponseCode)
		r.ResponseStatus = types.WireString(s.ResponseStatus)
		if len(s.names) > 0 {
			r.Headers = make([]string, len(s.names))
			for i, name := range s.names {
				r.Headers[i] = types.WireString(name + ":" + strings.Join(s.Headers[name], ","))
			}
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

var errSIPStartLine = errors.New("no SIP start line")

// sipLayer reads a SIP message's start line and headers into a
// layers.SIP (see SIP); names keeps the header names in the order
// they first occur.
type sipLayer struct {
	layers.SIP
	names []string
}

func (s *sipLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	return s.decode(data)
}

func (s *sipLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }
func (s *sipLayer) LayerPayload() []byte              { return s.BaseLayer.Payload }

func (s *sipLayer) decode(data []byte) error {
	s.SIP = layers.SIP{Headers: map[string][]string{}}
	s.names = s.names[:0]
	rest := data
	line := func() ([]byte, bool) {
		if len(rest) == 0 {
			return nil, false
		}
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		return bytes.Trim(l, "\r\n"), true
	}
	start, ok := line()
	if !ok || !s.startLine(string(start)) {
		return errSIPStartLine
	}
	var name string // the header a continuation line continues
	for {
		l, ok := line()
		if !ok || len(l) == 0 {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			// A folded line (RFC 3261 7.3.1): the line break and the
			// blanks around it stand for one space.
			if v := s.Headers[name]; len(v) > 0 {
				if more := strings.Trim(string(l), " \t"); more != "" {
					if v[len(v)-1] != "" {
						more = v[len(v)-1] + " " + more
					}
					v[len(v)-1] = more
				}
			}
			continue
		}
		colon := bytes.IndexByte(l, ':')
		if colon < 0 {
			name = ""
			continue // no header
		}
		name = strings.ToLower(strings.Trim(string(l[:colon]), " \t"))
		if _, seen := s.Headers[name]; !seen {
			s.names = append(s.names, name)
		}
		s.Headers[name] = append(s.Headers[name], strings.Trim(string(l[colon+1:]), " \t"))
	}
	if s.IsResponse {
		// A response's method is its CSeq's: "CSeq: 1 INVITE".
		if v := s.Headers["cseq"]; len(v) > 0 {
			if f := strings.Fields(v[0]); len(f) > 1 {
				s.Method = sipMethod(f[1])
			}
		}
	}
	s.Contents, s.BaseLayer.Payload = data[:len(data)-len(rest)], rest
	return nil
}

// startLine reads a status or request line into s; false when line is
// neither.
func (s *sipLayer) startLine(line string) bool {
	parts := strings.SplitN(line, " ", 3)
	if len(parts) < 3 {
		return false
	}
	if v, err := layers.GetSIPVersion(parts[0]); err == nil {
		// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
		code, err := strconv.Atoi(parts[1])
		if err != nil || len(parts[1]) != 3 {
			return false
		}
		s.IsResponse, s.Version, s.ResponseCode, s.ResponseStatus = true, v, code, parts[2]
		return true
	}
	// Request-Line = Method SP Request-URI SP SIP-Version
	v, err := layers.GetSIPVersion(parts[2])
	if err != nil || parts[0] == "" {
		return false
	}
	s.Method, s.RequestURI, s.Version = sipMethod(parts[0]), parts[1], v
	return true
}

// sipMethod is gopacket's code of a method, 0 for one it does not know.
func sipMethod(m string) layers.SIPMethod {
	code, err := layers.GetSIPMethod(m)
	if err != nil {
		return 0
	}
	return code
}
