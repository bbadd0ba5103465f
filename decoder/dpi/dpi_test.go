package dpi_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"math/big"
	mrand "math/rand"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder/dpi"
)

// tc is one Detect call and the name it must return.
type tc struct {
	name       string
	t          dpi.Transport
	sport      uint16
	dport      uint16
	fromClient bool
	payload    []byte
	want       string
}

func tcp(name string, sport, dport uint16, p []byte, want string) tc {
	return tc{name, dpi.TCP, sport, dport, true, p, want}
}

func udp(name string, sport, dport uint16, p []byte, want string) tc {
	return tc{name, dpi.UDP, sport, dport, true, p, want}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func le16(v int) []byte {
	return binary.LittleEndian.AppendUint16(nil, uint16(v))
}
func le32(v int) []byte {
	return binary.LittleEndian.AppendUint32(nil, uint32(v))
}

// ber encodes one BER element with a definite length.
func ber(tag byte, content ...[]byte) []byte {
	c := cat(content...)
	switch n := len(c); {
	case n < 0x80:
		return cat([]byte{tag, byte(n)}, c)
	case n < 0x100:
		return cat([]byte{tag, 0x81, byte(n)}, c)
	default:
		return cat([]byte{tag, 0x82}, u16(n), c)
	}
}

// serialize encodes gopacket layers.
func serialize(t testing.TB, l ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, l...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// recordingConn remembers the first write on a connection.
type recordingConn struct {
	net.Conn
	mu    sync.Mutex
	first []byte
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if c.first == nil {
		c.first = append([]byte(nil), b...)
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// tlsHellos runs a real crypto/tls handshake over a pipe and returns the
// first flight of each side: the ClientHello and the ServerHello record.
func tlsHellos(t testing.TB, maxVersion uint16) (client, server []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "example.com"},
		DNSNames:     []string{"example.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	ca, cb := &recordingConn{Conn: a}, &recordingConn{Conn: b}
	srv := tls.Server(cb, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MaxVersion: maxVersion})
	cli := tls.Client(ca, &tls.Config{ServerName: "example.com", InsecureSkipVerify: true, MaxVersion: maxVersion})
	done := make(chan error, 1)
	go func() {
		err := srv.Handshake()
		if err == nil {
			_, err = io.Copy(io.Discard, srv)
		}
		done <- err
	}()
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	<-done
	ca.mu.Lock()
	cb.mu.Lock()
	defer ca.mu.Unlock()
	defer cb.mu.Unlock()
	return ca.first, cb.first
}

func dnsQuery(t testing.TB, name string, typ layers.DNSType) []byte {
	return serialize(t, &layers.DNS{
		ID: 0x1234, RD: true, OpCode: layers.DNSOpCodeQuery,
		Questions: []layers.DNSQuestion{{Name: []byte(name), Type: typ, Class: layers.DNSClassIN}},
	})
}

func dnsResponse(t testing.TB) []byte {
	return serialize(t, &layers.DNS{
		ID: 0x1234, QR: true, RD: true, RA: true, OpCode: layers.DNSOpCodeQuery,
		Questions: []layers.DNSQuestion{{Name: []byte("example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN}},
		Answers: []layers.DNSResourceRecord{{
			Name: []byte("example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 300,
			IP: net.IPv4(93, 184, 215, 14),
		}},
	})
}

// mdnsAnnouncement is an mDNS response without questions (QDCOUNT 0).
func mdnsAnnouncement(t testing.TB) []byte {
	return serialize(t, &layers.DNS{
		QR: true, AA: true,
		Answers: []layers.DNSResourceRecord{{
			Name: []byte("printer.local"), Type: layers.DNSTypeA, Class: layers.DNSClass(0x8001), TTL: 120,
			IP: net.IPv4(192, 168, 1, 20),
		}},
	})
}

// nbName encodes a NetBIOS name (first-level encoding, padded to 16 bytes).
func nbName(name string, suffix byte) []byte {
	n := []byte(strings.ToUpper(name))
	for len(n) < 15 {
		n = append(n, ' ')
	}
	n = append(n[:15], suffix)
	out := []byte{32}
	for _, c := range n {
		out = append(out, 'A'+c>>4, 'A'+c&0xf)
	}
	return out
}

func dhcpDiscover(t testing.TB) []byte {
	return serialize(t, &layers.DHCPv4{
		Operation: layers.DHCPOpRequest, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
		Xid: 0x3d1d, ClientHWAddr: net.HardwareAddr{0, 0x0b, 0x82, 1, 0xfc, 0x42},
		Options: []layers.DHCPOption{
			layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(layers.DHCPMsgTypeDiscover)}),
			layers.NewDHCPOption(layers.DHCPOptHostname, []byte("host")),
			layers.NewDHCPOption(layers.DHCPOptEnd, nil),
		},
	})
}

// bootpNoCookie is a 300-byte BOOTP request without the DHCP magic cookie.
func bootpNoCookie(t testing.TB) []byte {
	d := dhcpDiscover(t)
	d = append(d, make([]byte, 300-len(d))...)
	copy(d[236:], make([]byte, 64))
	return d
}

func dhcpv6Solicit(t testing.TB) []byte {
	return serialize(t, &layers.DHCPv6{
		MsgType: layers.DHCPv6MsgTypeSolicit, TransactionID: []byte{0x10, 0x08, 0x74},
		Options: layers.DHCPv6Options{
			layers.NewDHCPv6Option(layers.DHCPv6OptClientID, []byte{0, 1, 0, 1, 0x1c, 0x39, 0xcf, 0x88, 0x08, 0, 0x27, 0xfe, 0x8f, 0x95}),
			layers.NewDHCPv6Option(layers.DHCPv6OptElapsedTime, []byte{0, 0}),
			layers.NewDHCPv6Option(layers.DHCPv6OptIANA, []byte{0x27, 0xfe, 0x8f, 0x95, 0, 0, 0x0e, 0x10, 0, 0, 0x15, 0x18}),
		},
	})
}

// ntpPacket is a 48-byte NTP header: version, mode, stratum, then zero
// root delay/dispersion and a transmit timestamp.
func ntpPacket(version, mode, stratum byte) []byte {
	p := make([]byte, 48)
	p[0] = version<<3 | mode
	p[1] = stratum
	p[2] = 6    // poll
	p[3] = 0xe9 // precision
	copy(p[40:], []byte{0xe9, 0x3c, 0x6f, 0x21, 0x12, 0x34, 0x56, 0x78})
	return p
}

// mysqlGreeting is a protocol-10 server greeting for version v.
func mysqlGreeting(v string) []byte {
	body := cat([]byte{10}, []byte(v), []byte{0}, le32(42), []byte("abcdefgh"), []byte{0},
		le16(0xf7ff), []byte{0xff}, le16(2), le16(0xc1ff), []byte{21}, make([]byte, 10),
		[]byte("ijklmnopqrst\x00"), []byte("caching_sha2_password\x00"))
	return cat(le32(len(body))[:3], []byte{0}, body)
}

func pgStartup() []byte {
	params := []byte("user\x00postgres\x00database\x00app\x00application_name\x00psql\x00\x00")
	return cat(u32(8+len(params)), u32(0x00030000), params)
}

func mqttConnect(name string, level byte) []byte {
	vh := cat(u16(len(name)), []byte(name), []byte{level, 0x02}, u16(60), u16(6), []byte("client"))
	return cat([]byte{0x10, byte(len(vh))}, vh)
}

// quicInitial builds a QUIC long-header Initial packet of version v padded to
// 1200 bytes (the payload is random: it is encrypted on the wire).
func quicInitial(v uint32, firstByte byte) []byte {
	hdr := cat([]byte{firstByte}, u32(int(v)), []byte{8, 1, 2, 3, 4, 5, 6, 7, 8}, []byte{0}, []byte{0})
	rest := 1200 - len(hdr) - 2
	p := cat(hdr, u16(0x4000|rest), make([]byte, rest))
	mrand.New(mrand.NewSource(int64(v))).Read(p[len(hdr)+2:])
	return p
}

func tpkt(cotp []byte) []byte { return cat([]byte{3, 0}, u16(4+len(cotp)), cotp) }

// x224 builds an X.224 TPDU of the given code whose fixed part is followed by v.
func x224(code byte, v []byte) []byte {
	return cat([]byte{byte(6 + len(v)), code, 0, 0, 0x12, 0x34, 0}, v)
}

func s7Job() []byte {
	param := []byte{0xf0, 0, 0, 1, 0, 1, 0x01, 0xe0}
	s7 := cat([]byte{0x32, 1, 0, 0, 0, 0}, u16(len(param)), u16(0), param)
	return tpkt(cat([]byte{2, 0xf0, 0x80}, s7))
}

func modbus(tid int, unit byte, pdu ...byte) []byte {
	return cat(u16(tid), u16(0), u16(len(pdu)+1), []byte{unit}, pdu)
}

func enip(cmd int, data []byte) []byte {
	return cat(le16(cmd), le16(len(data)), le32(0x11223344), le32(0), []byte("ctx12345"), le32(0), data)
}

func smb2Negotiate() []byte {
	h := make([]byte, 64)
	copy(h, "\xfeSMB")
	h[4] = 64 // structure size
	body := cat(le16(36), le16(2), le16(1), le16(0), le32(0), make([]byte, 16), make([]byte, 8), le16(0x0202), le16(0x0210))
	msg := cat(h, body)
	return cat([]byte{0}, u32(len(msg))[1:], msg)
}

func smb1Negotiate() []byte {
	h := make([]byte, 32)
	copy(h, "\xffSMB")
	h[4] = 0x72
	body := cat([]byte{0}, le16(12), []byte("\x02NT LM 0.12\x00"))
	msg := cat(h, body)
	return cat([]byte{0}, u32(len(msg))[1:], msg)
}

func kerberosASReq() []byte {
	body := ber(0x30,
		ber(0xa1, ber(0x02, []byte{5})),
		ber(0xa2, ber(0x02, []byte{10})),
		ber(0xa4, ber(0x30,
			ber(0xa0, ber(0x03, []byte{0, 0x40, 0x81, 0, 0x10})),
			ber(0xa1, ber(0x30, ber(0xa0, ber(0x02, []byte{1})), ber(0xa1, ber(0x30, ber(0x1b, []byte("alice")))))),
			ber(0xa2, ber(0x1b, []byte("EXAMPLE.COM"))),
			ber(0xa7, ber(0x02, []byte{0x12, 0x34, 0x56, 0x78})),
			ber(0xa8, ber(0x30, ber(0x02, []byte{18}), ber(0x02, []byte{17}))),
		)))
	return ber(0x6a, body)
}

func snmpGet(version byte, community string) []byte {
	varbind := ber(0x30, ber(0x30, ber(0x06, []byte{0x2b, 6, 1, 2, 1, 1, 1, 0}), []byte{5, 0}))
	pdu := ber(0xa0, ber(0x02, []byte{0x12, 0x34}), ber(0x02, []byte{0}), ber(0x02, []byte{0}), varbind)
	return ber(0x30, ber(0x02, []byte{version}), ber(0x04, []byte(community)), pdu)
}

func stunBinding(attrs []byte) []byte {
	return cat(u16(0x0001), u16(len(attrs)), u32(0x2112a442), []byte("txid12345678"), attrs)
}

func dtlsClientHello() []byte {
	body := cat(u16(0xfefd), make([]byte, 32), []byte{0}, []byte{0}, u16(4), u16(0xc02b), u16(0xc02f), []byte{1, 0})
	hs := cat([]byte{1}, u32(len(body))[1:], u16(0), []byte{0, 0, 0}, u32(len(body))[1:], body)
	return cat([]byte{0x16, 0xfe, 0xff}, u16(0), make([]byte, 6), u16(len(hs)), hs)
}

func bgpOpen() []byte {
	body := cat([]byte{4}, u16(65001), u16(180), []byte{10, 0, 0, 1}, []byte{0})
	return cat(bytes.Repeat([]byte{0xff}, 16), u16(19+len(body)), []byte{1}, body)
}

func positiveCases(t testing.TB) []tc {
	ch13, sh13 := tlsHellos(t, tls.VersionTLS13)
	ch12, sh12 := tlsHellos(t, tls.VersionTLS12)
	longURL := "GET /" + strings.Repeat("a", 1400)
	sipInvite := "INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\n\r\n"
	rdpCR := tpkt(x224(0xe0, cat([]byte("Cookie: mstshash=administrator\r\n"), []byte{1, 0}, le16(8), le32(3))))
	nbnsQuery := cat(u16(0xb168), u16(0x0110), u16(1), u16(0), u16(0), u16(0), nbName("WORKGROUP", 0x1d), []byte{0}, u16(0x20), u16(1))
	nbdgmData := cat(nbName("HOST", 0x20), []byte{0}, nbName("WORKGROUP", 0x1e), []byte{0}, []byte("\xffSMB%"))
	nbdgm := cat([]byte{0x11, 0x02}, u16(0x8001), []byte{192, 168, 1, 5}, u16(138), u16(len(nbdgmData)), u16(0), nbdgmData)
	krb := kerberosASReq()
	dnsQ := dnsQuery(t, "example.com", layers.DNSTypeA)
	return []tc{
		// HTTP
		tcp("http get", 51000, 80, []byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\n\r\n"), "HTTP"),
		tcp("http get odd port", 51000, 31337, []byte("GET / HTTP/1.0\r\n\r\n"), "HTTP"),
		tcp("http post", 51000, 8080, []byte("POST /api/v1/items HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"), "HTTP"),
		tcp("http head", 51000, 80, []byte("HEAD / HTTP/1.1\r\n"), "HTTP"),
		tcp("http options *", 51000, 80, []byte("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP"),
		tcp("http connect", 51000, 3128, []byte("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), "HTTP"),
		tcp("http propfind", 51000, 80, []byte("PROPFIND /dav/ HTTP/1.1\n"), "HTTP"),
		tcp("http2 preface", 51000, 80, []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00"), "HTTP"),
		tcp("http/0.9", 51000, 80, []byte("GET /\r\n\r\n"), "HTTP"),
		tcp("http long url", 51000, 80, []byte(longURL), "HTTP"),
		tcp("http response", 80, 51000, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>"), "HTTP"),
		tcp("http 1.0 404", 80, 51000, []byte("HTTP/1.0 404 Not Found\r\n"), "HTTP"),
		// TLS
		tcp("tls1.3 client hello", 51000, 443, ch13, "TLS"),
		tcp("tls1.3 server hello", 443, 51000, sh13, "TLS"),
		tcp("tls1.2 client hello", 51000, 8443, ch12, "TLS"),
		tcp("tls1.2 server hello", 8443, 51000, sh12, "TLS"),
		tcp("tls client hello truncated", 51000, 443, ch13[:64], "TLS"),
		tcp("sslv2 client hello", 51000, 443, cat([]byte{0x80, 0x2e, 0x01, 0x03, 0x01}, u16(21), u16(0), u16(16), make([]byte, 21), make([]byte, 16)), "TLS"),
		udp("dtls client hello", 51000, 4433, dtlsClientHello(), "DTLS"),
		// SSH
		tcp("ssh server banner", 22, 51000, []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"), "SSH"),
		tcp("ssh client banner 2222", 51000, 2222, []byte("SSH-2.0-Go\r\n"), "SSH"),
		tcp("ssh 1.99", 22, 51000, []byte("SSH-1.99-Cisco-1.25\r\n"), "SSH"),
		// DNS and its relatives
		udp("dns query", 51000, 53, dnsQ, "DNS"),
		udp("dns response", 53, 51000, dnsResponse(t), "DNS"),
		udp("dns odd port", 51000, 5300, dnsQuery(t, "mail.example.org", layers.DNSTypeMX), "DNS"),
		tcp("dns over tcp", 51000, 53, cat(u16(len(dnsQ)), dnsQ), "DNS"),
		tcp("dns over tcp, length in previous segment", 51000, 53, dnsQ, "DNS"),
		udp("mdns query", 5353, 5353, dnsQuery(t, "_ipp._tcp.local", layers.DNSTypePTR), "MDNS"),
		udp("mdns announcement", 5353, 5353, mdnsAnnouncement(t), "MDNS"),
		udp("llmnr query", 51000, 5355, dnsQuery(t, "wpad", layers.DNSTypeA), "LLMNR"),
		udp("nbns query", 137, 137, nbnsQuery, "NetBIOS"),
		udp("nbdgm", 138, 138, nbdgm, "NetBIOS"),
		// mail
		tcp("smtp banner", 25, 51000, []byte("220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n"), "SMTP"),
		tcp("smtp bare banner on 587", 587, 51000, []byte("220 mx.example.com ready\r\n"), "SMTP"),
		tcp("smtp ehlo", 51000, 2525, []byte("EHLO client.example.com\r\n"), "SMTP"),
		tcp("smtp helo", 51000, 25, []byte("HELO client\r\n"), "SMTP"),
		tcp("smtp ehlo reply", 25, 51000, []byte("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"), "SMTP"),
		tcp("smtp mail from", 51000, 25, []byte("MAIL FROM:<alice@example.com>\r\n"), "SMTP"),
		tcp("smtp auth login", 51000, 587, []byte("AUTH LOGIN\r\n"), "SMTP"),
		tcp("pop3 banner", 110, 51000, []byte("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"), "POP3"),
		tcp("pop3 capa", 51000, 110, []byte("CAPA\r\n"), "POP3"),
		tcp("pop3 stls", 51000, 110, []byte("STLS\r\n"), "POP3"),
		tcp("pop3 user", 51000, 110, []byte("USER alice\r\n"), "POP3"),
		tcp("pop3 auth plain", 51000, 110, []byte("AUTH PLAIN\r\n"), "POP3"),
		tcp("imap banner", 143, 51000, []byte("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS] Dovecot ready.\r\n"), "IMAP"),
		tcp("imap login", 51000, 143, []byte("a001 LOGIN alice secret\r\n"), "IMAP"),
		tcp("imap capability", 51000, 143, []byte("A1 CAPABILITY\r\n"), "IMAP"),
		// FTP
		tcp("ftp banner proftpd", 21, 51000, []byte("220 ProFTPD 1.3.5e Server (Debian) [::ffff:10.0.0.1]\r\n"), "FTP"),
		tcp("ftp banner vsftpd", 21, 51000, []byte("220 (vsFTPd 3.0.3)\r\n"), "FTP"),
		tcp("ftp bare banner on 21", 21, 51000, []byte("220 Welcome\r\n"), "FTP"),
		tcp("ftp user", 51000, 21, []byte("USER anonymous\r\n"), "FTP"),
		tcp("ftp auth tls", 51000, 21, []byte("AUTH TLS\r\n"), "FTP"),
		tcp("ftp feat", 51000, 2121, []byte("FEAT\r\n"), "FTP"),
		tcp("ftp syst", 51000, 2121, []byte("SYST\r\n"), "FTP"),
		tcp("ftp 331", 2121, 51000, []byte("331 Password required for alice\r\n"), "FTP"),
		tcp("ftp 230", 2121, 51000, []byte("230 User alice logged in\r\n"), "FTP"),
		// SIP, RTSP, SSDP
		udp("sip invite", 5060, 5060, []byte(sipInvite), "SIP"),
		tcp("sip register tcp", 51000, 5060, []byte("REGISTER sip:registrar.biloxi.example.com SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n"), "SIP"),
		udp("sip options", 5060, 5080, []byte("OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n\r\n"), "SIP"),
		udp("sip response", 5060, 5060, []byte("SIP/2.0 200 OK\r\nCSeq: 314159 INVITE\r\n\r\n"), "SIP"),
		tcp("rtsp options", 51000, 554, []byte("OPTIONS rtsp://example.com/media.mp4 RTSP/1.0\r\nCSeq: 1\r\n\r\n"), "RTSP"),
		tcp("rtsp response", 554, 51000, []byte("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"), "RTSP"),
		udp("ssdp m-search", 51000, 1900, []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"), "SSDP"),
		udp("ssdp notify", 1900, 1900, []byte("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNTS: ssdp:alive\r\n\r\n"), "SSDP"),
		udp("ssdp response", 1900, 51000, []byte("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n"), "SSDP"),
		// NTP, DHCP
		udp("ntp client", 51000, 123, ntpPacket(4, 3, 0), "NTP"),
		udp("ntp server", 123, 51000, ntpPacket(4, 4, 2), "NTP"),
		udp("ntp v3 symmetric", 123, 123, ntpPacket(3, 1, 3), "NTP"),
		udp("ntp with mac", 51000, 123, cat(ntpPacket(4, 3, 0), u32(1), make([]byte, 16)), "NTP"),
		udp("ntp control read status", 51000, 123, cat([]byte{0x16, 0x01}, u16(1), u16(0), u16(0), u16(0), u16(0)), "NTP"),
		udp("ntp mode 7 monlist", 51000, 123, cat([]byte{0x17, 0x00, 0x03, 0x2a}, u16(0), u16(0), make([]byte, 40)), "NTP"),
		udp("dhcp discover", 68, 67, dhcpDiscover(t), "DHCP"),
		udp("dhcp discover via relay port", 67, 67, dhcpDiscover(t), "DHCP"),
		udp("bootp without cookie", 68, 67, bootpNoCookie(t), "DHCP"),
		udp("dhcpv6 solicit", 546, 547, dhcpv6Solicit(t), "DHCPv6"),
		// ICS
		tcp("modbus read holding registers", 51000, 502, modbus(1, 1, 3, 0, 0, 0, 10), "Modbus"),
		tcp("modbus response", 502, 51000, modbus(1, 1, 3, 4, 0, 1, 0, 2), "Modbus"),
		tcp("modbus write multiple", 51000, 502, modbus(7, 1, 16, 0, 1, 0, 2, 4, 0, 10, 1, 2), "Modbus"),
		tcp("modbus exception", 502, 51000, modbus(1, 10, 0x81, 2), "Modbus"),
		tcp("modbus two requests", 51000, 502, cat(modbus(1, 1, 1, 0, 0, 0, 8), modbus(2, 1, 2, 0, 0, 0, 8)), "Modbus"),
		tcp("enip register session", 51000, 44818, enip(0x65, cat(le16(1), le16(0))), "ENIP"),
		tcp("enip send rr data", 51000, 44818, enip(0x6f, cat(le32(0), le16(10), le16(2), le16(0), le16(0), le16(0xb2), le16(6), []byte{0x01, 0x02, 0x20, 0x01, 0x24, 0x01})), "ENIP"),
		udp("enip list identity", 51000, 44818, enip(0x63, nil), "ENIP"),
		tcp("s7comm setup communication", 51000, 102, s7Job(), "S7comm"),
		// remote access
		tcp("rdp connection request", 51000, 3389, rdpCR, "RDP"),
		tcp("rdp neg request only", 51000, 3389, tpkt(x224(0xe0, cat([]byte{1, 0}, le16(8), le32(11)))), "RDP"),
		tcp("rdp connection confirm", 3389, 51000, tpkt(x224(0xd0, cat([]byte{2, 0x1f}, le16(8), le32(2)))), "RDP"),
		tcp("telnet negotiation", 23, 51000, []byte{0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20, 0xff, 0xfd, 0x23, 0xff, 0xfd, 0x27}, "Telnet"),
		tcp("telnet single will", 51000, 23, []byte{0xff, 0xfb, 0x01}, "Telnet"),
		tcp("telnet subnegotiation then text", 23, 51000, cat([]byte{0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 0xff, 0xfb, 0x01}, []byte("login: ")), "Telnet"),
		// file sharing, databases, IoT
		tcp("smb2 negotiate", 51000, 445, smb2Negotiate(), "SMB"),
		tcp("smb1 negotiate", 51000, 139, smb1Negotiate(), "SMB"),
		tcp("mysql greeting", 3306, 51000, mysqlGreeting("8.0.36"), "MySQL"),
		tcp("mariadb greeting", 3307, 51000, mysqlGreeting("5.5.5-10.11.6-MariaDB-0+deb12u1"), "MySQL"),
		tcp("postgres ssl request", 51000, 5432, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, "PostgreSQL"),
		tcp("postgres gssenc request", 51000, 5432, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}, "PostgreSQL"),
		tcp("postgres startup", 51000, 5433, pgStartup(), "PostgreSQL"),
		tcp("redis ping", 51000, 6379, []byte("*1\r\n$4\r\nPING\r\n"), "Redis"),
		tcp("redis set", 51000, 6380, []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"), "Redis"),
		tcp("redis auth", 51000, 6379, []byte("*2\r\n$4\r\nauth\r\n$6\r\nsecret\r\n"), "Redis"),
		tcp("redis inline ping", 51000, 6379, []byte("PING\r\n"), "Redis"),
		tcp("mqtt connect 3.1.1", 51000, 1883, mqttConnect("MQTT", 4), "MQTT"),
		tcp("mqtt connect 5", 51000, 1883, mqttConnect("MQTT", 5), "MQTT"),
		tcp("mqtt connect 3.1", 51000, 1883, mqttConnect("MQIsdp", 3), "MQTT"),
		// QUIC
		udp("quic v1 initial", 51000, 443, quicInitial(1, 0xc3), "QUIC"),
		udp("quic v2 initial", 51000, 443, quicInitial(0x6b3343cf, 0xd3), "QUIC"),
		udp("quic draft-29 initial", 51000, 443, quicInitial(0xff00001d, 0xc3), "QUIC"),
		udp("gquic Q050", 51000, 443, quicInitial(0x51303530, 0xc3), "QUIC"),
		udp("gquic Q043", 51000, 443, cat([]byte{0x0d}, []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte("Q043"), []byte{1}, make([]byte, 1300)), "QUIC"),
		udp("quic version negotiation", 443, 51000, cat([]byte{0x80}, u32(0), []byte{8, 1, 2, 3, 4, 5, 6, 7, 8, 0}, u32(1), u32(0xff00001d), u32(0x1a2a3a4a)), "QUIC"),
		// network services
		udp("snmp v2c get", 51000, 161, snmpGet(1, "public"), "SNMP"),
		udp("snmp v1 get", 51000, 1161, snmpGet(0, "private"), "SNMP"),
		udp("kerberos as-req", 51000, 88, krb, "Kerberos"),
		tcp("kerberos as-req tcp", 51000, 88, cat(u32(len(krb)), krb), "Kerberos"),
		udp("stun binding request", 51000, 3478, stunBinding(nil), "STUN"),
		udp("stun binding with attribute", 51000, 19302, stunBinding(cat(u16(0x8022), u16(4), []byte("test"))), "STUN"),
		tcp("bgp open", 51000, 179, bgpOpen(), "BGP"),
		tcp("bgp keepalive", 179, 51000, cat(bytes.Repeat([]byte{0xff}, 16), u16(19), []byte{4}), "BGP"),
	}
}

func TestDetect(t *testing.T) {
	names := dpi.Names()
	for _, c := range positiveCases(t) {
		got := dpi.Detect(c.t, c.sport, c.dport, c.fromClient, c.payload)
		if got != c.want {
			t.Errorf("%s: Detect = %q, want %q (payload %q)", c.name, got, c.want, c.payload[:min(len(c.payload), 48)])
		}
		if !slices.Contains(names, c.want) {
			t.Errorf("%s: %q is not in Names()", c.name, c.want)
		}
		// The direction is only a hint: no verdict depends on it.
		if got2 := dpi.Detect(c.t, c.sport, c.dport, !c.fromClient, c.payload); got2 != got {
			t.Errorf("%s: Detect depends on fromClient: %q vs %q", c.name, got, got2)
		}
	}
}

func TestNegative(t *testing.T) {
	appData := cat([]byte{0x17, 0x03, 0x03, 0x00, 0x40}, make([]byte, 64))
	mrand.New(mrand.NewSource(1)).Read(appData[5:])
	cases := []tc{
		tcp("empty", 51000, 80, nil, ""),
		tcp("short GET", 51000, 80, []byte("GE"), ""),
		tcp("GET without target", 51000, 80, []byte("GET "), ""),
		tcp("short tls header", 51000, 443, []byte{0x16, 0x03, 0x01}, ""),
		tcp("tls application data", 51000, 443, appData, ""),
		tcp("tls alert", 443, 51000, []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}, ""),
		tcp("http in the middle", 51000, 80, []byte("xxxxGET / HTTP/1.1\r\nHost: a\r\n\r\n"), ""),
		tcp("http after binary", 51000, 80, []byte("\x00\x01GET / HTTP/1.1\r\n\r\n"), ""),
		tcp("request line without version", 51000, 80, []byte("GET /index.html FOO/1.0\r\n"), ""),
		tcp("lower-case method", 51000, 80, []byte("get / HTTP/1.1\r\n"), ""),
		tcp("short url without line end", 51000, 80, []byte("GET /abc"), ""),
		tcp("text on port 80", 51000, 80, []byte("hello world\r\n"), ""),
		tcp("text on port 443", 51000, 443, []byte("hello world\r\n"), ""),
		tcp("text on port 22", 51000, 22, []byte("hello world\r\n"), ""),
		tcp("text on port 502", 51000, 502, []byte("hello world\r\n"), ""),
		udp("text on port 53", 51000, 53, []byte("hello world, this is not dns\r\n"), ""),
		udp("text on port 123", 51000, 123, []byte("hello world, this is not ntp, it only uses its port\r\n"), ""),
		tcp("SSH without version", 51000, 22, []byte("SSH-\r\n"), ""),
		tcp("bare 220 on an unknown port", 9999, 51000, []byte("220 Welcome\r\n"), ""),
		tcp("USER on an unknown port", 51000, 9999, []byte("USER alice\r\n"), ""),
		tcp("AUTH LOGIN on an unknown port", 51000, 9999, []byte("AUTH LOGIN\r\n"), ""),
		tcp("bare +OK on an unknown port", 9999, 51000, []byte("+OK\r\n"), ""),
		tcp("tag with unknown command", 51000, 143, []byte("a1 FROBNICATE\r\n"), ""),
		tcp("resp unknown command", 51000, 6379, []byte("*1\r\n$6\r\nFOOBAR\r\n"), ""),
		tcp("resp length mismatch", 51000, 6379, []byte("*1\r\n$5\r\nPING\r\n"), ""),
		udp("ntp header off port 123", 51000, 5000, ntpPacket(4, 3, 0), ""),
		udp("ntp bad version", 51000, 123, ntpPacket(7, 3, 0), ""),
		udp("ntp bad stratum", 51000, 123, ntpPacket(4, 4, 200), ""),
		tcp("modbus off port 502", 51000, 5020, modbus(1, 1, 3, 0, 0, 0, 10), ""),
		tcp("modbus wrong length", 51000, 502, cat(modbus(1, 1, 3, 0, 0, 0, 10), []byte{0}), ""),
		tcp("modbus wrong pdu size", 51000, 502, modbus(1, 1, 5, 0, 0), ""),
		tcp("modbus protocol id 1", 51000, 502, []byte{0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 10}, ""),
		tcp("enip nop", 51000, 44818, enip(0, nil), ""),
		tcp("enip options set", 51000, 44818, cat(enip(0x65, cat(le16(1), le16(0)))[:20], le32(1), le16(1), le16(0)), ""),
		tcp("enip length mismatch", 51000, 44818, cat(enip(0x65, cat(le16(1), le16(0))), []byte{0}), ""),
		tcp("iso-tsap connection request (s7)", 51000, 102, tpkt([]byte{0x11, 0xe0, 0, 0, 0, 1, 0, 0xc1, 2, 1, 0, 0xc2, 2, 1, 2, 0xc0, 1, 0x0a}), ""),
		tcp("cotp data without s7", 51000, 102, tpkt([]byte{2, 0xf0, 0x80, 0x33, 1, 0, 0, 0, 0, 0, 0, 0, 0}), ""),
		tcp("netbios keepalive", 51000, 139, []byte{0x85, 0, 0, 0}, ""),
		tcp("netbios session request (smb follows)", 51000, 139, cat([]byte{0x81, 0, 0, 68}, nbName("SERVER", 0x20), []byte{0}, nbName("CLIENT", 0), []byte{0}), ""),
		tcp("mysql greeting bad filler", 3306, 51000, func() []byte { g := mysqlGreeting("8.0.36"); g[5+7+4+8] = 1; return g }(), ""),
		tcp("postgres startup bad version", 51000, 5432, func() []byte { p := pgStartup(); p[5] = 9; return p }(), ""),
		tcp("mqtt bad protocol name", 51000, 1883, mqttConnect("MQTX", 4), ""),
		tcp("mqtt bad level", 51000, 1883, mqttConnect("MQTT", 9), ""),
		udp("quic unknown version", 51000, 443, quicInitial(0x12345678, 0xc3), ""),
		udp("quic dcid too long", 51000, 443, func() []byte { p := quicInitial(1, 0xc3); p[5] = 21; return p }(), ""),
		udp("quic short header", 51000, 443, func() []byte { p := quicInitial(1, 0x43); return p }(), ""),
		udp("stun without cookie", 51000, 3478, cat(u16(1), u16(0), u32(0x2112a443), []byte("txid12345678")), ""),
		udp("stun length mismatch", 51000, 3478, cat(stunBinding(nil), []byte{0, 0, 0, 0}), ""),
		udp("snmp bad version", 51000, 161, snmpGet(2, "public"), ""),
		udp("kerberos bad pvno", 51000, 88, func() []byte { k := kerberosASReq(); k[bytes.Index(k, []byte{0xa1, 3, 2, 1, 5})+4] = 4; return k }(), ""),
		tcp("telnet iac with unknown command", 23, 51000, []byte{0xff, 0x10, 0x01, 0xff, 0xfb, 0x01}, ""),
		tcp("one iac then text", 23, 51000, []byte{0xff, 0xfd, 0x18, 'h', 'i'}, ""),
		tcp("bgp bad type", 179, 51000, cat(bytes.Repeat([]byte{0xff}, 16), u16(19), []byte{9}), ""),
		udp("bootp without cookie off bootp ports", 51000, 51001, bootpNoCookie(t), ""),
		udp("dhcpv6 off its ports", 51000, 51001, dhcpv6Solicit(t), ""),
		udp("dhcpv6 trailing byte", 546, 547, cat(dhcpv6Solicit(t), []byte{0}), ""),
		udp("dns with 100 questions", 51000, 53, func() []byte { q := dnsQuery(t, "example.com", layers.DNSTypeA); q[5] = 100; return q }(), ""),
		udp("dns name pointing forward", 51000, 53, cat(u16(1), u16(0x0100), u16(1), u16(0), u16(0), u16(0), []byte{0xc0, 0x40}, u16(1), u16(1)), ""),
		udp("dns bad class", 51000, 53, func() []byte { q := dnsQuery(t, "example.com", layers.DNSTypeA); q[len(q)-1] = 9; return q }(), ""),
		udp("dns query without question", 51000, 53, cat(u16(1), u16(0x0100), u16(0), u16(0), u16(0), u16(0), make([]byte, 8)), ""),
		udp("dtls application data", 51000, 4433, cat([]byte{0x17, 0xfe, 0xfd}, u16(1), make([]byte, 6), u16(16), make([]byte, 16)), ""),
		{"unknown transport", dpi.Transport(132), 51000, 80, true, []byte("GET / HTTP/1.1\r\n\r\n"), ""},
	}
	for _, c := range cases {
		if got := dpi.Detect(c.t, c.sport, c.dport, c.fromClient, c.payload); got != c.want {
			t.Errorf("%s: Detect = %q, want %q", c.name, got, c.want)
		}
	}
	// Every prefix of a positive payload shorter than what its check needs
	// must give "" or the same answer: never another protocol.
	for _, c := range positiveCases(t) {
		for n := 0; n < len(c.payload) && n < 64; n++ {
			if got := dpi.Detect(c.t, c.sport, c.dport, c.fromClient, c.payload[:n]); got != "" && got != c.want {
				t.Errorf("%s cut to %d bytes: Detect = %q, want %q or nothing", c.name, n, got, c.want)
			}
		}
	}
}

// specialPorts are ports that break ties or confirm weak headers: random
// content on them must stay unnamed too.
var specialPorts = []uint16{21, 25, 53, 67, 68, 110, 123, 137, 138, 443, 502, 546, 547, 1900, 5353, 5355, 6379, 44818}

func TestRandomPayloads(t *testing.T) {
	r := mrand.New(mrand.NewSource(20240601))
	buf := make([]byte, 1500)
	named := 0
	calls := 0
	check := func(tr dpi.Transport, sport, dport uint16, p []byte) {
		calls++
		if got := dpi.Detect(tr, sport, dport, calls%2 == 0, p); got != "" {
			named++
			if named <= 10 {
				t.Errorf("random %d-byte payload (%v, %d->%d) named %q: % x", len(p), tr, sport, dport, got, p[:min(len(p), 32)])
			}
		}
	}
	// sizes random payloads take: small, the fixed sizes of binary headers
	// (NTP 48/68, DHCP 240-300, QUIC 1200...) and anything up to 1500.
	size := func(i int) int {
		switch i % 4 {
		case 0:
			return 1 + r.Intn(64)
		case 1:
			return []int{8, 12, 16, 20, 24, 28, 48, 52, 68, 72, 240, 300, 1200, 1252}[r.Intn(14)]
		default:
			return 1 + r.Intn(len(buf))
		}
	}
	for i := 0; i < 20000; i++ {
		p := buf[:size(i)]
		r.Read(p)
		sport, dport := uint16(1024+r.Intn(60000)), uint16(1+r.Intn(65535))
		check(dpi.TCP, sport, dport, p)
		check(dpi.UDP, sport, dport, p)
	}
	for _, port := range specialPorts {
		for i := 0; i < 4000; i++ {
			p := buf[:size(i)]
			r.Read(p)
			check(dpi.TCP, uint16(1024+r.Intn(60000)), port, p)
			check(dpi.UDP, port, port, p)
		}
	}
	if named > 0 {
		t.Errorf("%d of %d random payloads named a protocol", named, calls)
	}
}

// TestEncryptedPayloads feeds what encrypted traffic looks like after its
// handshake: TLS application data records, QUIC short headers, SSH binary
// packets. None may be named.
func TestEncryptedPayloads(t *testing.T) {
	r := mrand.New(mrand.NewSource(7))
	for i := 0; i < 5000; i++ {
		body := make([]byte, 16+r.Intn(1400))
		r.Read(body)
		tlsRec := cat([]byte{0x17, 0x03, 0x03}, u16(len(body)), body)
		quicShort := cat([]byte{0x40 | byte(r.Intn(0x40))}, body)
		sshPkt := cat(u32(len(body)), body)
		for _, c := range []struct {
			tr dpi.Transport
			p  []byte
		}{{dpi.TCP, tlsRec}, {dpi.UDP, quicShort}, {dpi.TCP, sshPkt}} {
			if got := dpi.Detect(c.tr, 443, 51000, false, c.p); got != "" {
				t.Fatalf("encrypted-looking payload named %q: % x", got, c.p[:16])
			}
		}
	}
}

func TestNamesAndCategories(t *testing.T) {
	names := dpi.Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate name %q", n)
		}
		seen[n] = true
		if dpi.Category(n) == "" {
			t.Errorf("Category(%q) is empty", n)
		}
	}
	for _, n := range []string{"HTTP", "TLS", "SSH", "DNS", "SMTP", "POP3", "IMAP", "FTP", "SIP", "NTP", "DHCP", "Modbus", "ENIP", "RDP", "SMB", "MySQL", "PostgreSQL", "Redis", "MQTT", "QUIC"} {
		if !seen[n] {
			t.Errorf("Names() lacks %q", n)
		}
	}
	for name, want := range map[string]string{
		"HTTP": "Web", "TLS": "Web", "QUIC": "Web", "DNS": "Network", "SMTP": "Mail", "IMAP": "Mail",
		"SSH": "RemoteAccess", "RDP": "RemoteAccess", "FTP": "FileTransfer", "SMB": "FileSharing",
		"SIP": "VoIP", "Modbus": "ICS", "ENIP": "ICS", "MySQL": "Database", "Redis": "Database", "MQTT": "IoT",
	} {
		if got := dpi.Category(name); got != want {
			t.Errorf("Category(%q) = %q, want %q", name, got, want)
		}
	}
	if got := dpi.Category("unknown"); got != "" {
		t.Errorf(`Category("unknown") = %q, want ""`, got)
	}
	// Names returns a copy: changing it does not change the next call.
	names[0] = "x"
	if dpi.Names()[0] == "x" {
		t.Error("Names() returns shared state")
	}
}

func TestDetectDoesNotAllocate(t *testing.T) {
	cases := positiveCases(t)
	random := make([]byte, 1200)
	mrand.New(mrand.NewSource(3)).Read(random)
	allocs := testing.AllocsPerRun(20, func() {
		for _, c := range cases {
			dpi.Detect(c.t, c.sport, c.dport, c.fromClient, c.payload)
		}
		dpi.Detect(dpi.TCP, 51000, 443, true, random)
		dpi.Detect(dpi.UDP, 51000, 53, true, random)
	})
	if allocs != 0 {
		t.Errorf("Detect allocates: %.1f allocations per run of %d calls", allocs, len(cases)+2)
	}
}
