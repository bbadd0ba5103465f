package dpi

// Binary protocols. Every check requires several independent fields to agree
// (fixed values, length fields consistent with the payload, valid codes), so
// random or encrypted bytes do not pass.

// isTLSHandshake accepts a TLS record carrying the start of a ClientHello or
// ServerHello: 0x16, version 3.0-3.4, a plausible record length, handshake
// type 1 or 2, a plausible handshake length and a 3.x hello version.
func isTLSHandshake(p []byte) bool {
	if len(p) < 11 || p[0] != 0x16 || p[1] != 3 || p[2] > 4 {
		return false
	}
	if rl := be16(p, 3); rl < 4+38 || rl > 16384+2048 {
		return false
	}
	if p[5] != 1 && p[5] != 2 {
		return false
	}
	// A hello holds at least a version, a 32-byte random and a few length
	// bytes; a ClientHello may span several records, so only bound it.
	if hl := be24(p, 6); hl < 38 || hl > 1<<18 {
		return false
	}
	return p[9] == 3 && p[10] <= 4
}

// isSSLv2Hello accepts an SSL 2.0-compatible ClientHello (2-byte header),
// whose cipher-spec, session-id and challenge lengths add up to the record.
func isSSLv2Hello(p []byte) bool {
	if len(p) < 11 || p[0]&0x80 == 0 || p[2] != 1 {
		return false
	}
	rl := int(p[0]&0x7f)<<8 | int(p[1])
	v := be16(p, 3)
	if v != 0x0002 && (v < 0x0300 || v > 0x0303) {
		return false
	}
	cs, sid, ch := int(be16(p, 5)), int(be16(p, 7)), int(be16(p, 9))
	if cs == 0 || cs%3 != 0 || (sid != 0 && sid != 16) || ch < 16 || ch > 32 {
		return false
	}
	return rl == 9+cs+sid+ch
}

// isDTLSHandshake accepts a DTLS 1.0/1.2/1.3 record of epoch 0 carrying a
// ClientHello, ServerHello or HelloVerifyRequest.
func isDTLSHandshake(p []byte) bool {
	if len(p) < 27 || p[0] != 0x16 || p[1] != 0xfe || (p[2] != 0xff && p[2] != 0xfd && p[2] != 0xfc) {
		return false
	}
	if be16(p, 3) != 0 { // epoch
		return false
	}
	rl := int(be16(p, 11))
	if rl < 12+2 || 13+rl > len(p) {
		return false
	}
	switch p[13] {
	case 1, 2, 3:
	default:
		return false
	}
	// handshake: length(3) message_seq(2) fragment_offset(3) fragment_length(3)
	if fl := be24(p, 22); int(fl)+12 > rl || fl > be24(p, 14) {
		return false
	}
	if be24(p, 19) != 0 { // first fragment: the body starts with the version
		return true
	}
	return p[25] == 0xfe || p[25] == 0x03
}

