package packet_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/types"
)

var ipv4Case = tsharkCase{
	typ:    "IPv4",
	filter: "ip",
	fields: []tf{
		{ours: "Version", tshark: "ip.version"},
		{ours: "IHL", tshark: "ip.hdr_len", conv: div4},
		{ours: "TOS", tshark: "ip.dsfield"},
		{ours: "Length", tshark: "ip.len"},
		{ours: "Id", tshark: "ip.id"},
		{ours: "Flags", tshark: "ip.flags"},
		{ours: "FragOffset", tshark: "ip.frag_offset"},
		{ours: "TTL", tshark: "ip.ttl"},
		{ours: "Protocol", tshark: "ip.proto"},
		{ours: "Checksum", tshark: "ip.checksum"},
		{ours: "SrcIP", tshark: "ip.src"},
		{ours: "DstIP", tshark: "ip.dst"},
	},
}

func TestIPv4AgainstTshark(t *testing.T) {
	t.Parallel()
	// The ICMP port unreachable in these captures quotes an IPv4+UDP
	// header. gopacket (like Netcap) leaves an ICMP message's body
	// undecoded, so we write one record for the packet's own IPv4 header,
	// while tshark dissects the quoted header as a second ip layer: only
	// the first occurrence is compared. The captures have no IP tunnels.
	c := ipv4Case
	c.first = true
	compareWithTshark(t, c, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"),
		testutil.Testdata(t, "icmp-sll2.pcap"))
}

func TestIPv4AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	// Fragments (first, middle and last, and 1252 garbage fragments),
	// IPv4 in GRE, Geneve and VXLAN tunnels (every header is a record),
	// router alert options (IGMP) and ICMP errors quoting IPv4 headers.
	// The quoted headers are dropped by ipDecodedRows; see there.
	compareL3(t, ipv4WithPayloadSize(l3FromCase(ipv4Case, ipDecodedRows("ip"))),
		testutil.Shared(t, "public/zeek/traces/ipv4/fragmented-1.pcap"),
		testutil.Shared(t, "public/zeek/traces/ipv4/fragmented-2.pcap"),
		testutil.Shared(t, "public/ndpi/ip_fragmented_garbage.pcap"),
		testutil.Shared(t, "public/suricata-verify/defrag/bug-6887-defrag-ipv4-tcp-syn/frag-ip-tcp-syn.pcap"),
		testutil.Shared(t, "public/arkime/gre-sample.pcap"),
		testutil.Shared(t, "public/ja4/pcap/tcpdump-geneve.pcap"),
		testutil.Shared(t, "public/tcpdump/vxlan.pcap"),
		testutil.Shared(t, "public/tcpdump/IGMP_V2.pcap"),
		testutil.Shared(t, "public/community-id/pcaps/icmp.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp-destunreach-udp.pcap"),
		testutil.Shared(t, "public/ja4/pcap/ssh2.pcapng"),
		testutil.Shared(t, "public/ndpi/nintendo.pcap"),
	)
}

// ipv4WithPayloadSize adds PayloadSize to an l3Case made from ipv4Case:
// the total length less the header length (gopacket cuts the payload at
// the total length, dropping Ethernet padding; the captures are not cut
// short by a snap length).
func ipv4WithPayloadSize(c l3Case) l3Case {
	rows := c.rows
	c.ours = append(c.ours, "PayloadSize")
	c.rows = func(f l3Frame) [][]string {
		out := rows(f)
		for i := range out {
			total, err1 := strconv.Atoi(f.at("ip.len", i))
			hdr, err2 := strconv.Atoi(f.at("ip.hdr_len", i))
			if err1 != nil || err2 != nil {
				out[i] = append(out[i], "bad lengths "+f.at("ip.len", i)+"/"+f.at("ip.hdr_len", i))
				continue
			}
			out[i] = append(out[i], strconv.Itoa(total-hdr))
		}
		return out
	}
	return c
}

