package collector

import (
	"errors"
	"fmt"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/bpf"
)

// matcher runs a compiled filter on a frame of wireLen bytes on the wire
// (len, less and greater read it, as tcpdump does).
type matcher interface {
	MatchLen(frame []byte, wireLen int) bool
}

// packetFilter applies a pcap-filter expression to the frames of a file,
// compiled once per link type (a pcapng file may hold several).
type packetFilter struct {
	expr    string
	filters map[layers.LinkType]matcher
	err     error
}

func newPacketFilter(expr string) *packetFilter {
	return &packetFilter{expr: expr, filters: map[layers.LinkType]matcher{}}
}

// match reports whether the frame passes; a compile error is kept in err
// (the run stops with it) and the frame is rejected.
func (f *packetFilter) match(frame []byte, wireLen int, lt layers.LinkType) bool {
	flt, ok := f.filters[lt]
	if !ok {
		var err error
		flt, err = newFileMatcher(f.expr, lt)
		if err != nil {
			f.err = fmt.Errorf("-bpf %q on link type %s: %w", f.expr, lt, err)
			flt = nil
		}
		f.filters[lt] = flt
	}
	return flt != nil && flt.MatchLen(frame, wireLen)
}

// newFileMatcher compiles expr with the pure-Go compiler, or with libpcap
// (builds with the pcap tag) for valid syntax the former does not know.
func newFileMatcher(expr string, lt layers.LinkType) (matcher, error) {
	f, err := bpf.NewFilter(expr, lt, bpf.DefaultSnaplen)
	if err != nil && errors.Is(err, bpf.ErrUnsupported) && libpcapMatcher != nil {
		return libpcapMatcher(expr, lt, bpf.DefaultSnaplen)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// libpcapMatcher compiles with libpcap (builds with the pcap tag).
var libpcapMatcher func(expr string, lt layers.LinkType, snaplen int) (matcher, error)

// CheckFilter compiles expr for Ethernet, for an early, clear error.
func CheckFilter(expr string) error {
	_, err := newFileMatcher(expr, layers.LinkTypeEthernet)
	return err
}