// isDNS checks that m starts with a DNS (or mDNS, LLMNR, NBNS) message of
// msgLen bytes; m may hold fewer bytes (the rest of a TCP message is in later
// segments). It also reports whether the first name is NetBIOS-encoded.
func isDNS(m []byte, msgLen int) (ok, netbios bool) {
	if len(m) < 17 || msgLen < 17 {
		return false, false
	}
	flags := be16(m, 2)
	opcode := (flags >> 11) & 0xf
	switch opcode { // DNS: query, iquery, status, notify, update, DSO; NBNS adds WACK, refresh
	case 0, 1, 2, 4, 5, 6, 7, 8, 9:
	default:
		return false, false
	}
	qd := int(be16(m, 4))
	rr := int(be16(m, 6)) + int(be16(m, 8)) + int(be16(m, 10))
	if qd > 64 || qd*5+rr*11 > msgLen-12 {
		return false, false
	}
	if qd == 0 {
		// Only a response (mDNS, NBNS) comes without a question: check its
		// first resource record instead.
		if flags&0x8000 == 0 || rr == 0 {
			return false, false
		}
		end, nb := dnsName(m, 12)
		if end < 0 || end+10 > len(m) {
			return false, false
		}
		typ := be16(m, end)
		if typ == 0 || (typ != 41 && !dnsClass(be16(m, end+2))) {
			return false, false
		}
		if end+10+int(be16(m, end+8)) > msgLen || (opcode >= 7 && !nb) {
			return false, false
		}
		return true, nb
	}
	off := 12
	for q := 0; q < qd && q < 4; q++ {
		end, nb := dnsName(m, off)
		if q == 0 {
			netbios = nb
		}
		if end < 0 || end+4 > len(m) {
			// A later question may continue in the next TCP segment.
			if q > 0 && len(m) < msgLen && (end == errTruncated || end+4 > len(m)) {
				break
			}
			return false, false
		}
		if be16(m, end) == 0 || !dnsClass(be16(m, end+2)) {
			return false, false
		}
		off = end + 4
	}
	if opcode >= 7 && !netbios {
		return false, false
	}
	return true, netbios
}

// dnsClass accepts IN, CH, HS, NONE and ANY, with mDNS's top bit (unicast
// response / cache flush) ignored.
func dnsClass(c uint16) bool {
	switch c & 0x7fff {
	case 1, 3, 4, 254, 255:
		return true
	}
	return false
}

const errTruncated = -2

// dnsName parses the domain name at off and returns the offset after it (-1
// when malformed, errTruncated when m ends inside it) and whether its first
// label is a NetBIOS-encoded name (32 letters A-P). A compression pointer must
// point backwards into the message, past the header.
func dnsName(m []byte, off int) (int, bool) {
	start := off
	nb := false
	total := 0
	for labels := 0; labels < 128; labels++ {
		if off >= len(m) {
			return errTruncated, false
		}
		l := int(m[off])
		switch {
		case l == 0:
			return off + 1, nb
		case l&0xc0 == 0xc0:
			if off+1 >= len(m) {
				return errTruncated, false
			}
			ptr := (l&0x3f)<<8 | int(m[off+1])
			if ptr < 12 || ptr >= start {
				return -1, false
			}
			return off + 2, nb
		case l&0xc0 != 0:
			return -1, false
		}
		total += l + 1
		if total > 255 {
			return -1, false
		}
		if labels == 0 && l == 32 && off+33 <= len(m) {
			nb = isNBEncoded(m[off+1 : off+33])
		}
		off += 1 + l
	}
	return -1, false
}

// isNBEncoded reports whether b is a first-level encoded NetBIOS name: every
// byte in 'A'..'P'.
func isNBEncoded(b []byte) bool {
	for _, c := range b {
		if c < 'A' || c > 'P' {
			return false
		}
	}
	return true
}

// dnsProto names a message in DNS format: NetBIOS name service when its name
// is NetBIOS-encoded, else mDNS or LLMNR by port (their content is DNS's), else DNS.
func dnsProto(pp ports, netbios bool) string {
	switch {
	case netbios:
		return nameNetBIOS
	case pp.has(53):
		return nameDNS
	case pp.has(5353):
		return nameMDNS
	case pp.has(5355):
		return nameLLMNR
	}
	return nameDNS
}

// detectDNSOverTCP accepts a DNS message behind its 2-byte length; on port 53
// also a message whose length prefix came in a segment of its own.
func detectDNSOverTCP(pp ports, p []byte) string {
	if len(p) < 2+17 {
		return ""
	}
	if l := int(be16(p, 0)); l >= 17 {
		m := p[2:]
		if len(m) > l {
			m = m[:l]
		}
		if ok, nb := isDNS(m, l); ok {
			return dnsProto(pp, nb)
		}
	}
	if pp.has(53) {
		if ok, nb := isDNS(p, len(p)); ok {
			return dnsProto(pp, nb)
		}
	}
	return ""
}

