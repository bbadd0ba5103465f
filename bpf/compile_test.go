package bpf

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

const (
	linkSLL2Type = layers.LinkType(276)
)

// TestKnownResults checks the verdict of expressions on frames built for
// the purpose, on every supported link type.
func TestKnownResults(t *testing.T) {
	tcp80 := ipv4TCP(t, 40000, 80, true)
	udp53 := ipv4UDP(t, 53, 40001)
	v6udp := ipv6UDP(t, 5353, 53)
	v6tcp := ipv6TCP(t, 40002, 443)
	arp := arpPacket(t)

	frames := map[string]struct {
		lt    layers.LinkType
		frame []byte
	}{
		"eth-tcp80":         {layers.LinkTypeEthernet, etherFrame(0x0800, tcp80)},
		"eth-tcp80-opts":    {layers.LinkTypeEthernet, etherFrame(0x0800, withOptions(tcp80))},
		"eth-tcp80-frag0":   {layers.LinkTypeEthernet, etherFrame(0x0800, fragment(tcp80, 0, true))},
		"eth-tcp80-frag2":   {layers.LinkTypeEthernet, etherFrame(0x0800, fragment(tcp80, 2, false))},
		"eth-udp53":         {layers.LinkTypeEthernet, etherFrame(0x0800, udp53)},
		"eth-v6udp":         {layers.LinkTypeEthernet, etherFrame(0x86dd, v6udp)},
		"eth-v6tcp-frag":    {layers.LinkTypeEthernet, etherFrame(0x86dd, ipv6Frag(v6tcp))},
		"eth-arp":           {layers.LinkTypeEthernet, etherFrame(0x0806, arp)},
		"eth-vlan7-tcp80":   {layers.LinkTypeEthernet, tagged(etherFrame(0x0800, tcp80), 0x8100, 7)},
		"eth-qinq-udp53":    {layers.LinkTypeEthernet, tagged(tagged(etherFrame(0x0800, udp53), 0x8100, 20), 0x88a8, 10)},
		"eth-short":         {layers.LinkTypeEthernet, etherFrame(0x0800, tcp80)[:22]},
		"raw-tcp80":         {layers.LinkTypeRaw, tcp80},
		"raw-v6udp":         {layers.LinkTypeRaw, v6udp},
		"ipv4-udp53":        {layers.LinkTypeIPv4, udp53},
		"ipv6-v6tcp":        {layers.LinkTypeIPv6, v6tcp},
		"sll-udp53":         {layers.LinkTypeLinuxSLL, sll(0x0800, udp53)},
		"sll-arp":           {layers.LinkTypeLinuxSLL, sll(0x0806, arp)},
		"sll2-v6udp-out":    {linkSLL2Type, sll2(0x86dd, 4, v6udp)},
		"sll2-tcp80-in":     {linkSLL2Type, sll2(0x0800, 0, tcp80)},
		"null-le-tcp80":     {layers.LinkTypeNull, null(2, false, tcp80)},
		"null-be-tcp80":     {layers.LinkTypeNull, null(2, true, tcp80)},
		"null-le-v6udp-bsd": {layers.LinkTypeNull, null(24, false, v6udp)},
		"null-be-v6udp-mac": {layers.LinkTypeNull, null(30, true, v6udp)},
	}
	cases := []struct {
		expr string
		want []string // the frames it matches; every other frame of its link types does not
	}{
		{"tcp port 80", []string{"eth-tcp80", "eth-tcp80-opts", "eth-tcp80-frag0", "raw-tcp80", "sll2-tcp80-in", "null-le-tcp80", "null-be-tcp80"}},
		{"port 53", []string{"eth-udp53", "eth-v6udp", "raw-v6udp", "ipv4-udp53", "sll-udp53", "sll2-v6udp-out", "null-le-v6udp-bsd", "null-be-v6udp-mac"}},
		{"tcp", []string{"eth-tcp80", "eth-tcp80-opts", "eth-tcp80-frag0", "eth-tcp80-frag2", "eth-v6tcp-frag", "raw-tcp80", "ipv6-v6tcp", "sll2-tcp80-in", "null-le-tcp80", "null-be-tcp80"}},
		{"ip6", []string{"eth-v6udp", "eth-v6tcp-frag", "raw-v6udp", "ipv6-v6tcp", "sll2-v6udp-out", "null-le-v6udp-bsd", "null-be-v6udp-mac"}},
		{"arp", []string{"eth-arp", "sll-arp"}},
		{"host 192.168.1.10", []string{"eth-tcp80", "eth-tcp80-opts", "eth-tcp80-frag0", "eth-tcp80-frag2", "eth-udp53", "eth-arp", "raw-tcp80", "ipv4-udp53", "sll-udp53", "sll-arp", "sll2-tcp80-in", "null-le-tcp80", "null-be-tcp80"}},
		{"dst host 192.168.1.10", nil},
		{"src net 192.168.0.0/16 and dst net 10.0.0.0 mask 255.0.0.0 and udp", []string{"eth-udp53", "ipv4-udp53", "sll-udp53"}},
		{"ip6 dst host fe80::b and src net 2001:db8::/32", []string{"eth-v6udp", "eth-v6tcp-frag", "raw-v6udp", "ipv6-v6tcp", "sll2-v6udp-out", "null-le-v6udp-bsd", "null-be-v6udp-mac"}},
		{"vlan 7 and tcp dst port 80", []string{"eth-vlan7-tcp80"}},
		{"vlan 10 and vlan 20 and udp src port 53", []string{"eth-qinq-udp53"}},
		{"vlan and not vlan", []string{"eth-vlan7-tcp80"}}, // the second vlan looks at the inner tag
		{"ether src 02:00:00:00:00:0a and ether dst 0200.0000.000b", []string{"eth-tcp80", "eth-tcp80-opts", "eth-tcp80-frag0", "eth-tcp80-frag2", "eth-udp53", "eth-v6udp", "eth-v6tcp-frag", "eth-arp", "eth-vlan7-tcp80", "eth-qinq-udp53", "eth-short"}},
		{"tcp[tcpflags] & tcp-syn != 0 and tcp[2:2] = 80", []string{"eth-tcp80", "eth-tcp80-opts", "eth-tcp80-frag0", "raw-tcp80", "sll2-tcp80-in", "null-le-tcp80", "null-be-tcp80"}},
		{"ip[0] & 0xf > 5", []string{"eth-tcp80-opts"}},
		{"outbound", []string{"sll2-v6udp-out"}},
		{"inbound and ip", []string{"sll-udp53", "sll2-tcp80-in"}},
		{"", []string{"*"}},
	}
	for _, tc := range cases {
		want := map[string]bool{}
		for _, w := range tc.want {
			want[w] = true
		}
		filters := map[layers.LinkType]*Filter{}
		for name, fr := range frames {
			flt, ok := filters[fr.lt]
			if !ok {
				var err error
				flt, err = NewFilter(tc.expr, fr.lt, 0)
				if err != nil {
					// vlan and ether: Ethernet only; inbound/outbound: Linux
					// cooked captures only.
					if fr.lt != layers.LinkTypeEthernet && (strings.Contains(err.Error(), "VLAN") || strings.Contains(err.Error(), "Ethernet")) ||
						strings.Contains(tc.expr, "bound") && errors.Is(err, ErrUnsupported) {
						filters[fr.lt] = nil
						continue
					}
					t.Fatalf("%q on link type %d: %v", tc.expr, fr.lt, err)
				}
				filters[fr.lt] = flt
			}
			if flt == nil {
				continue
			}
			if got := flt.Match(fr.frame); got != (want[name] || want["*"]) {
				t.Errorf("%q on %s: match %v, want %v\n%s", tc.expr, name, got, !got, disasm(flt.Program()))
			}
		}
	}
}

