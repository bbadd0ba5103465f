//go:build pcap

package source

import (
	"errors"
	"fmt"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// With the build tag pcap, live capture uses libpcap (cgo): every platform
// libpcap runs on, and libpcap's own filter compiler.

const pollInterval = 200 * time.Millisecond

// PcapAvailable reports whether this binary was built with libpcap.
const PcapAvailable = true

type pcapSource struct {
	h         *pcap.Handle
	name      string
	linkType  layers.LinkType
	ifaceBase uint64
}

// OpenLive opens a live capture on an interface with libpcap.
func OpenLive(cfg LiveConfig) (LiveSource, error) {
	if cfg.Snaplen <= 0 {
		cfg.Snaplen = 262144
	}
	in, err := pcap.NewInactiveHandle(cfg.Interface)
	if err != nil {
		return nil, fmt.Errorf("interface %q: %w", cfg.Interface, err)
	}
	defer in.CleanUp()
	in.SetSnapLen(cfg.Snaplen)
	in.SetPromisc(cfg.Promisc)
	in.SetTimeout(pollInterval)
	if cfg.BufferBytes > 0 {
		in.SetBufferSize(cfg.BufferBytes)
	}
	h, err := in.Activate()
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", cfg.Interface, err)
	}
	if cfg.Filter != "" {
		err = h.SetBPFFilter(cfg.Filter)
	}
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("filter on %s: %w", cfg.Interface, err)
	}
	s := &pcapSource{h: h, name: cfg.Interface, linkType: h.LinkType()}
	s.ifaceBase, _ = ifaceCounter(cfg.Interface, "rx_dropped")
	return s, nil
}

func (s *pcapSource) ReadPacket() ([]byte, CaptureInfo, error) {
	data, ci, err := s.h.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, pcap.NextErrorTimeoutExpired) {
			return nil, CaptureInfo{}, ErrIdle
		}
		return nil, CaptureInfo{}, err
	}
	return data, CaptureInfo{Timestamp: ci.Timestamp.UnixNano(), CaptureLength: len(data), Length: ci.Length, LinkType: s.linkType, InterfaceIndex: ci.InterfaceIndex}, nil
}

func (s *pcapSource) LinkType() layers.LinkType { return s.linkType }

func (s *pcapSource) Stats() LiveStats {
	var st LiveStats
	if ps, err := s.h.Stats(); err == nil {
		st.Received, st.KernelDrops, st.IfaceDrops = uint64(ps.PacketsReceived), uint64(ps.PacketsDropped), uint64(ps.PacketsIfDropped)
	}
	if n, ok := ifaceCounter(s.name, "rx_dropped"); ok && n >= s.ifaceBase && st.IfaceDrops == 0 {
		st.IfaceDrops = n - s.ifaceBase
	}
	return st
}

func (s *pcapSource) Close() error {
	s.h.Close()
	return nil
}