// isNTP accepts an NTP packet of version 1-4. Modes 1-5: the 48-byte header
// (plus 4-byte multiples of extensions or MAC), a stratum up to 16 and root
// delay and dispersion under 256 s. Mode 6 (control): a known opcode and a
// count that, padded, plus an optional MAC, makes the payload. Mode 7
// (private): a known implementation and request code, and items that fit.
// The header is weak, so the caller also requires port 123.
func isNTP(p []byte) bool {
	vn := p[0] >> 3 & 7
	if vn < 1 || vn > 4 {
		return false
	}
	switch p[0] & 7 {
	case 1, 2, 3, 4, 5:
		return len(p) >= 48 && (len(p)-48)%4 == 0 && p[1] <= 16 && p[4] == 0 && p[8] == 0
	case 6:
		if len(p) < 12 || p[1]&0x1f == 0 || p[1]&0x1f > 12 {
			return false
		}
		n := 12 + int(be16(p, 10))
		padded := (n + 3) &^ 3
		return len(p) == n || len(p) == padded || len(p) == padded+20 || len(p) == padded+24
	case 7:
		if len(p) < 8 || (p[2] != 0 && p[2] != 2 && p[2] != 3) || p[3] > 45 || p[4]>>4 > 5 || p[6]>>4 != 0 {
			return false
		}
		items, size := int(be16(p, 4)&0xfff), int(be16(p, 6)&0xfff)
		return 8+items*size <= len(p)
	}
	return false
}

// isDHCP accepts a BOOTP message with the DHCP magic cookie; a BOOTP message
// without it only between ports 67 and 68.
func isDHCP(pp ports, p []byte) bool {
	if len(p) < 240 || (p[0] != 1 && p[0] != 2) || p[1] == 0 || p[1] > 40 || p[2] > 16 || p[3] > 16 {
		return false
	}
	if be32(p, 236) == 0x63825363 {
		return true
	}
	bootp := func(x uint16) bool { return x == 67 || x == 68 }
	return bootp(pp.src) && bootp(pp.dst) && len(p) >= 300
}

// isDHCPv6 accepts a DHCPv6 client/server or relay message whose options
// fill the payload exactly. The caller requires port 546 or 547.
func isDHCPv6(p []byte) bool {
	i := 4
	switch t := p[0]; {
	case t == 12 || t == 13: // relay-forward, relay-reply
		i = 34
	case t >= 1 && t <= 36:
	default:
		return false
	}
	if len(p) < i+4 {
		return false
	}
	for i < len(p) {
		if i+4 > len(p) {
			return false
		}
		code := be16(p, i)
		if code == 0 || code > 200 {
			return false
		}
		i += 4 + int(be16(p, i+2))
	}
	return i == len(p)
}

// isModbus accepts Modbus/TCP ADUs filling the payload: protocol id 0, a
// length of 2..254 matching the bytes, a function code 1..127 (or an
// exception response to one) and, for the common function codes, a PDU whose
// size fits the code. The caller requires port 502 on one side.
func isModbus(p []byte) bool {
	if len(p) < 8 {
		return false
	}
	for off := 0; off < len(p); {
		h := p[off:]
		if len(h) < 8 || be16(h, 2) != 0 {
			return false
		}
		l := int(be16(h, 4))
		if l < 2 || l > 254 || 6+l > len(h) || !modbusPDU(h[7:6+l]) {
			return false
		}
		off += 6 + l
	}
	return true
}

// modbusPDU checks a PDU (function code and data) against its function code.
func modbusPDU(pdu []byte) bool {
	fc := pdu[0]
	n := len(pdu)
	switch {
	case fc == 0:
		return false
	case fc&0x80 != 0:
		// exception: code 1-11 (some devices pad it)
		return n >= 2 && n <= 4 && pdu[1] >= 1 && pdu[1] <= 11
	}
	switch fc {
	case 1, 2, 3, 4:
		// request: address, quantity; response: byte count, data
		return n == 5 || (n >= 3 && int(pdu[1])+2 == n)
	case 5, 6:
		return n == 5
	case 15, 16:
		// request: address, quantity, byte count, values; response: address, quantity
		return n == 5 || (n >= 7 && int(pdu[5])+6 == n)
	}
	return true
}

