//go:build linux

package bpf

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

func attach(fd int, prog []bpf.RawInstruction) error {
	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
		&unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]})
}

// TestKernelAcceptsPrograms attaches every program of the comparison list
// (for each link type) to a socket: the Linux filter checker must accept
// them (valid opcodes and jumps, scratch memory written before read,
// metadata offsets it knows).
func TestKernelAcceptsPrograms(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Skipf("no socket: %v", err)
	}
	defer unix.Close(fd)
	exprs := append([]string{
		"vlan 10 and vlan 20 and tcp[tcpflags] & tcp-syn != 0",
		"udp[udp[0] & 3 : 2] / (len - 3) % 7 ^ 2 > tcp[ip[0] * 2 : 4] - 1",
		"vlan and ip[ip[9]] << 2 >> len = 1",
	}, kernelExprs...)
	n := 0
	for _, lt := range []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeRaw, layers.LinkTypeLinuxSLL, linkSLL2Type, layers.LinkTypeNull, layers.LinkTypeIPv4} {
		for _, expr := range exprs {
			prog, err := Compile(expr, lt, 0)
			if err != nil {
				continue // vlan on non-Ethernet, …
			}
			if err := attach(fd, prog); err != nil {
				t.Errorf("%q on %d: the kernel refuses the program: %v\n%s", expr, lt, err, disasm(prog))
			}
			n++
		}
	}
	t.Logf("%d programs accepted by the kernel", n)
}

// kernelExprs is a sample of the syntax.
var kernelExprs = []string{
	"", "ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp",
	"vlan", "vlan 100", "vlan and ip", "vlan and vlan and tcp port 80", "vlan or arp", "not vlan",
	"ether broadcast", "ether multicast", `ether proto \arp`, "ether host 1:2:3:4:5:6",
	"host 127.0.0.1", "host ::1", "net 10.0.0.0/8", "src net 2001:db8::/32",
	"port 80", "tcp dst port 443", "portrange 1-1023", "tcp and (port 80 or 443)",
	"proto 17", "ip6 proto 58", "less 100", "greater 1000",
	"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "ip[6:2] & 0x1fff != 0", "udp[0:2] = udp[2:2]",
	"inbound", "outbound", "ip multicast",
}

// TestKernelFiltersLoopback runs programs in the kernel on an AF_PACKET
// socket bound to lo (root only) and checks that it lets through the
// datagrams our interpreter accepts, and only those.
func TestKernelFiltersLoopback(t *testing.T) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		t.Skipf("AF_PACKET socket: %v (needs root or CAP_NET_RAW)", err)
	}
	defer unix.Close(fd)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skipf("no lo: %v", err)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	// The third case runs the VLAN prologue in the kernel: lo has no tag in
	// metadata, so what follows "vlan" is read 4 bytes further, where
	// "ip" finds the IPv4 total length (0x800: a 2,020-byte datagram) and
	// ip[12:4] the destination address.
	cases := []struct {
		expr string
		size int
	}{
		{"udp dst port " + itoa(port), 12},
		{"udp[2:2] = " + itoa(port) + " and udp[8:4] = 0x6e657463", 12}, // "netc"
		{"vlan or ip[12:4] = 0x7f000001", 2020},
		{"dst host 127.0.0.1 and udp and ip[8] = 64 and len > 50 and udp[2:2] = " + itoa(port), 12},
	}
	for _, c := range cases {
		expr := c.expr
		prog, err := Compile(expr, layers.LinkTypeEthernet, 0)
		if err != nil {
			t.Fatal(err)
		}
		flt, _ := NewFilterProgram(prog)
		if err := attach(fd, prog); err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: lo.Index}); err != nil {
			t.Fatal(err)
		}
		drain(fd)
		// One datagram to our port (payload "netcap match…"), one to another.
		out, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			t.Fatal(err)
		}
		other, _ := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 1})
		_, _ = other.Write([]byte("netcap other"))
		payload := append([]byte("netcap match"), make([]byte, c.size-12)...)
		_, _ = out.Write(payload)
		out.Close()
		other.Close()
		got := readAll(fd, 300*time.Millisecond)
		matched := 0
		for _, f := range got {
			if !flt.Match(f) {
				t.Errorf("%q: the kernel passed a frame our filter rejects: % x", expr, f)
			}
			if strings.Contains(string(f), "netcap match") {
				matched++
			}
			if strings.Contains(string(f), "netcap other") {
				t.Errorf("%q: the kernel passed the datagram to the other port", expr)
			}
		}
		// Loopback shows each datagram twice (outgoing and incoming).
		if matched == 0 {
			t.Errorf("%q: the kernel passed no datagram to port %d (got %d frames)", expr, port, len(got))
		}
	}
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func itoa(n int) string { return strconv.Itoa(n) }

func drain(fd int) {
	buf := make([]byte, 65536)
	for {
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil || n < 0 {
			return
		}
	}
}

func readAll(fd int, wait time.Duration) [][]byte {
	var frames [][]byte
	deadline := time.Now().Add(wait)
	buf := make([]byte, 65536)
	for time.Now().Before(deadline) {
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if err != nil {
			break
		}
		frames = append(frames, append([]byte(nil), buf[:n]...))
	}
	return frames
}
