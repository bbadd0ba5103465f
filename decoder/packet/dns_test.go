package packet_test

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// The DNS records are compared with tshark's PDML, which keeps each
// question and resource record in a subtree of its own: every field of the
// header, of each question and of each resource record, with the decoded
// RDATA of the kinds the record holds (A, AAAA, NS, CNAME, PTR, SOA, SRV,
// MX, TXT/HINFO) and the raw RDATA of all (OPT included).

var dnsCols = []string{"ID", "QR", "OpCode", "AA", "TC", "RD", "RA", "Z", "ResponseCode",
	"QDCount", "ANCount", "NSCount", "ARCount", "Questions", "Answers", "Authorities", "Additionals",
	"SrcIP", "DstIP", "SrcPort", "DstPort"}

// dnsOurRow renders a DNS record as dnsRows renders tshark's dissection.
func dnsOurRow(m proto.Message) []string {
	r := m.(*types.DNS)
	var qs []string
	for _, q := range r.Questions {
		qs = append(qs, strings.Join([]string{tsharkText(q.Name), decimal(q.Type), decimal(q.Class)}, ";"))
	}
	rrs := func(list []*types.DNSResourceRecord) string {
		var out []string
		for _, rr := range list {
			f := []string{tsharkText(rr.Name), decimal(rr.Type), decimal(rr.Class), decimal(rr.TTL), decimal(rr.DataLength), hexOf(rr.Data),
				rr.IP, string(rr.NS), string(rr.CNAME), string(rr.PTR), "", "", "", ""}
			if s := rr.SOA; s != nil {
				f[10] = strings.Join([]string{string(s.MName), string(s.RName), decimal(s.Serial), decimal(s.Refresh),
					decimal(s.Retry), decimal(s.Expire), decimal(s.Minimum)}, ",")
			}
			if s := rr.SRV; s != nil {
				f[11] = strings.Join([]string{decimal(s.Priority), decimal(s.Weight), decimal(s.Port), string(s.Name)}, ",")
			}
			if s := rr.MX; s != nil {
				f[12] = decimal(s.Preference) + "," + tsharkText(s.Name)
			}
			var txts []string
			for _, t := range rr.TXTs {
				txts = append(txts, "<"+hexOf(t)+">")
			}
			f[13] = strings.Join(txts, ",")
			out = append(out, strings.Join(f, ";"))
		}
		return strings.Join(out, "|")
	}
	row := []string{decimal(r.ID), boolDigit(r.QR), decimal(r.OpCode), boolDigit(r.AA), boolDigit(r.TC), boolDigit(r.RD), boolDigit(r.RA), decimal(r.Z),
		decimal(r.ResponseCode), decimal(r.QDCount), decimal(r.ANCount), decimal(r.NSCount), decimal(r.ARCount),
		strings.Join(qs, "|"), rrs(r.Answers), rrs(r.Authorities), rrs(r.Additionals),
		r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
	if len(r.Questions) != int(r.QDCount) || len(r.Answers) != int(r.ANCount) ||
		len(r.Authorities) != int(r.NSCount) || len(r.Additionals) != int(r.ARCount) {
		// A malformed message: the record has the entries before the
		// malformed one.
		dnsIncomplete(row)
	}
	return row
}

// dnsIncomplete replaces the entries of a malformed message's row by a
// marker, and its RCODE by the header's 4 bits (the OPT record with the
// upper bits may come after the malformed entry). The record holds the
// entries before the malformed one, tshark those it could read (it reads
// on where it can skip a bad entry): only the header is compared.
func dnsIncomplete(row []string) {
	rcode, _ := strconv.Atoi(row[8])
	row[8] = strconv.Itoa(rcode & 0xf)
	for i := 13; i <= 16; i++ {
		row[i] = "malformed"
	}
}

// dnsName is a name as tshark shows it, as the record holds it: the root
// is empty.
func dnsName(s string) string {
	if s == "<Root>" {
		return ""
	}
	return s
}

// dnsRows renders each top-level DNS message of a packet (not one an ICMP
// error quotes: gopacket does not decode those).
func dnsRows(p tsharktest.Packet) [][]string {
	srcIP, dstIP, srcPort, dstPort := pdmlContext(p)
	var rows [][]string
	for _, d := range p.Outer("dns") {
		flags, _ := strconv.ParseUint(tsharktest.Normalize(d.ShowOf("dns.flags")), 10, 16)
		// tshark leaves out the flags that do not apply to the message
		// (AA, RA, RCODE in queries): those bits are read from the
		// flags field.
		bit := func(field string, shift uint) string {
			if f := d.Find(field); f != nil {
				return tsharktest.Normalize(f.Show)
			}
			return strconv.FormatUint(flags>>shift&1, 10)
		}
		opcode := tsharktest.Normalize(d.ShowOf("dns.flags.opcode"))
		rcode, _ := strconv.Atoi(tsharktest.Normalize(d.ShowOf("dns.flags.rcode")))
		if d.Find("dns.flags.rcode") == nil {
			rcode = int(flags & 0xf)
		}
		// Z is the three bits after RA: Z, AD and CD (RFC 2535, 4035).
		z := bit("dns.flags.z", 6) + bit("dns.flags.authenticated", 5) + bit("dns.flags.checkdisable", 4)
		zn, _ := strconv.ParseUint(z, 2, 8)
		var qs []string
		if q := d.Labelled("Queries"); q != nil {
			for _, e := range q.Children {
				qs = append(qs, strings.Join([]string{dnsName(e.ShowOf("dns.qry.name")), tsharktest.Normalize(e.ShowOf("dns.qry.type")),
					tsharktest.Normalize(e.ShowOf("dns.qry.class"))}, ";"))
			}
		}
		section := func(name string) string {
			s := d.Labelled(name)
			if s == nil {
				return ""
			}
			var out []string
			for _, rr := range s.Children {
				row, ext := dnsRRRow(rr)
				out = append(out, row)
				if ext >= 0 {
					rcode |= ext << 4 // extended RCODE (RFC 6891 6.1.3)
				}
			}
			return strings.Join(out, "|")
		}
		answers, auths, adds := section("Answers"), section("Authoritative nameservers"), section("Additional records")
		row := []string{tsharktest.Normalize(d.ShowOf("dns.id")), bit("dns.flags.response", 15), opcode,
			bit("dns.flags.authoritative", 10), bit("dns.flags.truncated", 9), bit("dns.flags.recdesired", 8),
			bit("dns.flags.recavail", 7), strconv.FormatUint(zn, 10), strconv.Itoa(rcode),
			tsharktest.Normalize(d.ShowOf("dns.count.queries")), tsharktest.Normalize(d.ShowOf("dns.count.answers")), tsharktest.Normalize(d.ShowOf("dns.count.auth_rr")),
			tsharktest.Normalize(d.ShowOf("dns.count.add_rr")), strings.Join(qs, "|"), answers, auths, adds,
			srcIP, dstIP, srcPort, dstPort}
		// A malformed message: tshark shows a name it could not read
		// (its limit of 255 bytes is ours), or says the message is
		// malformed and could not read all its entries. (tshark also
		// calls malformed a message whose entries are all there but
		// one's RDATA does not hold what its type needs, such as a
		// short RRSIG or an NSEC bitmap overrunning its record: the
		// record keeps those with their raw RDATA.)
		if d.HasShow("<Name too long>") || p.Malformed(d) && !dnsEntriesComplete(d) {
			dnsIncomplete(row)
		}
		rows = append(rows, row)
	}
	return rows
}

// dnsEntriesComplete reports whether tshark read every question and
// resource record the header counts, each with all its RDATA.
func dnsEntriesComplete(d *tsharktest.Node) bool {
	for _, s := range []struct{ section, count string }{{"Queries", "dns.count.queries"},
		{"Answers", "dns.count.answers"}, {"Authoritative nameservers", "dns.count.auth_rr"},
		{"Additional records", "dns.count.add_rr"}} {
		var entries []*tsharktest.Node
		if n := d.Labelled(s.section); n != nil {
			entries = n.Children
		}
		if strconv.Itoa(len(entries)) != d.ShowOf(s.count) {
			return false
		}
		if s.section == "Queries" {
			continue
		}
		for _, rr := range entries {
			n, err := strconv.Atoi(tsharktest.Normalize(rr.ShowOf("dns.resp.len")))
			if err != nil || len(rr.Bytes()) < 10+n {
				return false
			}
		}
	}
	return true
}

// dnsRRRow renders one resource record of tshark's dissection; ext is the
// extended RCODE of an OPT record, else -1.
func dnsRRRow(rr *tsharktest.Node) (string, int) {
	typ := tsharktest.Normalize(rr.ShowOf("dns.resp.type"))
	name := dnsName(rr.ShowOf("dns.resp.name"))
	if rr.Find("dns.resp.name") == nil && rr.Find("dns.srv.service") != nil {
		// tshark 4.0 splits the owner of an SRV record into service,
		// protocol and name.
		name = rr.ShowOf("dns.srv.service") + "." + rr.ShowOf("dns.srv.proto") + "." + rr.ShowOf("dns.srv.name")
	}
	class, ttl, ext := tsharktest.Normalize(rr.ShowOf("dns.resp.class")), tsharktest.Normalize(rr.ShowOf("dns.resp.ttl")), -1
	if typ == "41" {
		// OPT: the class is the UDP payload size, the TTL the extended
		// RCODE, the version and the flags (RFC 6891 6.1.3).
		class = tsharktest.Normalize(rr.ShowOf("dns.rr.udp_payload_size"))
		e, _ := strconv.Atoi(tsharktest.Normalize(rr.ShowOf("dns.resp.ext_rcode")))
		v, _ := strconv.Atoi(tsharktest.Normalize(rr.ShowOf("dns.resp.edns0_version")))
		z, _ := strconv.Atoi(tsharktest.Normalize(rr.ShowOf("dns.resp.z")))
		ttl, ext = strconv.FormatUint(uint64(e)<<24|uint64(v)<<16|uint64(z), 10), e
	}
	dataLen, _ := strconv.Atoi(tsharktest.Normalize(rr.ShowOf("dns.resp.len")))
	raw := rr.Bytes()
	var data []byte
	if dataLen <= len(raw) {
		data = raw[len(raw)-dataLen:]
	}
	f := []string{name, typ, class, ttl, strconv.Itoa(dataLen), hexOf(data), "", "", "", "", "", "", "", ""}
	switch typ {
	case "1":
		f[6] = rr.ShowOf("dns.a")
	case "28":
		f[6] = rr.ShowOf("dns.aaaa")
	case "2":
		f[7] = dnsName(rr.ShowOf("dns.ns"))
	case "5":
		f[8] = dnsName(rr.ShowOf("dns.cname"))
	case "12":
		f[9] = dnsName(rr.ShowOf("dns.ptr.domain_name"))
	case "6":
		f[10] = strings.Join([]string{dnsName(rr.ShowOf("dns.soa.mname")), dnsName(rr.ShowOf("dns.soa.rname")),
			rr.ShowOf("dns.soa.serial_number"), rr.ShowOf("dns.soa.refresh_interval"), rr.ShowOf("dns.soa.retry_interval"),
			rr.ShowOf("dns.soa.expire_limit"), rr.ShowOf("dns.soa.minimum_ttl")}, ",")
	case "33":
		f[11] = strings.Join([]string{rr.ShowOf("dns.srv.priority"), rr.ShowOf("dns.srv.weight"), rr.ShowOf("dns.srv.port"),
			dnsName(rr.ShowOf("dns.srv.target"))}, ",")
	case "15":
		f[12] = rr.ShowOf("dns.mx.preference") + "," + dnsName(rr.ShowOf("dns.mx.mail_exchange"))
	case "16":
		var txts []string
		for _, t := range rr.Fields("dns.txt") {
			txts = append(txts, "<"+t.Value+">")
		}
		f[13] = strings.Join(txts, ",")
	case "13":
		f[13] = "<" + rr.Find("dns.hinfo.cpu").Value + ">,<" + rr.Find("dns.hinfo.os").Value + ">"
	}
	return strings.Join(f, ";"), ext
}

// pdmlContext returns the packet context as tshark dissects it: the
// addresses of the first IP header, the ports of the first UDP or TCP
// header.
func pdmlContext(p tsharktest.Packet) (srcIP, dstIP, srcPort, dstPort string) {
	srcPort, dstPort = "0", "0"
	ipDone, portDone := false, false
	for _, pr := range p.Protos {
		switch pr.Name {
		case "ip":
			if !ipDone {
				srcIP, dstIP, ipDone = pr.ShowOf("ip.src"), pr.ShowOf("ip.dst"), true
			}
		case "ipv6":
			if !ipDone {
				srcIP, dstIP, ipDone = pr.ShowOf("ipv6.src"), pr.ShowOf("ipv6.dst"), true
			}
		case "udp", "tcp":
			if !portDone {
				srcPort, dstPort, portDone = pr.ShowOf(pr.Name+".srcport"), pr.ShowOf(pr.Name+".dstport"), true
			}
		}
	}
	return
}

// dnsCase compares every DNS message on port 53: gopacket dispatches
// DNS by port, tshark also finds DNS by heuristics on other ports (SOME/IP
// service discovery, a VXLAN test's inner datagram), and mDNS (5353) and
// LLMNR are protocols of their own for tshark. A message tshark
// reassembles from several TCP segments is left out: the parser reads
// packets one by one and writes no record for it.
var dnsCase = tsharktest.Case{
	Type:       "DNS",
	Filter:     "dns && (udp.port == 53 || tcp.port == 53) && !tcp.segments",
	Columns:    dnsCols,
	PacketRows: dnsRows,
	OursRow:    dnsOurRow,
}

func TestDNSAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, dnsCase, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

// TestDNSAgainstTsharkPublic: DNS over UDP and TCP, IPv4 and IPv6, behind raw IP link
// types, VLAN, GRE+PPP (gopacket's slow path), Teredo, 6in4 and VXLAN;
// EDNS options and extended RCODEs, DNSSEC records, URI records, bad
// cookies, bad labels, names too long and malformed RDATA.
func TestDNSAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, dnsCase, sharedCaptures(t,
		"public/arkime/dns-tcp.pcap",
		"public/tcpdump/dns_tcp.pcap",
		"public/arkime/dns-udp.pcap",
		"public/arkime/dns-mx.pcap",
		"public/arkime/dns-error.pcap",
		"public/arkime/dns-flags0110.pcap",
		"public/arkime/dns-wiresharkrepo.pcap",
		"public/arkime/dnssec_synthetic.pcap",
		"public/arkime/6-4-gre-ppp-udp-4-dns.pcap",
		"public/tcpdump/edns-opts.pcap",
		"public/tcpdump/dnssec.pcap",
		"public/tcpdump/dns-uri.pcap",
		"public/tcpdump/dns-badcookie.pcap",
		"public/tcpdump/dns-badlabel.pcap",
		"public/tcpdump/LINKTYPE_RAW_ipv6.pcap",
		"public/zeek/traces/dns-edns-ecs.pcap",
		"public/zeek/traces/dnssec/rrsig.pcap",
		"public/zeek/traces/tunnels/Teredo.pcap",
		"public/zeek/traces/wikipedia.pcap",
		"public/ja4/pcap/v6.pcap",
		"public/gopacket/pcap/test_dns.pcap",
		"public/ndpi/malformed_dns.pcap",
		"public/ndpi/6in4tunnel.pcap",
		"public/ndpi/vxlan.pcap",
		"public/ndpi/android.pcap",
		"public/suricata-verify/tls/tls-subjectaltname/input.pcap",
	)...)
}