// isENIP accepts EtherNet/IP encapsulation messages filling the payload: a
// known command (not NOP), a length matching the bytes, a known status and
// options 0. Over TCP several messages may follow each other.
func isENIP(p []byte, tcp bool) bool {
	if len(p) < 24 {
		return false
	}
	for off := 0; off < len(p); {
		h := p[off:]
		if len(h) < 24 {
			return false
		}
		switch le16(h, 0) {
		case 0x0004, 0x0063, 0x0064, 0x0065, 0x0066, 0x006f, 0x0070, 0x0072, 0x0073:
		default:
			return false
		}
		switch le32(h, 8) {
		case 0, 1, 2, 3, 0x64, 0x65, 0x69, 0x6a:
		default:
			return false
		}
		if le32(h, 20) != 0 {
			return false
		}
		off += 24 + int(le16(h, 2))
		if !tcp && off != len(p) {
			return false
		}
	}
	return true
}

// detectTPKT handles TPKT (RFC 1006) + X.224 (COTP), shared by RDP and
// S7comm / ISO-TSAP: an RDP Connection Request carries a cookie or an
// RDP_NEG_REQ, an RDP Connection Confirm an RDP_NEG_RSP/FAILURE, whereas
// ISO-TSAP connection setup carries TSAP parameters (and decides nothing);
// S7comm is a data TPDU holding an S7 header whose lengths add up.
func detectTPKT(p []byte) string {
	if len(p) < 11 || p[1] != 0 {
		return ""
	}
	tl := int(be16(p, 2))
	if tl < 11 || tl > len(p) {
		return ""
	}
	li := int(p[4])
	if li < 2 || li+5 > tl {
		return ""
	}
	switch p[5] & 0xf0 {
	case 0xe0: // Connection Request
		if li+5 != tl || li < 6 {
			return ""
		}
		v := p[11:tl]
		if hasPrefix(v, "Cookie: mstshash=") || hasPrefix(v, "Cookie: msts=") || isRDPNeg(v, 1) {
			return nameRDP
		}
	case 0xd0: // Connection Confirm
		if li+5 == tl && li >= 6 && isRDPNeg(p[11:tl], 2) {
			return nameRDP
		}
	case 0xf0: // Data
		if li != 2 || tl < 17 {
			return ""
		}
		s := p[7:tl]
		if s[0] != 0x32 {
			return ""
		}
		hdr := 10
		switch s[1] { // ROSCTR: job, ack, ack-data, userdata
		case 1, 7:
		case 2, 3:
			hdr = 12
		default:
			return ""
		}
		if len(s) >= hdr && hdr+int(be16(s, 6))+int(be16(s, 8)) == len(s) {
			return nameS7comm
		}
	}
	return ""
}

// isRDPNeg accepts an 8-byte RDP negotiation structure: request (type 1), or
// response / failure (type 2 / 3).
func isRDPNeg(v []byte, typ byte) bool {
	if len(v) != 8 || le16(v, 2) != 8 {
		return false
	}
	return v[0] == typ || (typ == 2 && v[0] == 3)
}

// isSMB accepts a NetBIOS session message (or direct-hosted SMB header)
// holding an SMB1, SMB2/3, SMB3 transform or compression header.
func isSMB(p []byte) bool {
	if len(p) < 8 || p[0] != 0 {
		return false
	}
	n := be24(p, 1)
	var min uint32
	switch string(p[4:8]) {
	case "\xffSMB":
		min = 32
	case "\xfeSMB":
		min = 64
	case "\xfdSMB":
		min = 52
	case "\xfcSMB":
		min = 16
	default:
		return false
	}
	return n >= min
}

