// Package dpi classifies the application protocol of a connection from the
// content of its first payloads: a pure-Go replacement for the optional cgo
// nDPI of Netcap v0.6.11.
//
// Detect looks at one payload at a time and names a protocol only when the
// bytes show its structure (a request line ending in a protocol version, a
// banner, a binary header whose length fields agree with the payload, …).
// Ports never decide alone: they only choose between protocols whose content
// matches equally well (a bare "220 " banner is FTP on port 21 and SMTP on
// port 25; USER is FTP on 21 and POP3 on 110; a DNS-format message is mDNS
// on 5353 and LLMNR on 5355), or confirm a protocol whose header is too weak
// to stand alone (NTP needs port 123, Modbus port 502, DHCPv6 port 546/547 on
// one side). Without such a port these give "".
//
// Some payloads decide nothing on purpose: TLS application data and alerts
// (indistinguishable from random bytes after a 5-byte header), a NetBIOS
// session request (SMB follows and names the connection), ISO-TSAP connection
// setup (the S7comm or RDP data that follows decides).
//
// Detect does not allocate and returns package constants; every check starts
// with a few cheap byte comparisons, so a payload nothing matches costs a few
// tens of nanoseconds.
package dpi

import "sort"

// Transport is the IP protocol number of the transport carrying the payload.
type Transport uint8

// Transports Detect knows.
const (
	TCP Transport = 6
	UDP Transport = 17
)

// Names Detect returns.
const (
	nameBGP        = "BGP"
	nameDHCP       = "DHCP"
	nameDHCPv6     = "DHCPv6"
	nameDNS        = "DNS"
	nameDTLS       = "DTLS"
	nameENIP       = "ENIP"
	nameFTP        = "FTP"
	nameHTTP       = "HTTP"
	nameIMAP       = "IMAP"
	nameKerberos   = "Kerberos"
	nameLLMNR      = "LLMNR"
	nameMDNS       = "MDNS"
	nameModbus     = "Modbus"
	nameMQTT       = "MQTT"
	nameMySQL      = "MySQL"
	nameNetBIOS    = "NetBIOS"
	nameNTP        = "NTP"
	namePOP3       = "POP3"
	namePostgreSQL = "PostgreSQL"
	nameQUIC       = "QUIC"
	nameRDP        = "RDP"
	nameRedis      = "Redis"
	nameRTSP       = "RTSP"
	nameS7comm     = "S7comm"
	nameSIP        = "SIP"
	nameSMB        = "SMB"
	nameSMTP       = "SMTP"
	nameSNMP       = "SNMP"
	nameSSDP       = "SSDP"
	nameSSH        = "SSH"
	nameSTUN       = "STUN"
	nameTelnet     = "Telnet"
	nameTLS        = "TLS"
)

// categories maps every name Detect returns to its category.
var categories = map[string]string{
	nameBGP:        "Network",
	nameDHCP:       "Network",
	nameDHCPv6:     "Network",
	nameDNS:        "Network",
	nameDTLS:       "Web",
	nameENIP:       "ICS",
	nameFTP:        "FileTransfer",
	nameHTTP:       "Web",
	nameIMAP:       "Mail",
	nameKerberos:   "Network",
	nameLLMNR:      "Network",
	nameMDNS:       "Network",
	nameModbus:     "ICS",
	nameMQTT:       "IoT",
	nameMySQL:      "Database",
	nameNetBIOS:    "Network",
	nameNTP:        "Network",
	namePOP3:       "Mail",
	namePostgreSQL: "Database",
	nameQUIC:       "Web",
	nameRDP:        "RemoteAccess",
	nameRedis:      "Database",
	nameRTSP:       "Media",
	nameS7comm:     "ICS",
	nameSIP:        "VoIP",
	nameSMB:        "FileSharing",
	nameSMTP:       "Mail",
	nameSNMP:       "Network",
	nameSSDP:       "Network",
	nameSSH:        "RemoteAccess",
	nameSTUN:       "Network",
	nameTelnet:     "RemoteAccess",
	nameTLS:        "Web",
}

// Category returns a coarse category for a name Detect returns ("Web",
// "Network", "Mail", "RemoteAccess", "FileTransfer", "FileSharing", "VoIP",
// "Media", "ICS", "Database", "IoT"), or "" for a name Detect never returns.
func Category(name string) string {
	return categories[name]
}

