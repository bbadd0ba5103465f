//go:build !pcap

package source

// PcapAvailable reports whether this binary was built with libpcap.
const PcapAvailable = false