// DNS messages built here for what the public captures lack.

// dnsWire is a name in wire form ("" is the root).
func dnsWire(name string) []byte {
	var b []byte
	if name != "" {
		for _, l := range strings.Split(name, ".") {
			b = append(append(b, byte(len(l))), l...)
		}
	}
	return append(b, 0)
}

func dnsHeader(id, flags uint16, qd, an, ns, ar int) []byte {
	return slices.Concat(be16(id), be16(flags), be16(uint16(qd)), be16(uint16(an)), be16(uint16(ns)), be16(uint16(ar)))
}

func dnsQuestion(name []byte, typ, class uint16) []byte {
	return slices.Concat(name, be16(typ), be16(class))
}

func dnsRR(name []byte, typ, class uint16, ttl uint32, rdata []byte) []byte {
	return slices.Concat(name, be16(typ), be16(class), be32(ttl), be16(uint16(len(rdata))), rdata)
}

// dnsSynthMessages are messages with every kind of resource record the
// record decodes, flags and codes the captures lack, and malformed RDATA.
func dnsSynthMessages() [][]byte {
	// A query with two questions, opcode 2 (status), AA, TC, RD and the
	// three Z/AD/CD bits set.
	query := slices.Concat(dnsHeader(0x1234, 0x1700|0x70, 2, 0, 0, 0),
		dnsQuestion(dnsWire("www.example.test"), 1, 1), dnsQuestion(dnsWire("example.test"), 255, 3))
	// A response (RCODE 0, extended RCODE 1: BADVERS, 16) with compressed
	// names: the question name is at offset 12.
	ptr := []byte{0xc0, 12}
	response := slices.Concat(dnsHeader(0x4321, 0x8580, 1, 9, 1, 1),
		dnsQuestion(dnsWire("example.test"), 255, 1),
		dnsRR(ptr, 2, 1, 3600, dnsWire("ns1.example.test")),
		dnsRR(dnsWire("alias.example.test"), 5, 1, 60, ptr),
		dnsRR(dnsWire("1.2.0.192.in-addr.arpa"), 12, 1, 60, slices.Concat([]byte{4, 'h', 'o', 's', 't'}, ptr)),
		dnsRR(ptr, 15, 1, 300, slices.Concat(be16(10), dnsWire("mail.example.test"))),
		dnsRR(dnsWire("_sip._udp.example.test"), 33, 1, 300, slices.Concat(be16(1), be16(2), be16(5060), dnsWire(""))),
		dnsRR(ptr, 16, 1, 300, []byte{5, 'h', 'e', 'l', 'l', 'o', 0, 3, 'a', ',', 'b'}),
		dnsRR(ptr, 13, 1, 300, []byte{3, 'C', 'P', 'U', 2, 'O', 'S'}),
		dnsRR(ptr, 28, 1, 300, net.ParseIP("2001:db8::53")),
		dnsRR(ptr, 1, 1, 0xffffffff, []byte{192, 0, 2, 1}),
		dnsRR(ptr, 6, 1, 300, slices.Concat(dnsWire("ns1.example.test"), dnsWire("hostmaster.example.test"),
			be32(2024010101), be32(7200), be32(900), be32(1209600), be32(86400))),
		dnsRR(dnsWire(""), 41, 1232, 0x01008000, slices.Concat(be16(10), be16(8), []byte("cookie!!"))))
	// RDATA that does not fit its type, in the last record (tshark stops
	// at it): an A record of 3 bytes, a TXT string overrunning its
	// record. The record keeps them, with their raw RDATA (and the TXT
	// strings before the bad one).
	badA := slices.Concat(dnsHeader(0x6666, 0x8180, 1, 2, 0, 0), dnsQuestion(dnsWire("example.test"), 1, 1),
		dnsRR(ptr, 1, 1, 60, []byte{192, 0, 2, 1}), dnsRR(ptr, 1, 1, 60, []byte{192, 0, 2}))
	badTXT := slices.Concat(dnsHeader(0x7777, 0x8180, 1, 1, 0, 0), dnsQuestion(dnsWire("example.test"), 16, 1),
		dnsRR(ptr, 16, 1, 60, []byte{2, 'o', 'k', 9, 'x'}))
	// Truncated: the header counts an answer the message does not hold.
	truncated := slices.Concat(dnsHeader(0x5555, 0x8180, 1, 2, 0, 0),
		dnsQuestion(dnsWire("example.test"), 1, 1), dnsRR(ptr, 1, 1, 60, []byte{192, 0, 2, 7}), []byte{0xc0, 12, 0})
	// Names with bytes that are not printable ASCII: a label with a
	// dot, a space, a UTF-8 letter, a byte that is no UTF-8.
	odd := slices.Concat(dnsHeader(0x8888, 0x0100, 2, 0, 0, 0),
		dnsQuestion([]byte("\x07dot.ted\x04with\x05sp ce\x00"), 1, 1),
		dnsQuestion([]byte("\x05gr\xc3\xbcn\x03\xffab\x00"), 1, 1))
	return [][]byte{query, response, badA, badTXT, truncated, odd}
}