// isNBName reports whether b starts with a NetBIOS-encoded name label: 32,
// 32 letters A-P, then a scope label length or the terminating 0.
func isNBName(b []byte) bool {
	return len(b) >= 34 && b[0] == 32 && isNBEncoded(b[1:33]) && b[33] < 64
}

// isNBDatagram accepts a NetBIOS datagram (direct unique, direct group,
// broadcast) whose length field matches and whose source name is encoded.
func isNBDatagram(p []byte) bool {
	if len(p) < 14+34 || p[1]&0xf0 != 0 {
		return false
	}
	return int(be16(p, 10))+14 == len(p) && be16(p, 12) == 0 && isNBName(p[14:])
}

// isMySQLGreeting accepts a MySQL/MariaDB server greeting: a 3-byte length
// equal to the rest of the payload, sequence 0, protocol 10, a printable
// version string starting with a digit, then thread id, 8 bytes of salt and
// a zero filler.
func isMySQLGreeting(p []byte) bool {
	if len(p) < 32 || p[3] != 0 || p[4] != 10 || int(le24(p, 0)) != len(p)-4 || !isDigit(p[5]) {
		return false
	}
	i := 6
	for ; i < len(p) && i < 5+80; i++ {
		if p[i] == 0 {
			break
		}
		if !isPrint(p[i]) {
			return false
		}
	}
	if i >= len(p) || p[i] != 0 {
		return false
	}
	f := i + 1 + 4 + 8
	return f < len(p) && p[f] == 0
}

// isPostgres accepts a PostgreSQL SSLRequest, GSSENCRequest, CancelRequest
// or a protocol 3.x startup message whose first parameter name is a lower
// case identifier.
func isPostgres(p []byte) bool {
	if len(p) < 8 {
		return false
	}
	n, code := be32(p, 0), be32(p, 4)
	switch code {
	case 80877103, 80877104: // SSLRequest, GSSENCRequest
		return n == 8 && len(p) == 8
	case 80877102: // CancelRequest
		return n == 16 && len(p) == 16
	}
	if code>>16 != 3 || code&0xffff > 2 || n > 10000 || int(n) < len(p) {
		return false
	}
	i := 8
	for i < len(p) && i < 8+64 && (isLower(p[i]) || p[i] == '_' || p[i] == '.') {
		i++
	}
	return i > 8 && i < len(p) && p[i] == 0
}

// berLen reads a BER definite length at b[i]: the length and the number of
// bytes it takes.
func berLen(b []byte, i int) (int, int, bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	c := b[i]
	if c < 0x80 {
		return int(c), 1, true
	}
	n := int(c & 0x7f)
	if n == 0 || n > 3 || i+n >= len(b) {
		return 0, 0, false
	}
	l := 0
	for k := 1; k <= n; k++ {
		l = l<<8 | int(b[i+k])
	}
	return l, 1 + n, true
}

// isKerberos accepts a Kerberos 5 AS-REQ, AS-REP, TGS-REQ, TGS-REP or
// KRB-ERROR of declared length n: the application tag's length matches,
// then a SEQUENCE whose first fields are pvno 5 and the message type the tag
// names.
func isKerberos(m []byte, n uint32) bool {
	if len(m) < 16 || n > 1<<20 {
		return false
	}
	var typ byte
	switch m[0] {
	case 0x6a, 0x6b, 0x6c, 0x6d:
		typ = m[0] - 0x60
	case 0x7e:
		typ = 30
	default:
		return false
	}
	l, hl, ok := berLen(m, 1)
	if !ok || uint32(1+hl+l) != n {
		return false
	}
	i := 1 + hl
	if m[i] != 0x30 {
		return false
	}
	_, hl, ok = berLen(m, i+1)
	if !ok {
		return false
	}
	i += 1 + hl
	if i+10 > len(m) {
		return false
	}
	pvnoTag, typeTag := byte(0xa0), byte(0xa1)
	if typ == 10 || typ == 12 { // KDC-REQ starts at [1]
		pvnoTag, typeTag = 0xa1, 0xa2
	}
	f := m[i : i+10]
	return f[0] == pvnoTag && f[1] == 3 && f[2] == 2 && f[3] == 1 && f[4] == 5 &&
		f[5] == typeTag && f[6] == 3 && f[7] == 2 && f[8] == 1 && f[9] == typ
}