// TestIPv4OptionsAgainstTshark compares the options of every IPv4 header
// on captures whose options are all router alerts (RFC 2113, carried by
// IGMP): type, length and the 2-byte value as data.
func TestIPv4OptionsAgainstTshark(t *testing.T) {
	t.Parallel()
	c := l3Case{
		typ:    "IPv4",
		filter: "ip",
		tshark: []string{"ip.opt.type", "ip.opt.len", "ip.opt.ra"},
		ours:   []string{"Options"},
		rows: func(f l3Frame) [][]string {
			if f.count("ip") != 1 {
				return [][]string{{"cannot attribute the options of several IPv4 headers"}}
			}
			var opts []string
			for i, typ := range f.all("ip.opt.type") {
				if typ != "148" {
					return [][]string{{"option " + typ + " is not a router alert"}}
				}
				ra, err := strconv.ParseUint(f.at("ip.opt.ra", i), 10, 16)
				if err != nil {
					return [][]string{{"bad router alert value " + f.at("ip.opt.ra", i)}}
				}
				opts = append(opts, fmt.Sprintf("(%s;%s;%04x)", typ, f.at("ip.opt.len", i), ra))
			}
			return [][]string{{strings.Join(opts, "|")}}
		},
	}
	compareL3(t, c,
		testutil.Shared(t, "public/tcpdump/IGMP_V2.pcap"),
		testutil.Shared(t, "public/tcpdump/igmpv3-queries.pcap"),
		testutil.Shared(t, "public/arkime/igmp.pcap"),
		testutil.Shared(t, "public/zeek/traces/dns/mdns.pcap"),
	)
}

func FuzzIPv4(f *testing.F) { fuzzLayer(f, layers.LayerTypeIPv4) }

// ---------------------------------------------------------------------------
// Helpers shared by the IP, ICMP and IGMP tests: synthetic captures for
// messages the public captures lack, and a comparison with tshark that
// reads each selected frame's values whole, for checks the harness's one
// tshark field per record field cannot express (a value built from several
// tshark fields, repeated sub-records, or picking which of a frame's
// occurrences of a layer we decode).