// TestLiveVLAN runs the programs as a Linux socket would see the frames:
// the outer tag taken out of the packet and reported in metadata. The
// verdict must be the one on the frame as captured in a file.
func TestLiveVLAN(t *testing.T) {
	tcp80 := ipv4TCP(t, 40000, 80, false)
	udp53 := ipv4UDP(t, 53, 40001)
	frames := [][]byte{
		tagged(etherFrame(0x0800, tcp80), 0x8100, 7),
		tagged(etherFrame(0x0800, tcp80), 0x8100, 0x2000|100), // priority bits set
		tagged(etherFrame(0x86dd, ipv6UDP(t, 53, 53)), 0x8100, 100),
		tagged(etherFrame(0x0806, arpPacket(t)), 0x8100, 7),
		tagged(tagged(etherFrame(0x0800, udp53), 0x8100, 20), 0x88a8, 10),
		tagged(tagged(etherFrame(0x0800, tcp80), 0x8100, 7), 0x8100, 7),
	}
	exprs := []string{
		"vlan", "vlan 7", "vlan 100", "vlan and ip", "vlan 7 and tcp port 80", "vlan and udp port 53",
		"vlan 10 and vlan 20 and udp", "vlan and vlan 20", "vlan 7 and vlan 7 and tcp[13] & 0x10 != 0",
		"vlan or arp", "not vlan", "vlan and arp", "vlan and host 192.168.1.10", "vlan and ip6 and port 53",
		"vlan and vlan and vlan", "vlan 7 or tcp",
	}
	matches := 0
	for _, expr := range exprs {
		flt, err := NewFilter(expr, layers.LinkTypeEthernet, 0)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		for i, f := range frames {
			file := flt.Match(f)
			stripped, tci := untag(f)
			live := run(flt.Program(), stripped, uint32(len(stripped)), ancillary{vlanPresent: true, vlanTCI: tci}) != 0
			if file != live {
				t.Errorf("%q frame %d: %v from a file, %v live\n%s", expr, i, file, live, disasm(flt.Program()))
			}
			if file {
				matches++
			}
		}
	}
	// Spot checks of the verdicts themselves.
	for _, c := range []struct {
		expr  string
		frame int
		want  bool
	}{
		{"vlan 7 and tcp port 80", 0, true}, {"vlan 100", 1, true}, {"vlan 100", 0, false},
		{"vlan 10 and vlan 20 and udp", 4, true}, {"vlan 20", 4, false}, {"vlan and arp", 3, true},
		{"vlan 7 and vlan 7 and tcp[13] & 0x10 != 0", 5, true}, {"vlan and ip", 2, false},
	} {
		flt, _ := NewFilter(c.expr, layers.LinkTypeEthernet, 0)
		if got := flt.Match(frames[c.frame]); got != c.want {
			t.Errorf("%q frame %d: %v, want %v", c.expr, c.frame, got, c.want)
		}
	}
	t.Logf("%d expressions × %d tagged frames: same verdict from a file and live (%d matches)", len(exprs), len(frames), matches)
}

