//go:build !linux && !pcap

package source

import "errors"

// OpenLive needs AF_PACKET (Linux) or libpcap (build with -tags pcap).
func OpenLive(cfg LiveConfig) (LiveSource, error) {
	return nil, errors.New("live capture needs Linux (AF_PACKET) or a build with -tags pcap (libpcap)")
}
