//go:build pcap

package collector

import (
	"fmt"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
)

// With libpcap, filter syntax the built-in compiler does not implement is
// compiled by libpcap and run in Go.
func init() {
	libpcapMatcher = func(expr string, lt layers.LinkType, snaplen int) (matcher, error) {
		ins, err := pcap.CompileBPFFilter(lt, snaplen, expr)
		if err != nil {
			return nil, err
		}
		raw := make([]bpf.RawInstruction, len(ins))
		for i, in := range ins {
			raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
		}
		prog, ok := bpf.Disassemble(raw)
		if !ok {
			return nil, fmt.Errorf("libpcap's program for %q does not disassemble", expr)
		}
		vm, err := bpf.NewVM(prog)
		if err != nil {
			return nil, err
		}
		return vmMatcher{vm}, nil
	}
}

type vmMatcher struct{ vm *bpf.VM }

// MatchLen runs the program; x/net/bpf's VM knows no wire length, so len
// reads the captured length here.
func (m vmMatcher) MatchLen(frame []byte, _ int) bool {
	n, err := m.vm.Run(frame)
	return err == nil && n > 0
}