// TestDNSSynthAgainstTshark compares the synthetic messages over UDP
// (IPv4 and IPv6) and over TCP: two messages in one segment, each with its
// length prefix; a message over two segments (which tshark reassembles,
// see dnsCase); a segment holding only the start of a message (tshark
// waits for the rest, which never comes: neither writes a record).
func TestDNSSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	msgs := dnsSynthMessages()
	var frames [][]byte
	for _, m := range msgs {
		frames = append(frames, udpOverIPv4(t, 40000, 53, m), udpOverIPv6(t, 53, 40001, m))
	}
	prefixed := func(m []byte) []byte { return slices.Concat(be16(uint16(len(m))), m) }
	tcp := func(seq uint32, payload []byte) []byte {
		return serializeFrame(t, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(layers.IPProtocolTCP, "192.0.2.1", "192.0.2.53"),
			&layers.TCP{SrcPort: 40002, DstPort: 53, Seq: seq, ACK: true, PSH: true, Window: 512}, gopacket.Payload(payload))
	}
	two := slices.Concat(prefixed(msgs[0]), prefixed(msgs[1]))
	split := prefixed(msgs[1])
	seq := 1000 + uint32(len(two))
	frames = append(frames, tcp(1000, two), tcp(seq, split[:30]), tcp(seq+30, split[30:]))
	seq += uint32(len(split))
	frames = append(frames, tcp(seq, prefixed(msgs[1])[:20]))
	compare(t, dnsCase, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzDNS(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeDNS, dnsSynthMessages()...)
}

// FuzzDNSOverTCP fuzzes DNS behind a TCP header, for the length prefixes
// and the chaining of several messages in one segment.
func FuzzDNSOverTCP(f *testing.F) {
	tcpHeader := slices.Concat(be16(40000), be16(53), be32(1), be32(0), []byte{0x50, 0x18}, be16(512), be16(0), be16(0))
	var seeds [][]byte
	msgs := dnsSynthMessages()
	for _, m := range msgs {
		seeds = append(seeds, slices.Concat(tcpHeader, be16(uint16(len(m))), m))
	}
	seeds = append(seeds, slices.Concat(tcpHeader, be16(uint16(len(msgs[0]))), msgs[0], be16(uint16(len(msgs[1]))), msgs[1], []byte{0, 40, 1}))
	fuzzLayer(f, layers.LayerTypeTCP, seeds...)
}
