package source

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// ErrIdle is what a live source's ReadPacket returns when no packet came
// within its poll interval: the run uses it to move the capture clock on
// (so idle flows time out) and to hand records to the files.
var ErrIdle = errors.New("no packet within the poll interval")

// LiveConfig configures a live capture.
type LiveConfig struct {
	Interface string
	Promisc   bool
	Snaplen   int // bytes kept of each packet
	// Filter is a pcap-filter expression ("" for every packet), compiled
	// by package bpf (or by libpcap in builds with the pcap tag) and run
	// by the kernel.
	Filter string
	// BufferBytes is the size of the kernel ring (default 64 MiB).
	BufferBytes int
}

// LiveStats are a live source's counters.
type LiveStats struct {
	Received    uint64 // packets the socket received (kernel count)
	KernelDrops uint64 // packets the kernel dropped: the ring was full
	IfaceDrops  uint64 // packets the interface dropped (rx_dropped since start)
}

// LiveSource is a packet source that captures from an interface.
type LiveSource interface {
	PacketSource
	LinkType() layers.LinkType
	Stats() LiveStats
	Close() error
}

// Interface describes a network interface for -interfaces.
type Interface struct {
	Name  string
	Index int
	MAC   string
	Flags string
	Addrs []string
}

// Interfaces lists the network interfaces.
func Interfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]Interface, 0, len(ifs))
	for _, i := range ifs {
		it := Interface{Name: i.Name, Index: i.Index, MAC: i.HardwareAddr.String(), Flags: i.Flags.String()}
		if addrs, err := i.Addrs(); err == nil {
			for _, a := range addrs {
				it.Addrs = append(it.Addrs, a.String())
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// ifaceCounter reads one of an interface's counters from sysfs (Linux);
// ok is false where there is none.
func ifaceCounter(name, counter string) (uint64, bool) {
	b, err := os.ReadFile(filepath.Join("/sys/class/net", name, "statistics", counter))
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}

// ifaceLinkType returns the link type frames of an interface have on an
// AF_PACKET raw socket, from its ARPHRD type in sysfs: Ethernet framing
// for Ethernet and loopback, raw IP for tunnels without a link header.
func ifaceLinkType(name string) layers.LinkType {
	b, err := os.ReadFile(filepath.Join("/sys/class/net", name, "type"))
	if err != nil {
		return layers.LinkTypeEthernet
	}
	switch strings.TrimSpace(string(b)) {
	case "1", "772": // ARPHRD_ETHER, ARPHRD_LOOPBACK
		return layers.LinkTypeEthernet
	case "65534", "776", "778": // ARPHRD_NONE (tun, wireguard), SIT, IPGRE
		return layers.LinkTypeRaw
	case "801", "802", "803": // 802.11 (monitor mode: radiotap)
		return layers.LinkTypeIEEE80211Radio
	}
	return layers.LinkTypeEthernet
}
