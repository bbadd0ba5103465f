//go:build linux && !pcap

package source

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	ncbpf "github.com/netcap-go/netcap/bpf"
)

// pollInterval bounds how long a read waits for a packet before it
// returns ErrIdle.
const pollInterval = 200 * time.Millisecond

// afPacket captures with an AF_PACKET TPACKET_V3 ring (pure Go, no
// libpcap).
type afPacket struct {
	tp        *afpacket.TPacket
	name      string
	snaplen   int
	linkType  layers.LinkType
	ifaceBase uint64
}

// OpenLive opens a live capture on an interface.
func OpenLive(cfg LiveConfig) (LiveSource, error) {
	ifc, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return nil, fmt.Errorf("interface %q: %w (list them with -interfaces)", cfg.Interface, err)
	}
	if cfg.Snaplen <= 0 {
		cfg.Snaplen = 262144
	}
	if cfg.BufferBytes <= 0 {
		cfg.BufferBytes = 64 << 20
	}
	// Frames are capped at the ring's frame size; the block must hold
	// several frames and be a multiple of the page size.
	frame := 1 << 16
	for frame < cfg.Snaplen+128 && frame < 1<<18 {
		frame <<= 1
	}
	block := max(frame*4, 1<<20)
	blocks := max(cfg.BufferBytes/block, 4)
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(ifc.Name),
		afpacket.OptFrameSize(frame),
		afpacket.OptBlockSize(block),
		afpacket.OptNumBlocks(blocks),
		afpacket.OptPollTimeout(pollInterval),
		afpacket.OptBlockTimeout(50*time.Millisecond),
		afpacket.SocketRaw,
		afpacket.TPacketVersion3,
	)
	if err != nil {
		if errors.Is(err, unix.EPERM) {
			return nil, fmt.Errorf("capture on %s: %w (needs root or CAP_NET_RAW)", ifc.Name, err)
		}
		return nil, fmt.Errorf("capture on %s: %w", ifc.Name, err)
	}
	s := &afPacket{tp: tp, name: ifc.Name, snaplen: cfg.Snaplen, linkType: ifaceLinkType(ifc.Name)}
	var prog []bpf.RawInstruction
	if cfg.Filter != "" {
		if prog, err = ncbpf.Compile(cfg.Filter, s.linkType, cfg.Snaplen); err != nil {
			tp.Close()
			if errors.Is(err, ncbpf.ErrUnsupported) {
				return nil, fmt.Errorf("-bpf: %w (a build with -tags pcap compiles it with libpcap)", err)
			}
			return nil, fmt.Errorf("-bpf: %w", err)
		}
	}
	if ifc.Flags&net.FlagLoopback != 0 {
		// On loopback every packet is seen twice, going out and coming
		// in: keep the incoming copy only.
		prog = skipOutgoing(prog)
	}
	if len(prog) > 0 {
		if err := tp.SetBPF(prog); err != nil {
			tp.Close()
			return nil, fmt.Errorf("attaching the filter on %s: %w", ifc.Name, err)
		}
	}
	if cfg.Promisc {
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			return nil, fmt.Errorf("promiscuous mode on %s: %w", ifc.Name, err)
		}
	}
	s.ifaceBase, _ = ifaceCounter(ifc.Name, "rx_dropped")
	if err := tp.InitSocketStats(); err != nil {
		tp.Close()
		return nil, err
	}
	return s, nil
}

// skipOutgoing prefixes prog (or an accept-all program) with a test that
// drops packets the host sent (packet type PACKET_OUTGOING).
func skipOutgoing(prog []bpf.RawInstruction) []bpf.RawInstruction {
	head, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: unix.PACKET_OUTGOING, SkipTrue: 1},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		return prog
	}
	if len(prog) == 0 {
		all, _ := bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: 0xffffffff}})
		prog = all
	}
	return append(head, prog...)
}

func (s *afPacket) ReadPacket() ([]byte, CaptureInfo, error) {
	data, ci, err := s.tp.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, afpacket.ErrTimeout) {
			return nil, CaptureInfo{}, ErrIdle
		}
		return nil, CaptureInfo{}, err
	}
	if len(data) > s.snaplen {
		data = data[:s.snaplen]
	}
	return data, CaptureInfo{
		Timestamp:      ci.Timestamp.UnixNano(),
		CaptureLength:  len(data),
		Length:         ci.Length,
		LinkType:       s.linkType,
		InterfaceIndex: ci.InterfaceIndex,
	}, nil
}

func (s *afPacket) LinkType() layers.LinkType { return s.linkType }

func (s *afPacket) Stats() LiveStats {
	var st LiveStats
	if _, v3, err := s.tp.SocketStats(); err == nil {
		st.Received, st.KernelDrops = uint64(v3.Packets()), uint64(v3.Drops())
	}
	if n, ok := ifaceCounter(s.name, "rx_dropped"); ok && n >= s.ifaceBase {
		st.IfaceDrops = n - s.ifaceBase
	}
	return st
}

func (s *afPacket) Close() error {
	s.tp.Close()
	return nil
}
