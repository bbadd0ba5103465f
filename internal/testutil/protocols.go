package testutil

// TsharkProtocols maps tshark's protocol names (as in frame.protocols) to
// the application protocol names of decoder/dpi, for the tests that compare
// ApplicationProto with tshark.
var TsharkProtocols = map[string]string{
	"http": "HTTP", "http2": "HTTP", "tls": "TLS", "dtls": "DTLS", "ssh": "SSH",
	"dns": "DNS", "mdns": "MDNS", "llmnr": "LLMNR", "smtp": "SMTP", "pop": "POP3",
	"imap": "IMAP", "ftp": "FTP", "sip": "SIP", "ntp": "NTP", "dhcp": "DHCP",
	"bootp": "DHCP", "dhcpv6": "DHCPv6", "mbtcp": "Modbus", "enip": "ENIP",
	"rdp": "RDP", "smb": "SMB", "smb2": "SMB", "mysql": "MySQL", "pgsql": "PostgreSQL",
	"resp": "Redis", "mqtt": "MQTT", "quic": "QUIC", "gquic": "QUIC", "snmp": "SNMP",
	"telnet": "Telnet", "bgp": "BGP", "kerberos": "Kerberos", "s7comm": "S7comm",
	"stun": "STUN", "ssdp": "SSDP", "rtsp": "RTSP",
	"nbns": "NetBIOS", "nbdgm": "NetBIOS", "nbss": "NetBIOS",
}