// l3SynthCapture writes frames (Ethernet) to a classic pcap file in a
// temporary directory, one a second, for messages no public capture has;
// the test still compares our records with tshark's reading of them.
func l3SynthCapture(t *testing.T, frames ...[]byte) string {
	t.Helper()
	// pcap file header: magic, version 2.4, zone, sigfigs, snaplen, Ethernet
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, uint32(layers.LinkTypeEthernet))
	for i, f := range frames {
		b = binary.LittleEndian.AppendUint32(b, uint32(1700000000+i)) // seconds
		b = binary.LittleEndian.AppendUint32(b, 0)                    // microseconds
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	path := filepath.Join(t.TempDir(), "synth.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// l3IPv4Frame returns an Ethernet frame carrying an IPv4 packet (with a
// valid header checksum) of protocol proto from 192.0.2.1 to dst with
// the given payload.
func l3IPv4Frame(proto byte, dst [4]byte, payload []byte) []byte {
	b := []byte{0x01, 0x00, 0x5e, 0, 0, 1, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 1, proto, 0, 0, 192, 0, 2, 1, dst[0], dst[1], dst[2], dst[3]}
	binary.BigEndian.PutUint16(b[16:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(b[24:], l3Checksum(b[14:34]))
	return append(b, payload...)
}

// l3Checksum is the Internet checksum (RFC 1071) of b.
func l3Checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// l3WithChecksum sets the checksum at bytes 2-3 of an ICMP or IGMP message.
func l3WithChecksum(msg []byte) []byte {
	msg[2], msg[3] = 0, 0
	binary.BigEndian.PutUint16(msg[2:], l3Checksum(msg))
	return msg
}

// l3Frame is one frame as tshark dissects it.
type l3Frame struct {
	protocols []string            // frame.protocols, split at ':'
	vals      map[string][]string // the values of each field, in order of occurrence
}

// all returns the values of a field.
func (f l3Frame) all(field string) []string { return f.vals[field] }

// at returns the i-th value of a field, or "" when it has fewer.
func (f l3Frame) at(field string, i int) string {
	if v := f.vals[field]; i < len(v) {
		return v[i]
	}
	return ""
}

// count returns how often layer occurs in frame.protocols before the first
// of the stop layers (all of them without stop layers).
func (f l3Frame) count(layer string, stop ...string) int {
	n := 0
	for _, p := range f.protocols {
		for _, s := range stop {
			if p == s {
				return n
			}
		}
		if p == layer {
			n++
		}
	}
	return n
}

// contextAddrs returns the addresses of the frame's first IP header of
// either version, which records copy from the packet context. It needs the
// fields ip.src, ip.dst, ipv6.src and ipv6.dst.
func (f l3Frame) contextAddrs() (string, string) {
	for _, p := range f.protocols {
		switch p {
		case "ip":
			return f.at("ip.src", 0), f.at("ip.dst", 0)
		case "ipv6":
			return f.at("ipv6.src", 0), f.at("ipv6.dst", 0)
		}
	}
	return "", ""
}

// l3Case is a comparison of the records of type typ with the frames tshark
// selects with filter.
type l3Case struct {
	typ    string
	filter string
	tshark []string // tshark fields read per frame
	// ours names the record fields compared, rendered as by the harness;
	// when oursRow is set it renders a record's values instead and ours only
	// names the columns in messages.
	ours    []string
	oursRow func(m proto.Message) []string
	// rows returns the expected values of the records a frame yields, one
	// slice per record, in the order of ours.
	rows func(f l3Frame) [][]string
	args []string // extra tshark arguments
}

// l3FromCase turns a harness case into an l3Case that expects one record
// per occurrence of the layer among the first keep(frame) occurrences, with
// the case's fields (a "a,b" field and conv work as in the harness). The
// record fields named in context copy the packet context (the first IP
// layer's addresses): they take tshark's first occurrence in every record.
func l3FromCase(c tsharkCase, keep func(f l3Frame) int, context ...string) l3Case {
	out := l3Case{typ: c.typ, filter: c.filter, args: c.args}
	for _, fl := range c.fields {
		out.ours = append(out.ours, fl.ours)
		out.tshark = append(out.tshark, strings.Split(fl.tshark, ",")...)
	}
	out.rows = func(f l3Frame) [][]string {
		var rows [][]string
		for occ := range keep(f) {
			row := make([]string, len(c.fields))
			for i, fl := range c.fields {
				at := occ
				if slices.Contains(context, fl.ours) {
					at = 0
				}
				for _, name := range strings.Split(fl.tshark, ",") {
					if v := f.at(name, at); v != "" {
						row[i] = v
						break
					}
				}
				row[i] = normalize(row[i])
				if fl.conv != nil {
					row[i] = fl.conv(row[i])
				}
			}
			rows = append(rows, row)
		}
		return rows
	}
	return out
}

// ipDecodedRows returns how many headers of an IP layer ("ip" or "ipv6")
// we decode in a frame: those before the first ICMP message. gopacket, like
// Netcap, does not decode the packet an ICMP error quotes, while tshark
// dissects it as a further IP layer.
func ipDecodedRows(layer string) func(f l3Frame) int {
	return func(f l3Frame) int { return f.count(layer, "icmp", "icmpv6") }
}

// compareL3 checks c on every capture.
func compareL3(t *testing.T, c l3Case, pcaps ...string) {
	t.Helper()
	head := tsharkCase{typ: c.typ}
	for _, name := range c.ours {
		head.fields = append(head.fields, tf{ours: name, tshark: "(" + strings.Join(c.tshark, " ") + ")"})
	}
	for _, pcap := range pcaps {
		frames := l3Frames(t, pcap, c)
		if len(frames) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		var theirs []string
		for _, f := range frames {
			for _, row := range c.rows(f.l3Frame) {
				for i := range row {
					row[i] = normalize(row[i])
				}
				theirs = append(theirs, f.ts+"\t"+strings.Join(row, "\t"))
			}
		}
		sink := decodeCapture(t, pcap)
		var ours []string
		if c.oursRow == nil {
			ours = recordTuples(t, sink, head)
		} else {
			for _, m := range sink.Records(l3Type(t, c.typ)) {
				row := c.oursRow(m)
				for i := range row {
					row[i] = normalize(row[i])
				}
				ours = append(ours, recordTimestamp(m)+"\t"+strings.Join(row, "\t"))
			}
		}
		diffTuples(t, head, pcap, ours, theirs)
	}
}

type l3TimedFrame struct {
	ts string
	l3Frame
}

// l3Frames runs tshark for c on pcap.
func l3Frames(t *testing.T, pcap string, c l3Case) []l3TimedFrame {
	t.Helper()
	args := []string{"-r", pcap, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-Y", c.filter, "-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-E", "occurrence=a",
		"-e", "frame.time_epoch", "-e", "frame.protocols"}
	for _, name := range c.tshark {
		args = append(args, "-e", name)
	}
	args = append(args, c.args...)
	var stderr bytes.Buffer
	cmd := exec.Command(testutil.Tshark(t), args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	var frames []l3TimedFrame
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		for len(cols) < 2+len(c.tshark) {
			cols = append(cols, "")
		}
		f := l3TimedFrame{ts: epochNanos(cols[0])}
		f.protocols = strings.Split(cols[1], ":")
		f.vals = map[string][]string{}
		for i, name := range c.tshark {
			if v := cols[2+i]; v != "" {
				f.vals[name] = strings.Split(v, "|")
			}
		}
		frames = append(frames, f)
	}
	return frames
}

func l3Type(t *testing.T, name string) types.Type {
	t.Helper()
	typ, ok := types.TypeByName(name)
	if !ok {
		t.Fatalf("no record type %s", name)
	}
	return typ
}

// recordTimestamp renders a record's Timestamp as the harness does.
func recordTimestamp(m proto.Message) string {
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(protoreflect.Name("Timestamp"))
	if fd == nil {
		return ""
	}
	return strconv.FormatInt(r.Get(fd).Int(), 10)
}
