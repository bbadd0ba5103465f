package bpf

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
)

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
const (
	protoICMP   = 1
	protoIGMP   = 2
	protoTCP    = 6
	protoIGRP   = 9
	protoUDP    = 17
	protoESP    = 50
	protoAH     = 51
	protoICMPv6 = 58
	protoPIM    = 103
	protoVRRP   = 112
	protoSCTP   = 132

	ipv6FragmentHeader = 44
)

// EtherTypes (IEEE 802 numbers).
const (
	etherIPv4     = 0x0800
	etherARP      = 0x0806
	etherRARP     = 0x8035
	etherIPv6     = 0x86dd
	etherVLAN     = 0x8100
	etherQinQ     = 0x88a8
	etherQinQOld  = 0x9100
	etherLoopback = 0x9000
	etherMTU      = 1500 // EtherType values up to this are 802.3 lengths
)

// ipProtoNames are the protocol names accepted after "proto" (escaped with
// a backslash when they are keywords, as in "ip proto \tcp").
var ipProtoNames = map[string]uint32{
	"icmp": protoICMP, "igmp": protoIGMP, "ggp": 3, "ipencap": 4, "ipip": 4, "st": 5,
	"tcp": protoTCP, "egp": 8, "igp": 9, "igrp": protoIGRP, "pup": 12, "udp": protoUDP,
	"hmp": 20, "xns-idp": 22, "rdp": 27, "iso-tp4": 29, "dccp": 33, "xtp": 36,
	"ddp": 37, "idpr-cmtp": 38, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44,
	"idrp": 45, "rsvp": 46, "gre": 47, "esp": protoESP, "ah": protoAH, "skip": 57,
	"ipv6-icmp": protoICMPv6, "icmp6": protoICMPv6, "ipv6-nonxt": 59, "ipv6-opts": 60,
	"rspf": 73, "vmtp": 81, "eigrp": 88, "ospf": 89, "ax.25": 93, "ipip-old": 94,
	"etherip": 97, "encap": 98, "pim": protoPIM, "ipcomp": 108, "vrrp": protoVRRP,
	"carp": protoVRRP, "l2tp": 115, "isis": 124, "sctp": protoSCTP, "fc": 133,
	"mobility-header": 135, "udplite": 136, "mpls-in-ip": 137, "manet": 138,
	"hip": 139, "shim6": 140, "wesp": 141, "rohc": 142, "ethernet": 143,
}

// etherProtoNames are the EtherType names accepted after "ether proto".
var etherProtoNames = map[string]uint32{
	"ip": etherIPv4, "ip6": etherIPv6, "arp": etherARP, "rarp": etherRARP,
	"loopback": etherLoopback,
}

// arithNames are the named offsets and values of arithmetic expressions.
var arithNames = map[string]uint32{
	"icmptype": 0, "icmpcode": 1, "icmp6type": 0, "icmp6code": 1, "tcpflags": 13,

	"tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,

	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5,
	"icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11,
	"icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15,
	"icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,

	"icmp6-destinationunreach": 1, "icmp6-packettoobig": 2, "icmp6-timeexceeded": 3,
	"icmp6-parameterproblem": 4, "icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131,
	"icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133,
	"icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136,
	"icmp6-redirect": 137, "icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139,
	"icmp6-nodeinformationresponse": 140, "icmp6-ineighbordiscoverysolicit": 141,
	"icmp6-ineighbordiscoveryadvert": 142, "icmp6-multicastlistenerreportv2": 143,
	"icmp6-homeagentdiscoveryrequest": 144, "icmp6-homeagentdiscoveryreply": 145,
	"icmp6-mobileprefixsolicit": 146, "icmp6-mobileprefixadvert": 147,
	"icmp6-certpathsolicit": 148, "icmp6-certpathadvert": 149,
	"icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153,
}

// service is a port name's number for each transport that has it.
type service struct {
	tcp, udp, sctp int // -1: not defined for that transport
}

// fallbackServices is used when /etc/services cannot be read: the common
// names with their Debian definitions.
var fallbackServices = map[string]service{
	"ftp-data": {20, -1, -1}, "ftp": {21, -1, -1}, "ssh": {22, -1, -1}, "telnet": {23, -1, -1},
	"smtp": {25, -1, -1}, "domain": {53, 53, -1}, "bootps": {-1, 67, -1}, "bootpc": {-1, 68, -1},
	"tftp": {-1, 69, -1}, "http": {80, -1, -1}, "www": {80, -1, -1}, "kerberos": {88, 88, -1},
	"pop3": {110, -1, -1}, "ntp": {-1, 123, -1}, "netbios-ns": {-1, 137, -1},
	"netbios-dgm": {-1, 138, -1}, "netbios-ssn": {139, -1, -1}, "imap2": {143, -1, -1},
	"imap": {143, -1, -1}, "snmp": {161, 161, -1}, "snmp-trap": {162, 162, -1},
	"bgp": {179, -1, -1}, "ldap": {389, 389, -1}, "https": {443, 443, -1},
	"microsoft-ds": {445, -1, -1}, "isakmp": {-1, 500, -1}, "syslog": {-1, 514, -1},
	"submission": {587, -1, -1}, "ldaps": {636, 636, -1}, "imaps": {993, -1, -1},
	"pop3s": {995, -1, -1}, "openvpn": {1194, 1194, -1}, "ms-sql-s": {1433, -1, -1},
	"mysql": {3306, -1, -1}, "sip": {5060, 5060, -1}, "postgresql": {5432, -1, -1},
}

var (
	servicesOnce sync.Once
	services     map[string]service
)

// lookupService resolves a port name as getservbyname would, from
// /etc/services (or the built-in table when it is missing).
func lookupService(name string) (service, bool) {
	servicesOnce.Do(func() {
		services = readServices("/etc/services")
		if services == nil {
			services = fallbackServices
		}
	})
	s, ok := services[strings.ToLower(name)]
	return s, ok
}

func readServices(path string) map[string]service {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	m := map[string]service{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		num, proto, ok := strings.Cut(fields[1], "/")
		if !ok {
			continue
		}
		port, err := strconv.Atoi(num)
		if err != nil || port < 0 || port > 65535 {
			continue
		}
		for _, name := range append([]string{fields[0]}, fields[2:]...) {
			name = strings.ToLower(name)
			s, seen := m[name]
			if !seen {
				s = service{-1, -1, -1}
			}
			switch proto {
			case "tcp":
				if s.tcp < 0 {
					s.tcp = port
				}
			case "udp":
				if s.udp < 0 {
					s.udp = port
				}
			case "sctp":
				if s.sctp < 0 {
					s.sctp = port
				}
			}
			m[name] = s
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