// isBGP accepts a BGP message: the 16-byte all-ones marker, a length of at
// least 19 and a type 1-5.
func isBGP(p []byte) bool {
	if len(p) < 19 {
		return false
	}
	for _, c := range p[:16] {
		if c != 0xff {
			return false
		}
	}
	return be16(p, 16) >= 19 && p[18] >= 1 && p[18] <= 5
}

// isTelnet accepts Telnet option negotiation: the payload starts with
// IAC WILL/WONT/DO/DONT <option> or IAC SB … IAC SE, followed by another
// such command, or is exactly one of them.
func isTelnet(p []byte) bool {
	i, n := 0, 0
	for n < 2 {
		next := telnetCommand(p, i)
		if next < 0 {
			break
		}
		i = next
		n++
		if i == len(p) {
			return true
		}
	}
	return n >= 2
}

// telnetCommand returns the offset after the negotiation command at p[i], or -1.
func telnetCommand(p []byte, i int) int {
	if i+3 > len(p) || p[i] != 0xff {
		return -1
	}
	opt := p[i+2]
	if opt > 50 && opt != 255 {
		return -1
	}
	switch p[i+1] {
	case 251, 252, 253, 254: // WILL, WONT, DO, DONT
		return i + 3
	case 250: // SB <option> … IAC SE
		for j := i + 3; j+1 < len(p) && j < i+256; j++ {
			if p[j] == 0xff && p[j+1] == 240 {
				return j + 2
			}
		}
	}
	return -1
}

// isMQTTConnect accepts an MQTT CONNECT packet whose remaining length fits
// the payload, with protocol name "MQTT" (3.1.1, 5) or "MQIsdp" (3.1).
func isMQTTConnect(p []byte) bool {
	rl, mult, i := 0, 1, 1
	for {
		if i >= len(p) || i > 4 {
			return false
		}
		rl += int(p[i]&0x7f) * mult
		mult *= 128
		i++
		if p[i-1]&0x80 == 0 {
			break
		}
	}
	if rl < 10 || i+rl > len(p) {
		return false
	}
	v := p[i : i+rl]
	switch {
	case hasPrefix(v, "\x00\x04MQTT"):
		return (v[6] == 4 || v[6] == 5) && v[7]&1 == 0
	case hasPrefix(v, "\x00\x06MQIsdp") && len(v) >= 12:
		return v[8] == 3 && v[9]&1 == 0
	}
	return false
}

// isGoogleQUICVersion reports versions "Q0dd" / "T0dd".
func isGoogleQUICVersion(v uint32) bool {
	a, b, c, d := byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return (a == 'Q' || a == 'T') && b == '0' && isDigit(c) && isDigit(d)
}

// isIETFQUICVersion reports QUIC v1, v2, IETF drafts and Facebook's mvfst versions.
func isIETFQUICVersion(v uint32) bool {
	return v == 1 || v == 0x6b3343cf || v&0xffffff00 == 0xff000000 || v&0xfffffff0 == 0xfaceb000
}

