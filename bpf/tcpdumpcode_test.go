package bpf

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
)

var loadRe = regexp.MustCompile(`^\(\d+\) (ld|ldh|ldb|ldxb)\s+(\[[^\]]*\]|4\*\(\[\d+\]&0xf\))`)

// loads returns the packet loads of a program listing ("ldh [12]",
// "ldb [x + 14]", "ldxb 4*([14]&0xf)"), sorted and without duplicates.
func loads(listing string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(listing))
	for sc.Scan() {
		line := strings.Join(strings.Fields(sc.Text()), " ")
		if m := loadRe.FindStringSubmatch(line); m != nil {
			out = append(out, m[1]+" "+m[2])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCodeLikeTcpdump compares our programs with tcpdump -d loosely: the
// same packet fields are read, and the program is not much longer than
// libpcap's optimized one.
func TestCodeLikeTcpdump(t *testing.T) {
	tcpdump := testutil.Tool(t, "tcpdump", "tcpdump")
	captures := map[layers.LinkType]string{
		layers.LinkTypeEthernet: testutil.Testdata(t, "http.pcap"),
		linkSLL2Type:            testutil.Testdata(t, "icmp-sll2.pcap"),
	}
	exprs := []string{
		"ip", "tcp", "udp", "icmp6", "arp", "host 1.2.3.4", "src host 1.2.3.4", "host ::1",
		"net 10.0.0.0/8", "port 80", "tcp port 80", "udp src port 53", "portrange 1-1023",
		"tcp and (port 80 or 443)", "host 1.2.3.4 and port 53", "not port 22",
		"ip6 net 2001:db8::/32", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "ip[0] & 0xf != 5",
		"icmp[icmptype] = icmp-echo", "less 100", "proto 17", "ip6 proto 58",
		"tcp port 80 or udp port 53", "host 1.2.3.4 or 5.6.7.8", "ether host 1:2:3:4:5:6",
	}
	var ours, theirs int
	for lt, capture := range captures {
		for _, expr := range exprs {
			var out bytes.Buffer
			cmd := exec.Command(tcpdump, "-r", capture, "-d", expr)
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil {
				continue // not valid on this link type (ether host on SLL2)
			}
			want := out.String()
			prog, err := Compile(expr, lt, 262144)
			if err != nil {
				t.Errorf("%q on %d: tcpdump compiles it, we fail: %v", expr, lt, err)
				continue
			}
			got := disasm(prog)
			if gl, wl := loads(got), loads(want); !slices.Equal(gl, wl) {
				t.Errorf("%q on %d: we read %v, libpcap %v\nours:\n%slibpcap:\n%s", expr, lt, gl, wl, got, want)
			}
			n := strings.Count(want, "\n")
			if len(prog) > n+n/4+2 {
				t.Errorf("%q on %d: %d instructions, libpcap %d\nours:\n%slibpcap:\n%s", expr, lt, len(prog), n, got, want)
			}
			ours += len(prog)
			theirs += n
			if testing.Verbose() {
				fmt.Printf("%-45q link %3d: %3d instructions, libpcap %3d\n", expr, lt, len(prog), n)
			}
		}
	}
	t.Logf("total: %d instructions, libpcap %d", ours, theirs)
}
