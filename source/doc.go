// Package source reads captured frames: pcap and pcapng files (also gzip-
// or zstd-compressed, or from stdin), and live interfaces (AF_PACKET with
// TPACKET_V3 in pure Go on Linux; libpcap with the pcap build tag). Every
// source yields frames with their capture info (PacketSource); file
// readers count oversized frames, live sources report drops.
//
// It imports only bpf (for the kernel filter of live sources): the
// capture engine, maltego and tests read captures through it without
// pulling in the decoders.
package source