// Names lists every name Detect can return, sorted.
func Names() []string {
	names := make([]string, 0, len(categories))
	for n := range categories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Detect returns the application protocol one payload shows, or "" when this
// payload alone does not tell. fromClient says the payload goes from the
// connection's initiator to its responder; it is only a hint (a capture can
// start in the middle of a connection), so no check depends on it.
//
// The flow table calls Detect for the first payload-carrying packets of a
// connection until it returns a name. Detect never panics, whatever the input,
// and does not allocate.
func Detect(t Transport, srcPort, dstPort uint16, fromClient bool, payload []byte) string {
	_ = fromClient
	if len(payload) < 3 {
		return ""
	}
	switch t {
	case TCP:
		return detectTCP(ports{srcPort, dstPort}, payload)
	case UDP:
		return detectUDP(ports{srcPort, dstPort}, payload)
	}
	return ""
}

// ports holds a payload's source and destination port.
type ports struct{ src, dst uint16 }

// has reports whether either side uses port p.
func (pp ports) has(p uint16) bool { return pp.src == p || pp.dst == p }

func detectTCP(pp ports, p []byte) string {
	b0 := p[0]
	if isTextStart(b0) {
		if n := detectTextTCP(pp, p); n != "" {
			return n
		}
	}
	switch b0 {
	case 0x16:
		if isTLSHandshake(p) {
			return nameTLS
		}
	case 0x03:
		if n := detectTPKT(p); n != "" {
			return n
		}
	case 0xff:
		if isBGP(p) {
			return nameBGP
		}
		if isTelnet(p) {
			return nameTelnet
		}
	case 0x10:
		if isMQTTConnect(p) {
			return nameMQTT
		}
	case 0x00:
		if isSMB(p) {
			return nameSMB
		}
		if isPostgres(p) {
			return namePostgreSQL
		}
		if len(p) > 4 && p[1]&0x80 == 0 && isKerberos(p[4:], be32(p, 0)) {
			return nameKerberos
		}
	}
	if b0&0x80 != 0 && isSSLv2Hello(p) {
		return nameTLS
	}
	if isMySQLGreeting(p) {
		return nameMySQL
	}
	if n := detectDNSOverTCP(pp, p); n != "" {
		return n
	}
	if pp.has(502) && isModbus(p) {
		return nameModbus
	}
	if isENIP(p, true) {
		return nameENIP
	}
	if isSTUN(p) {
		return nameSTUN
	}
	return ""
}

func detectUDP(pp ports, p []byte) string {
	b0 := p[0]
	if isTextStart(b0) {
		if n := detectTextUDP(p); n != "" {
			return n
		}
	}
	switch b0 {
	case 0x16:
		if isDTLSHandshake(p) {
			return nameDTLS
		}
	case 0x30:
		if isSNMP(p) {
			return nameSNMP
		}
	case 0x6a, 0x6b, 0x6c, 0x6d, 0x7e:
		if isKerberos(p, uint32(len(p))) {
			return nameKerberos
		}
	case 0x10, 0x11, 0x12:
		if isNBDatagram(p) {
			return nameNetBIOS
		}
	case 0x01, 0x02:
		if isDHCP(pp, p) {
			return nameDHCP
		}
	}
	if pp.has(123) && isNTP(p) {
		return nameNTP
	}
	if (pp.has(546) || pp.has(547)) && isDHCPv6(p) {
		return nameDHCPv6
	}
	if isSTUN(p) {
		return nameSTUN
	}
	if isQUIC(p) {
		return nameQUIC
	}
	if isENIP(p, false) {
		return nameENIP
	}
	if ok, nb := isDNS(p, len(p)); ok {
		return dnsProto(pp, nb)
	}
	return ""
}

// isTextStart reports whether b can start a text protocol line.
func isTextStart(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '*' || b == '+'
}

// Byte helpers. Callers check the length first.

func be16(b []byte, i int) uint16 { return uint16(b[i])<<8 | uint16(b[i+1]) }
func le16(b []byte, i int) uint16 { return uint16(b[i]) | uint16(b[i+1])<<8 }
func be24(b []byte, i int) uint32 { return uint32(b[i])<<16 | uint32(b[i+1])<<8 | uint32(b[i+2]) }
func le24(b []byte, i int) uint32 { return uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 }
func be32(b []byte, i int) uint32 {
	return uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
}
func le32(b []byte, i int) uint32 {
	return uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24
}

// hasPrefix reports whether b starts with s.
func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// hasPrefixFold reports whether b starts with s, ignoring ASCII case; s must
// be upper case.
func hasPrefixFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if upper(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// equalFold reports whether b equals s, ignoring ASCII case; s must be upper
// case.
func equalFold(b []byte, s string) bool {
	return len(b) == len(s) && hasPrefixFold(b, s)
}

// containsFold reports whether b contains s, ignoring ASCII case; s must be
// upper case and not empty.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if upper(b[i]) == s[0] && hasPrefixFold(b[i:], s) {
			return true
		}
	}
	return false
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isUpper(c) || isLower(c) }

// isPrint reports whether c is printable ASCII (space included).
func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }
