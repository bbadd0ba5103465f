// Package bpf compiles tcpdump / pcap-filter(7) expressions into classic
// BPF without libpcap, so that "net capture -bpf EXPR" works in pure-Go
// builds: the program is attached to an AF_PACKET socket for live
// capture, and run by Filter (an allocation-free interpreter over the same
// instructions) for capture files. The verdicts are checked frame by frame
// against tcpdump (libpcap) on a corpus of captures.
//
// Link types: Ethernet; raw IP (101, 12, 14: the version nibble tells IPv4
// from IPv6); raw IPv4 (228) and IPv6 (229); Linux cooked v1 (113, the
// protocol at offset 14) and v2 (276, at offset 0); BSD loopback (0 and
// 108, a 4-byte address family in either byte order).
//
// Supported syntax (as in pcap-filter(7)):
//
//	expr      := term { (and | && | or | ||) term }      and, or: same precedence, left to right
//	term      := (not | !) term | ( expr ) | primitive | relation | value
//	primitive := [proto] [dir] [type] value               type: host (default), net, port, portrange
//	           | proto                                    ip ip6 arp rarp tcp udp sctp icmp icmp6 igmp igrp pim ah esp vrrp carp
//	           | [ip | ip6 | ether] proto N               N a number or name (\tcp, udp, …)
//	           | vlan [ID]                                each vlan shifts the offsets of what follows by 4
//	           | less N | greater N
//	           | [ether] broadcast | [ether] multicast | ip multicast | ip6 multicast
//	           | inbound | outbound                       Linux cooked captures
//	dir       := src | dst | src or dst | src and dst
//	value     := IPv4 (1.2.3.4, partial 10.1 = 10.1/16, a number) | IPv6 | MAC (any usual form)
//	           | net/len | net mask M | port number or service name | port-port
//	relation  := arith (= | == | != | < | <= | > | >=) arith
//	arith     := number | len | proto[arith] | proto[arith:1|2|4] | ( arith ) | - arith
//	           | arith (+ - * / % & | ^ << >>) arith      C-like precedence; ^ as in libpcap
//	             proto: ether link ip ip6 arp rarp tcp udp sctp icmp icmp6 igmp igrp pim vrrp carp
//	             names: tcpflags, icmptype, icmpcode, icmp6type, icmp6code, tcp-syn, icmp-echo, …
//
// A value without qualifiers takes those of the previous primitive
// ("host a or b", "tcp port 80 or 443"). Like libpcap: "host" without a
// protocol matches IPv4, ARP and RARP (IPv6 for an IPv6 address); ports
// match TCP, UDP and SCTP over IPv4 (after the IPv4 options, first
// fragments only) and IPv6 (the transport header right after the fixed
// header); "tcp", "udp", … and "ip6 proto" also see through one IPv6
// fragment header; tcp[…] and the like index the transport header of IPv4
// packets only; a vlan keyword shifts the offsets of everything after it
// in the expression. Compile-time errors carry the position of the
// offending token. Valid pcap-filter syntax left out (host and port names
// needing the resolver aside from /etc/services, gateway, protochain,
// mpls, pppoe, geneve, llc, 802.11, DECnet, ISO, ATM, pf, ip broadcast,
// other link types) is reported with an error wrapping ErrUnsupported, so
// a caller may fall back to libpcap.
//
// On a Linux socket the kernel often moves the first VLAN tag of a frame
// into metadata before filters run: after a vlan keyword, programs read
// the tag from metadata when it is there (and shift the following offsets
// accordingly), so one program serves live capture and files alike.
//
// It imports nothing of netcap.
package bpf
