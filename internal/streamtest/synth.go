package streamtest

import (
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Segment is one TCP segment of a synthetic conversation: from the
// client (Dir 0) or the server (1), with flags (S, A, F, P; L: lost, not
// in the capture, its sequence numbers skipped) and payload.
type Segment struct {
	Dir     int
	Flags   string
	Payload string
}

// Seg returns a Segment.
func Seg(dir int, flags, payload string) Segment {
	return Segment{Dir: dir, Flags: flags, Payload: payload}
}

// TCPConversation returns the frames (Ethernet, IPv4, TCP) of a
// conversation between 10.0.0.1:cport and 10.0.0.2:sport: the handshake,
// the segments, then FIN both ways.
func TCPConversation(cport, sport uint16, segs ...Segment) [][]byte {
	all := append([]Segment{Seg(0, "S", ""), Seg(1, "SA", ""), Seg(0, "A", "")}, segs...)
	all = append(all, Seg(0, "FA", ""), Seg(1, "FA", ""), Seg(0, "A", ""))
	seq := [2]uint32{1000, 500000}
	var frames [][]byte
	for _, s := range all {
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}}
		tcp := &layers.TCP{SrcPort: layers.TCPPort(cport), DstPort: layers.TCPPort(sport), Seq: seq[0], Ack: seq[1], Window: 65535}
		if s.Dir == 1 {
			ip.SrcIP, ip.DstIP = ip.DstIP, ip.SrcIP
			tcp.SrcPort, tcp.DstPort, tcp.Seq, tcp.Ack = tcp.DstPort, tcp.SrcPort, seq[1], seq[0]
		}
		tcp.SYN, tcp.ACK = strings.Contains(s.Flags, "S"), strings.Contains(s.Flags, "A")
		tcp.FIN, tcp.PSH = strings.Contains(s.Flags, "F"), len(s.Payload) > 0
		if tcp.SYN && !tcp.ACK {
			tcp.Ack = 0
		}
		if !strings.Contains(s.Flags, "L") {
			frames = append(frames, frame(ip, tcp, []byte(s.Payload)))
		}
		seq[s.Dir] += uint32(len(s.Payload))
		if tcp.SYN || tcp.FIN {
			seq[s.Dir]++
		}
	}
	return frames
}

func frame(ip *layers.IPv4, l4 interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}, payload []byte) []byte {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	if err := l4.SetNetworkLayerForChecksum(ip); err != nil {
		panic(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, l4, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	return slices.Clone(buf.Bytes())
}

// WritePcap writes Ethernet frames to a pcap file (one millisecond
// apart) in the test's temporary directory.
func WritePcap(t testing.TB, frames [][]byte) string {
	t.Helper()
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, uint32(layers.LinkTypeEthernet))
	for i, f := range frames {
		b = le.AppendUint32(b, uint32(1700000000+i/1000))
		b = le.AppendUint32(b, uint32(i%1000*1000))
		b = le.AppendUint32(b, uint32(len(f)))
		b = le.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	path := filepath.Join(t.TempDir(), "synthetic.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