// TestErrors checks error positions and kinds.
func TestErrors(t *testing.T) {
	cases := []struct {
		expr        string
		pos         int // byte offset
		unsupported bool
		msg         string
	}{
		{"foo", 0, false, "unknown keyword"},
		{"tcp and", 7, false, "expected a primitive"},
		{"tcp and foo", 8, false, "unknown keyword"},
		{"(tcp or udp", 11, false, "expected ')'"},
		{"tcp or udp)", 10, false, "unbalanced ')'"},
		{"((tcp)", 6, false, "expected ')'"},
		{"host 1.2.3.256", 5, false, "bad IPv4 address"},
		{"host 1.2.3.4.5", 5, false, "bad IPv4 address"},
		{"src host 2001:db8::g", 9, false, "bad IPv6 address"},
		{"host 2001:db8:::1", 5, false, "bad IPv6 address"},
		{"ether host 1:2:3:4:5", 11, false, "bad MAC address"},
		{"host 1:2:3:4:5:6", 5, false, "needs 'ether'"},
		{"net 10.0.0.1/8", 4, false, "non-network bits"},
		{"net 10.0.0.0/33", 4, false, "prefix length"},
		{"net ::/129", 4, false, "prefix length"},
		{"port 65536", 5, false, "illegal port number"},
		{"tcp port 80 or 70000", 15, false, "illegal port number"},
		{"portrange 10-70000", 10, false, "illegal port number"},
		{"port 080", 5, false, "bad port"},
		{"port nosuchservice", 5, false, "unknown port name"},
		{"vlan 4096", 0, false, "VLAN ID"},
		{"tcp[0:3] = 1", 6, false, "data size"},
		{"len / 0 = 1", 4, false, "division by zero"},
		{"len = 1 << 32", 8, false, "shift"},
		{"len = 4294967296", 6, false, "32 bits"},
		{"1.2.3.4", 0, false, "no qualifier"},
		{"tcp host 1.2.3.4", 9, false, "cannot qualify"},
		{"ip6 host 1.2.3.4", 9, false, "cannot qualify"},
		{"arp host ::1", 9, false, "cannot qualify"},
		{"ether net 1.2.3.4", 10, false, "illegal link layer address"},
		{"ether port 80", 11, false, "cannot qualify"},
		{"arp proto 5", 10, false, "does not encapsulate"},
		{"ip and 1.2.3.4", 7, false, "no qualifier"},
		{"tcp port 80 and", 15, false, "expected a primitive"},
		{"tcp port", 8, false, "expected a value"},
		{"host 1.2.3.4 &", 13, false, "expected 'and', 'or'"},
		{"ip[1", 4, false, "expected ']'"},
		{"len >", 5, false, "expected a number"},
		{"tcp #", 4, false, "unexpected character"},
		{"\\", 0, false, "must be followed by a name"},
		{"not", 3, false, "expected a primitive"},
		{strings.Repeat("(", 300) + "tcp" + strings.Repeat(")", 300), 200, false, "nested more than"},
		// Valid pcap-filter that this compiler leaves to libpcap.
		{"gateway snup", 8, true, "gateway"},
		{"host example.com", 5, true, "host name"},
		{"ether host myhost", 11, true, "/etc/ethers"},
		{"ip6 protochain 6", 4, true, "protochain"},
		{"mpls 100", 0, true, "mpls"},
		{"pppoes", 0, true, "pppoes"},
		{"llc", 0, true, "llc"},
		{"ip broadcast", 3, true, "netmask"},
		{"wlan addr1 1:2:3:4:5:6", 5, true, "802.11"},
		{"radio[0] = 1", 0, true, "radio"},
		{"decnet host 10.123", 12, true, "DECnet"},
		{"ipx", 0, true, "ipx"},
		{`ether proto \atalk`, 12, true, "atalk"},
		{"inbound", 0, true, "inbound on Ethernet"},
	}
	for _, c := range cases {
		_, err := Compile(c.expr, layers.LinkTypeEthernet, 0)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want an *Error", c.expr, err)
			continue
		}
		if e.Pos != c.pos || e.Unsupported != c.unsupported || errors.Is(err, ErrUnsupported) != c.unsupported || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%q: got pos %d unsupported %v %q, want pos %d unsupported %v containing %q",
				c.expr, e.Pos, e.Unsupported, e.Msg, c.pos, c.unsupported, c.msg)
		}
		if !strings.Contains(err.Error(), "column ") {
			t.Errorf("%q: %q does not give the column", c.expr, err)
		}
	}
	// Per link type.
	for _, c := range []struct {
		expr string
		lt   layers.LinkType
		msg  string
	}{
		{"vlan", layers.LinkTypeLinuxSLL, "no VLAN support for Linux cooked v1"},
		{"vlan", layers.LinkTypeRaw, "no VLAN support for Raw IP"},
		{"ether host 1:2:3:4:5:6", layers.LinkTypeNull, "need an Ethernet link"},
		{"broadcast", linkSLL2Type, "needs an Ethernet link"},
	} {
		_, err := Compile(c.expr, c.lt, 0)
		if err == nil || errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q on %d: %v, want an error containing %q", c.expr, c.lt, err, c.msg)
		}
	}
	if _, err := Compile("tcp", layers.LinkTypeIEEE80211Radio, 0); !errors.Is(err, ErrUnsupported) {
		t.Errorf("802.11 radiotap link type: %v, want ErrUnsupported", err)
	}
	var hosts []string
	for i := range 400 {
		hosts = append(hosts, fmt.Sprintf("(host 10.0.%d.%d and port %d)", i/256, i%256, i))
	}
	if _, err := Compile(strings.Join(hosts, " or "), layers.LinkTypeEthernet, 0); !errors.Is(err, ErrUnsupported) {
		t.Errorf("overlong program: %v, want ErrUnsupported", err)
	}
}

// TestSyntaxForms checks forms that must compile to the same program, and
// that some accepted forms do.
func TestSyntaxForms(t *testing.T) {
	same := [][]string{
		{"host 1.2.3.4 or 5.6.7.8", "host 1.2.3.4 or host 5.6.7.8", "(host 1.2.3.4) || host 5.6.7.8"},
		{"tcp dst port 21 or 20 or 53", "tcp dst port 21 or tcp dst port 20 or tcp dst port 53"},
		{"not host 1.2.3.4 and 5.6.7.8", "not host 1.2.3.4 and host 5.6.7.8"},
		{"tcp and (port 80 or 443)", "tcp && (port 80 || port 443)"},
		{"ip proto \\tcp", "ip proto 6", "ip proto tcp", "ip proto 0x6", "ip proto 06"},
		{"ether proto \\ip", "ether proto 0x800", "ether proto 2048", "ip"},
		{"port 80 and not ip6", "(port 80) and ! ip6", "port 80 && !ip6"},
		{"ip or arp and tcp", "(ip or arp) and tcp"},
		{"net 10.0.0.0/8", "net 10", "net 10.0.0.0 mask 255.0.0.0", "net 10/8"},
		{"net 192.168.0.0/16", "net 192.168"},
		{"src or dst port 53", "port 53"},
		{"ether host 01:02:03:04:05:06", "ether host 1:2:3:4:5:6", "ether host 0102.0304.0506", "ether host 010203040506", "ether host 01-02-03-04-05-06"},
		{"len <= 100", "less 100", "not len > 100", "100 >= len"},
		{"len >= 100", "greater 100"},
		{"tcp[13] & 2 != 0", "tcp[tcpflags] & tcp-syn != 0", "(tcp[13] & 2) != 0"},
		{"len = 2 * 3 ^ 1 + 1", "len = 2"}, // '^' takes the whole right side, as in libpcap
		{"len = 1 | 2 ^ 3", "len = 1"},
		{"len = 1 & 3 << 1", "len = 0"},
		{"portrange 10-5", "portrange 5-10"},
	}
	for _, group := range same {
		var first string
		for i, expr := range group {
			prog, err := Compile(expr, layers.LinkTypeEthernet, 0)
			if err != nil {
				t.Errorf("%q: %v", expr, err)
				continue
			}
			d := disasm(prog)
			if i == 0 {
				first = d
			} else if d != first {
				t.Errorf("%q and %q differ:\n%s\n%s", group[0], expr, first, d)
			}
		}
	}
	// Constant expressions.
	for expr, want := range map[string]uint32{"1 = 1": 262144, "1 = 2": 0, "": 262144, "len = 1 and 2 = 2 or not 3 = 3": 0} {
		prog, err := Compile(expr, layers.LinkTypeEthernet, 0)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if len(prog) != 1 && expr != "len = 1 and 2 = 2 or not 3 = 3" {
			t.Errorf("%q: %d instructions, want a single return", expr, len(prog))
		}
		if got := run(prog, []byte{1, 2, 3}, 3, ancillary{}); got != want && expr != "len = 1 and 2 = 2 or not 3 = 3" {
			t.Errorf("%q returns %d, want %d", expr, got, want)
		}
	}
	// Snaplen is what a match returns.
	f, _ := NewFilter("", layers.LinkTypeEthernet, 1234)
	if got := f.Run(nil, 0); got != 1234 {
		t.Errorf("empty filter returns %d, want the snaplen 1234", got)
	}
}

// TestLongJumps checks programs whose conditional jumps span more than 255
// instructions.
func TestLongJumps(t *testing.T) {
	var terms []string
	for i := range 150 {
		terms = append(terms, fmt.Sprintf("(dst host 10.0.0.%d and ip[8] = %d)", i, 64+i%2))
	}
	expr := "(" + strings.Join(terms, " or ") + ") and tcp port 80"
	flt, err := NewFilter(expr, layers.LinkTypeEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(flt.Program()); n < 300 {
		t.Fatalf("program of %d instructions: too short for the test", n)
	}
	ip := ipv4(6) // TTL 64
	ip.DstIP = []byte{10, 0, 0, 148}
	match := etherFrame(0x0800, serialize(t, ip, tcpSeg(1234, 80, true, ip)))
	ip.DstIP = []byte{10, 0, 1, 148}
	miss := etherFrame(0x0800, serialize(t, ip, tcpSeg(1234, 80, true, ip)))
	if !flt.Match(match) || flt.Match(miss) {
		t.Errorf("long program: match %v (want true), miss %v (want false)", flt.Match(match), flt.Match(miss))
	}
}