// isQUIC accepts a QUIC long-header packet of a known version with valid
// connection-id lengths (and, for Initial and Handshake packets, a length
// that fits), a version negotiation listing a known version, or a Google
// QUIC (Q043 and older) client packet carrying its version.
func isQUIC(p []byte) bool {
	if len(p) < 14 {
		return false
	}
	b0 := p[0]
	if b0&0x80 == 0 {
		// gQUIC public header: version flag and 8-byte connection id set,
		// reset and reserved bits clear, version after the id.
		return b0&0x09 == 0x09 && b0&0xc2 == 0 && p[9] == 'Q' && p[10] == '0' && isDigit(p[11]) && isDigit(p[12])
	}
	v := be32(p, 1)
	switch {
	case v == 0:
		return isQUICVersionNegotiation(p)
	case isGoogleQUICVersion(v):
		return b0&0x40 != 0 && len(p) >= 20
	case !isIETFQUICVersion(v) || b0&0x40 == 0:
		return false
	case v&0xffffff00 == 0xff000000 && v&0xff < 22:
		// drafts before 22 packed both connection-id lengths in one byte
		return true
	}
	dcil := int(p[5])
	if dcil > 20 || 7+dcil > len(p) {
		return false
	}
	i := 6 + dcil
	scil := int(p[i])
	i += 1 + scil
	if scil > 20 || i >= len(p) {
		return false
	}
	typ := b0 >> 4 & 3
	if v == 0x6b3343cf { // v2 renumbers the types: map onto v1's
		typ = (typ + 3) & 3
	}
	switch typ {
	case 3: // Retry: token and 16-byte integrity tag
		return len(p)-i > 16
	case 0: // Initial: token
		tl, n := quicVarint(p, i)
		if n == 0 {
			return false
		}
		i += n + tl
	}
	l, n := quicVarint(p, i)
	return n > 0 && l >= 1+16 && i+n+l <= len(p)
}

// quicVarint reads a QUIC variable-length integer at p[i]: value and size (0
// when p ends first).
func quicVarint(p []byte, i int) (int, int) {
	if i >= len(p) {
		return 0, 0
	}
	n := 1 << (p[i] >> 6)
	if i+n > len(p) {
		return 0, 0
	}
	v := int(p[i] & 0x3f)
	for k := 1; k < n; k++ {
		v = v<<8 | int(p[i+k])
	}
	if v > 1<<20 {
		return 0, 0
	}
	return v, n
}

// isQUICVersionNegotiation accepts a version negotiation packet: valid
// connection ids followed by a whole number of versions, one of them known.
func isQUICVersionNegotiation(p []byte) bool {
	dcil := int(p[5])
	if dcil > 20 || 7+dcil > len(p) {
		return false
	}
	i := 6 + dcil
	scil := int(p[i])
	i += 1 + scil
	if scil > 20 || i+4 > len(p) || (len(p)-i)%4 != 0 {
		return false
	}
	for ; i+4 <= len(p); i += 4 {
		if v := be32(p, i); isIETFQUICVersion(v) || isGoogleQUICVersion(v) {
			return true
		}
	}
	return false
}

// isSNMP accepts an SNMP message: a SEQUENCE spanning the payload, INTEGER
// version 0, 1 or 3, then community string and PDU tag (v1, v2c) or the
// header SEQUENCE (v3).
func isSNMP(p []byte) bool {
	if len(p) < 20 || p[0] != 0x30 {
		return false
	}
	l, hl, ok := berLen(p, 1)
	if !ok || 1+hl+l != len(p) {
		return false
	}
	i := 1 + hl
	if i+3 > len(p) || p[i] != 2 || p[i+1] != 1 {
		return false
	}
	ver := p[i+2]
	i += 3
	switch ver {
	case 0, 1:
		if i >= len(p) || p[i] != 4 {
			return false
		}
		cl, chl, ok := berLen(p, i+1)
		if !ok {
			return false
		}
		i += 1 + chl + cl
		return i < len(p) && p[i] >= 0xa0 && p[i] <= 0xa8
	case 3:
		return i < len(p) && p[i] == 0x30
	}
	return false
}

// isSTUN accepts a STUN message (RFC 5389): top bits clear, the magic cookie,
// and a length covering the rest of the payload (RFC 5389 pads attributes to
// 4 bytes, but some TURN implementations do not).
func isSTUN(p []byte) bool {
	if len(p) < 20 || p[0]&0xc0 != 0 || be32(p, 4) != 0x2112a442 {
		return false
	}
	return int(be16(p, 2))+20 == len(p)
}
