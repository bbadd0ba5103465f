//go:build !pcap

package collector

// PcapAvailable reports whether this binary was built with libpcap.
const PcapAvailable = false
