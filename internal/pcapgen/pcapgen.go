// Package pcapgen writes synthetic captures (pcap, Ethernet, IPv4) for
// benchmarks and memory tests: many TCP connections or UDP flows with
// distinct addresses, built byte by byte so that millions of packets are
// cheap to make.
package pcapgen

import (
	"bufio"
	"encoding/binary"
	"io"
)

// Writer writes a classic pcap (microseconds, Ethernet).
type Writer struct {
	w  *bufio.Writer
	TS int64 // the next packet's time, Unix microseconds
	// Step is how far the clock moves per packet, in microseconds.
	Step int64
}

// NewWriter writes the file header to w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 1<<20)
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	bw.Write(hdr)
	return &Writer{w: bw, TS: 1_700_000_000_000_000, Step: 10}
}

// Packet writes one frame.
func (w *Writer) Packet(frame []byte) {
	var rec [16]byte
	binary.LittleEndian.PutUint32(rec[0:], uint32(w.TS/1e6))
	binary.LittleEndian.PutUint32(rec[4:], uint32(w.TS%1e6))
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
	w.w.Write(rec[:])
	w.w.Write(frame)
	w.TS += w.Step
}

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// TCP flags.
const (
	FIN = 1
	SYN = 2
	RST = 4
	PSH = 8
	ACK = 16
)

// Client returns the i-th client address, 10.x.y.z.
func Client(i int) [4]byte { return [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)} }

// Server is the address all synthetic clients talk to.
var Server = [4]byte{192, 0, 2, 1}

// HalfOpen writes connection i of the half-open set: SYN, SYN-ACK and a
// client segment past a hole that is never filled (it waits in the
// reassembly buffer until the connection ends).
func (w *Writer) HalfOpen(i int) {
	client, sport := Client(i), uint16(1024+i%60000)
	w.Packet(TCPFrame(client, Server, sport, 443, 1000, 0, SYN, nil))
	w.Packet(TCPFrame(Server, client, 443, sport, 5000, 1001, SYN|ACK, nil))
	w.Packet(TCPFrame(client, Server, sport, 443, 1101, 5001, ACK, make([]byte, 100)))
}

// Pending writes connection i of the pending set, which fills every table
// at once: a client with its own MAC address opens an HTTP connection to
// a server of its own, sends a request that waits for its response, and
// the server's first bytes arrive behind a hole.
func (w *Writer) Pending(i int) {
	client, server, sport := Client(i), [4]byte{172, 16 + byte(i>>16), byte(i >> 8), byte(i)}, uint16(1024+i%60000)
	req := []byte("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n")
	mac := []byte{2, 0, client[0], client[1], client[2], client[3]}
	for _, f := range [][]byte{
		TCPFrame(client, server, sport, 80, 1000, 0, SYN, nil),
		TCPFrame(server, client, 80, sport, 5000, 1001, SYN|ACK, nil),
		TCPFrame(client, server, sport, 80, 1001, 5001, ACK|PSH, req),
		TCPFrame(server, client, 80, sport, 6001, 1001+uint32(len(req)), ACK, make([]byte, 1000)),
	} {
		if [4]byte(f[14+12:14+16]) == client {
			copy(f[6:12], mac) // the client's frames come from its MAC
		} else {
			copy(f[0:6], mac) // the server's go to it
		}
		w.Packet(f)
	}
}

// Flow writes flow i of the UDP flow set: one datagram.
func (w *Writer) Flow(i int) {
	w.Packet(UDPFrame(Client(i), Server, uint16(1024+i%60000), 53, []byte("flow")))
}

// IPv4Frame is an Ethernet frame with an IPv4 header and payload.
func IPv4Frame(src, dst [4]byte, proto byte, payload []byte) []byte {
	b := make([]byte, 14+20, 14+20+len(payload))
	b[12], b[13] = 0x08, 0x00 // Ethernet: IPv4
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(payload)))
	ip[8], ip[9] = 64, proto
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	return append(b, payload...)
}

// TCPFrame is a TCP segment in IPv4 in Ethernet.
func TCPFrame(src, dst [4]byte, sport, dport uint16, seq, ack uint32, flags byte, data []byte) []byte {
	t := make([]byte, 20, 20+len(data))
	binary.BigEndian.PutUint16(t[0:], sport)
	binary.BigEndian.PutUint16(t[2:], dport)
	binary.BigEndian.PutUint32(t[4:], seq)
	binary.BigEndian.PutUint32(t[8:], ack)
	t[12] = 5 << 4
	t[13] = flags
	binary.BigEndian.PutUint16(t[14:], 65535)
	return IPv4Frame(src, dst, 6, append(t, data...))
}

// UDPFrame is a UDP datagram in IPv4 in Ethernet.
func UDPFrame(src, dst [4]byte, sport, dport uint16, data []byte) []byte {
	u := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(data)))
	return IPv4Frame(src, dst, 17, append(u, data...))
}
