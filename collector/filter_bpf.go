package collector

import (
	"errors"
	"fmt"

	"github.com/gopacket/gopacket/layers"
	xbpf "golang.org/x/net/bpf"

	"github.com/netcap-go/netcap/bpf"
)

// The pure-Go pcap-filter compiler (package bpf) backs -bpf: its programs
// run in the kernel (live) or in Go (files).
func init() {
	newMatcher = func(expr string, lt layers.LinkType, snaplen int) (matcher, error) {
		f, err := bpf.NewFilter(expr, lt, snaplen)
		if err != nil {
			return nil, wrapUnsupported(err)
		}
		return f, nil
	}
	compileFilter = func(expr string, lt layers.LinkType, snaplen int) ([]xbpf.RawInstruction, error) {
		prog, err := bpf.Compile(expr, lt, snaplen)
		return prog, wrapUnsupported(err)
	}
}

// wrapUnsupported marks the compiler's "valid but not implemented" errors
// so that callers can fall back to libpcap.
func wrapUnsupported(err error) error {
	if err != nil && errors.Is(err, bpf.ErrUnsupported) {
		return fmt.Errorf("%w: %w", errUnsupported, err)
	}
	return err
}
