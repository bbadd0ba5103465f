package resolvers

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// portData is the port registry table written by
// resolvers/internal/gendata: "#" comment lines, then one
// "TRANSPORT<TAB>PORT<TAB>NAME" row per assigned port and transport.
//
//go:embed data/ports.tsv.gz
var portData []byte

// Transport indexes into a portKey; the order matches the generator's.
const (
	transportTCP = iota
	transportUDP
	transportSCTP
	transportDCCP
)

// portKey packs a transport index and a port into one integer so that a
// lookup hashes a plain uint32 and allocates nothing.
func portKey(transport int, port uint16) uint32 {
	return uint32(transport)<<16 | uint32(port)
}

var (
	portOnce  sync.Once
	portNames map[uint32]string
	portErr   error
)

// loadPorts decodes the embedded table on first use.
func loadPorts() (map[uint32]string, error) {
	portOnce.Do(func() {
		portNames, portErr = parsePorts(portData)
	})
	return portNames, portErr
}

func parsePorts(gz []byte) (map[uint32]string, error) {
	m := make(map[uint32]string, 12000)
	text, err := gunzipString(gz)
	if err != nil {
		return m, err
	}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		transport, rest, ok1 := strings.Cut(line, "\t")
		port, name, ok2 := strings.Cut(rest, "\t")
		p, err := strconv.ParseUint(port, 10, 16)
		t := transportIndex(transport)
		if !ok1 || !ok2 || err != nil || t < 0 || name == "" {
			return m, fmt.Errorf("port table: malformed row %q", line)
		}
		m[portKey(t, uint16(p))] = name
	}
	return m, nil
}

// transportIndex maps a transport name, in any case, to its index, or -1.
func transportIndex(s string) int {
	switch {
	case strings.EqualFold(s, "tcp"):
		return transportTCP
	case strings.EqualFold(s, "udp"):
		return transportUDP
	case strings.EqualFold(s, "sctp"):
		return transportSCTP
	case strings.EqualFold(s, "dccp"):
		return transportDCCP
	}
	return -1
}

// PortService returns the IANA service name registered for port on
// transport ("tcp", "udp", "sctp" or "dccp", in any case), or "" when the
// port is unassigned on that transport or the transport is unknown. Where
// IANA lists several names for one port (a primary name and its aliases,
// such as "http" and "www" for 80/tcp) the primary, first-listed name is
// returned.
func PortService(port uint16, transport string) string {
	t := transportIndex(transport)
	if t < 0 {
		return ""
	}
	m, err := loadPorts()
	if err != nil {
		return ""
	}
	return m[portKey(t, port)]
}
