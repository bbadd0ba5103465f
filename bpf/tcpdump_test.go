package bpf_test

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/bpf"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/source"
)

// compareExprs are the expressions compared with tcpdump (libpcap) on
// every capture of the corpus.
var compareExprs = []string{
	"",
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp",
	"not ip and not ip6",
	"vlan", "vlan 1", "vlan 100", "vlan and ip", "vlan and vlan", "vlan and vlan and ip",
	"vlan and tcp port 80", "vlan or arp", "not vlan", "vlan 13 and vlan 10", "vlan 201 and vlan 200 and tcp", "vlan 20", "vlan 200 and vlan 2001 and arp",
	"ether broadcast", "ether multicast", "ether proto 0x800", `ether proto \arp`, `ether proto \ip6`,
	"ether host 00:00:00:00:00:00", "ether src ff:ff:ff:ff:ff:ff or ether dst ff-ff-ff-ff-ff-ff",
	"host 127.0.0.1", "src host 127.0.0.2", "dst host 127.0.0.1", "host ::1", "ip6 src host ::1",
	"host 192.168.1.1 or 10.0.0.1 or 192.168.0.1", "arp host 192.168.1.1", "ip host 10.0.0.1",
	"net 10.0.0.0/8", "net 192.168.0.0/16", "src net 172.16.0.0 mask 255.240.0.0", "dst net 127",
	"net 192.168", "net fe80::/10", "ip6 net 2001:db8::/32", "not net 0.0.0.0/1",
	"port 80", "port 53", "src port 53", "dst port 443", "tcp port 80", "udp port 53",
	"udp src port 53", "portrange 1-1023", "src portrange 1024-65535", "tcp dst portrange 80-443",
	"sctp port 80", "port 53 or 80", "tcp and (port 80 or 443)", "port http", "port domain",
	"not port 22 and not arp", "udp or icmp and not ip6", "not (tcp or udp)",
	"proto 17", "ip proto 6", "ip6 proto 58", `ip proto \tcp`, `proto \udp`, "ip6 proto 17 or 6",
	"less 100", "greater 1000", "len >= 60 and len <= 100", "less 60 or greater 1400",
	"tcp[13] & 2 != 0", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
	"tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0",
	"ip[0] & 0xf != 5", "ip[6:2] & 0x1fff != 0", "ip[6:2] & 0x3fff != 0",
	"icmp[icmptype] = icmp-echo", "icmp6[icmp6type] = icmp6-echo", "udp[8:2] > 0x1000",
	"tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)",
	"ether[12:2] = 0x8100", "ip6[6] = 17", "udp[0:2] = udp[2:2]", "ip[ip[0] & 0xf] = 0",
	"ip multicast", "ip6 multicast", "inbound", "outbound",
}

// compareCaptures are shared captures (under ../shared/pcaps) chosen for
// their link types and contents: VLAN and QinQ tags, IPv4 options and
// fragments, IPv6 (with fragment headers), ARP, SCTP, truncated frames,
// Linux cooked v1/v2, BSD loopback and raw IP. The top-level shared
// captures are added to them.
var compareCaptures = []string{
	// VLAN, QinQ
	"public/tcpdump/802.1ad_QinQ.pcap", "public/arkime/twovlan.pcap", "public/zeek/traces/q-in-q.pcap",
	"public/ndpi/vxlan.pcap", "public/tcpdump/various_gre.pcap", "public/zeek/traces/vlan-pcp-dei.pcapng",
	"public/arkime/no-syn-ack.pcap", "public/ndpi/syslog.pcap", "public/zeek/traces/mixed-vlan-mpls.pcap",
	"public/ndpi/ja3_lots_of_cipher_suites.pcap", "public/arkime/ldap-simpleauth.pcap", "public/ndpi/dns.pcap",
	"public/suricata-verify/eve-flow-vlan/input.pcap",
	// IPv4 options, IGMP, fragments
	"public/tcpdump/IGMP_V2.pcap", "public/arkime/igmp.pcap", "public/tcpdump/igmpv3-queries.pcap",
	"public/community-id/pcaps/rsvp.pcap", "public/tcpdump/ipv4_invalid_hdr_length.pcap",
	"public/arkime/tcpseq_synthetic.pcap", "public/zeek/traces/ipv4/fragmented-1.pcap",
	"public/zeek/traces/ipv4/fragmented-2.pcap", "public/ndpi/ip_fragmented_garbage.pcap",
	"public/ndpi/badpackets.pcap", "public/zeek/traces/dns-edns-ecs.pcap",
	// truncated frames (small snap lengths)
	"public/tcpdump/esp_truncated.pcap", "public/tcpdump/mpls-label-heapoverflow.pcap",
	"public/tcpdump/udp-length-heapoverflow.pcap", "public/tcpdump/tcp_header_heapoverflow.pcap",
	"public/tcpdump/ipv6_invalid_length.pcap", "public/tcpdump/msnlb.pcap",
	// SCTP
	"public/community-id/pcaps/sctp.pcap", "public/arkime/sctp-www.pcap",
	// IPv6
	"public/community-id/pcaps/ipv6.pcap", "public/community-id/pcaps/icmp6.pcap", "public/arkime/v6.pcap",
	"public/zeek/traces/ftp/ipv6.pcap", "public/tcpdump/ipv6-routing-header.pcap",
	"public/tcpdump/icmp6-rfc8335.pcap", "public/zeek/traces/ipv6-fragmented-dns.pcap",
	"public/tcpdump/ntp-control.pcap", "public/zeek/traces/dns/mdns.pcap",
	// ARP
	"public/community-id/pcaps/arp.pcap", "public/arkime/cloudshark-arp.pcap",
	"public/zeek/traces/arp-who-has.pcap", "public/tcpdump/arp-too-long-tha.pcap",
	// Linux cooked v1 and v2
	"public/zeek/traces/linuxsll-arp.pcap", "public/tcpdump/babel.pcap", "public/tcpdump/mptcp-v1.pcap",
	"public/tcpdump/tcp-handshake-nano.pcap", "public/tcpdump/forces1.pcap",
	"public/zeek/traces/linux_dlt_sll2.pcap", "public/suricata-verify/decode-sll2-01/input.pcap",
	// BSD loopback
	"public/gopacket/pcap/test_loopback.pcap", "public/tcpdump/dns-badcookie.pcap",
	"public/tcpdump/quic_handshake.pcap", "public/tcpdump/icmpv6-RFC2894-RR.pcap", "public/ja4/pcap/ipv6.pcapng",
	// raw IP, raw IPv4, raw IPv6
	"public/tcpdump/LINKTYPE_RAW_ipv4.pcap", "public/tcpdump/LINKTYPE_RAW_ipv6.pcap",
	"public/tcpdump/babel_rtt.pcap", "public/arkime/adb.pcap", "public/tcpdump/LINKTYPE_IPV4.pcap",
	"public/tcpdump/LINKTYPE_IPV4_invalid.pcap", "public/tcpdump/LINKTYPE_IPV6.pcap",
	"public/suricata-verify/defrag/bug-6887-defrag-ipv4-tcp-syn/frag-ip-tcp-syn.pcap",
	"public/suricata-verify/defrag/bug-6887-defrag-ipv6-tcp/frag-ip-tcp.pcap",
	// assorted Ethernet
	"public/tcpdump/vrrp.pcap", "public/ndpi/http_ipv6.pcap", "public/zeek/traces/wikipedia.pcap",
	"public/ndpi/tor.pcap",
}

type frame struct {
	data    []byte
	wireLen int
}

// frameID identifies a frame in tcpdump's output and ours.
type frameID struct {
	capLen, wireLen int
	sum             uint32
}

func idOf(data []byte, wireLen int) frameID {
	return frameID{len(data), wireLen, crc32.ChecksumIEEE(data)}
}

// readCapture returns the frames of a capture and its link type; single
// is false when the capture holds several link types.
func readCapture(path string) (frames []frame, lt layers.LinkType, single bool, err error) {
	f, err := source.OpenFile(path)
	if err != nil {
		return nil, 0, false, err
	}
	defer f.Close()
	first := true
	single = true
	for {
		data, ci, err := f.ReadPacket()
		if errors.Is(err, io.EOF) || errors.Is(err, source.ErrTruncated) {
			break
		}
		if err != nil {
			return nil, 0, false, fmt.Errorf("%s: %w", path, err)
		}
		if first {
			lt, first = ci.LinkType, false
		} else if ci.LinkType != lt {
			single = false
		}
		frames = append(frames, frame{data: bytes.Clone(data), wireLen: ci.Length})
	}
	return frames, lt, single, nil
}

// tcpdumpMatches runs tcpdump with expr on path and returns the frames it
// keeps; rejectsAll is true when libpcap refuses the expression because
// it can never match, and ok false when tcpdump fails otherwise.
func tcpdumpMatches(tcpdump, path, expr string) (ids []frameID, rejectsAll bool, stderr string, ok bool) {
	cmd := exec.Command(tcpdump, "-r", path, "-w", "-", expr)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if strings.Contains(errb.String(), "expression rejects all packets") {
			return nil, true, errb.String(), true
		}
		return nil, false, errb.String(), false
	}
	f, err := source.NewFile(&out, "tcpdump output")
	if err != nil {
		return nil, false, err.Error(), false
	}
	for {
		data, ci, err := f.ReadPacket()
		if err != nil {
			break
		}
		ids = append(ids, idOf(data, ci.Length))
	}
	return ids, false, "", true
}

type compareStats struct {
	mu                               sync.Mutex
	pairs, matched, frames, skipped  int
	rejectAll, unsupported, captures int
	notes                            []string
	perExpr                          map[string]int // frames matched per expression
}

// TestCompareWithTcpdump checks that our filter keeps exactly the frames
// tcpdump (libpcap) keeps, for every expression of compareExprs on every
// capture of the corpus that tcpdump can filter.
func TestCompareWithTcpdump(t *testing.T) {
	tcpdump := testutil.Tool(t, "tcpdump", "tcpdump")
	var paths []string
	for _, pat := range []string{"*.pcap", "*.pcapng"} {
		m, _ := filepath.Glob(testutil.Testdata(t, pat))
		paths = append(paths, m...)
	}
	shared := 0
	if dir, ok := testutil.SharedIfPresent(t, ""); ok {
		for _, pat := range []string{"*.pcap", "*.pcapng"} {
			m, _ := filepath.Glob(filepath.Join(dir, pat))
			paths = append(paths, m...)
			shared += len(m)
		}
		for _, rel := range compareCaptures {
			if p, ok := testutil.SharedIfPresent(t, rel); ok {
				paths = append(paths, p)
				shared++
			} else {
				t.Logf("shared capture %s is missing: not compared", rel)
			}
		}
	} else {
		t.Logf("shared captures not found (%s): comparing on testdata only", dir)
	}
	sort.Strings(paths)
	st := compareStats{perExpr: map[string]int{}}
	work := make(chan string)
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range work {
				compareCapture(t, tcpdump, p, &st)
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	for _, n := range st.notes {
		t.Log(n)
	}
	t.Logf("tcpdump comparison: %d captures (%d shared), %d expressions, %d (capture, expression) pairs compared, "+
		"%d of them rejected by libpcap as matching nothing (we match nothing too); %d frames matched by both out of %d frames filtered; "+
		"%d pairs skipped (tcpdump cannot filter them), %d pairs unsupported here",
		st.captures, shared, len(compareExprs), st.pairs, st.rejectAll, st.matched, st.frames, st.skipped, st.unsupported)
	var none []string
	for _, e := range compareExprs {
		if st.perExpr[e] == 0 {
			none = append(none, strconv.Quote(e))
		}
	}
	if len(none) > 0 {
		t.Logf("expressions that match no frame of the corpus (compared on misses only): %s", strings.Join(none, ", "))
	}
	if st.pairs < 100 {
		t.Errorf("only %d pairs compared", st.pairs)
	}
	if st.matched == 0 {
		t.Error("no frame matched: the comparison is vacuous")
	}
}

func compareCapture(t *testing.T, tcpdump, path string, st *compareStats) {
	name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
	frames, lt, single, err := readCapture(path)
	if err != nil {
		t.Error(err)
		return
	}
	if !single {
		st.mu.Lock()
		st.notes = append(st.notes, fmt.Sprintf("%s: several link types, tcpdump cannot read it: skipped", name))
		st.mu.Unlock()
		return
	}
	if _, err := bpf.Compile("", lt, 0); err != nil {
		t.Errorf("%s: link type %s: %v", name, lt, err)
		return
	}
	st.mu.Lock()
	st.captures++
	st.mu.Unlock()
	for _, expr := range compareExprs {
		want, rejectsAll, stderr, ok := tcpdumpMatches(tcpdump, path, expr)
		flt, err := bpf.NewFilter(expr, lt, 262144)
		if !ok {
			st.mu.Lock()
			st.skipped++
			st.mu.Unlock()
			continue
		}
		if err != nil {
			if errors.Is(err, bpf.ErrUnsupported) {
				st.mu.Lock()
				st.unsupported++
				st.notes = append(st.notes, fmt.Sprintf("%s %q: tcpdump accepts it, we do not: %v", name, expr, err))
				st.mu.Unlock()
				continue
			}
			t.Errorf("%s %q: tcpdump accepts it (%s), we fail: %v", name, expr, strings.TrimSpace(stderr), err)
			continue
		}
		var got []frameID
		for _, fr := range frames {
			if flt.MatchLen(fr.data, fr.wireLen) {
				got = append(got, idOf(fr.data, fr.wireLen))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %q: we match %d frames, tcpdump %d (first difference at match #%d)\n%s",
				name, expr, len(got), len(want), firstDiff(got, want), bpf.Disassemble(flt.Program()))
			continue
		}
		st.mu.Lock()
		st.pairs++
		st.frames += len(frames)
		st.matched += len(got)
		st.perExpr[expr] += len(got)
		if rejectsAll {
			st.rejectAll++
		}
		st.mu.Unlock()
	}
}

func firstDiff(a, b []frameID) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestRandomExpressionsVsTcpdump compares random combinations of
// primitives (fixed seed) with tcpdump on captures of every link type
// whose frames are whole (not cut by a snap length: libpcap's optimizer
// may drop or move a load past the end of a cut frame where we keep it).
func TestRandomExpressionsVsTcpdump(t *testing.T) {
	tcpdump := testutil.Tool(t, "tcpdump", "tcpdump")
	testutil.SharedDir(t)
	prims := []string{"ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "vlan", "vlan 10", "vlan 200",
		"port 53", "port 80", "src port 443", "dst portrange 1000-2000", "tcp port 80", "udp dst port 53",
		"host 127.0.0.1", "src host 192.168.1.1", "net 10.0.0.0/8", "dst net 172.16.0.0/12", "host ::1",
		"net fe80::/16", "ether multicast", "ether broadcast", "less 80", "greater 500", "proto 17",
		"ip proto 1", "ip6 proto 17", "tcp[13] & 0x12 = 0x12", "ip[8] < 64", "udp[4:2] > 100",
		"ip6[6] = 58", "len > 100", "ether src 00:00:00:00:00:00", "ip multicast", "sctp", "igmp",
		"ip[0] & 0xf != 5", "tcp[tcpflags] & tcp-fin != 0", "port 53 or 80 or 443", "host 192.168.1.1 or 10.0.0.1"}
	r := rand.New(rand.NewPCG(1, 2))
	var gen func(d int) string
	gen = func(d int) string {
		if d > 2 || r.IntN(3) == 0 {
			p := prims[r.IntN(len(prims))]
			if r.IntN(4) == 0 {
				return "not " + p
			}
			return p
		}
		s := gen(d+1) + []string{" and ", " or "}[r.IntN(2)] + gen(d+1)
		switch r.IntN(4) {
		case 0, 1:
			return "(" + s + ")"
		case 2:
			return "not (" + s + ")"
		}
		return s
	}
	var exprs []string
	for range 120 {
		exprs = append(exprs, gen(0))
	}
	type capture struct {
		path   string
		frames []frame
		lt     layers.LinkType
	}
	var caps []capture
	for _, rel := range []string{
		"public/arkime/twovlan.pcap", "public/zeek/traces/q-in-q.pcap", "public/ndpi/ip_fragmented_garbage.pcap",
		"public/arkime/v6.pcap", "public/tcpdump/babel.pcap", "public/gopacket/pcap/test_loopback.pcap",
		"public/zeek/traces/dns-edns-ecs.pcap", "public/arkime/igmp.pcap", "public/tcpdump/LINKTYPE_RAW_ipv6.pcap",
		"public/zeek/traces/linux_dlt_sll2.pcap", "public/zeek/traces/ipv6-fragmented-dns.pcap", "public/ndpi/vxlan.pcap",
		"public/arkime/sctp-www.pcap", "public/tcpdump/mptcp-v1.pcap",
	} {
		p, ok := testutil.SharedIfPresent(t, rel)
		if !ok {
			t.Logf("shared capture %s is missing: not compared", rel)
			continue
		}
		frames, lt, _, err := readCapture(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range frames {
			if len(f.data) != f.wireLen {
				t.Fatalf("%s has frames cut by the snap length: not for this test", rel)
			}
		}
		caps = append(caps, capture{p, frames, lt})
	}
	pairs, matched := 0, 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for expr := range work {
				for _, c := range caps {
					want, _, _, ok := tcpdumpMatches(tcpdump, c.path, expr)
					if !ok {
						continue
					}
					flt, err := bpf.NewFilter(expr, c.lt, 262144)
					if err != nil {
						t.Errorf("%s %q: tcpdump accepts it, we fail: %v", filepath.Base(c.path), expr, err)
						continue
					}
					var got []frameID
					for _, fr := range c.frames {
						if flt.MatchLen(fr.data, fr.wireLen) {
							got = append(got, idOf(fr.data, fr.wireLen))
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s %q: we match %d frames, tcpdump %d", filepath.Base(c.path), expr, len(got), len(want))
					}
					mu.Lock()
					pairs++
					matched += len(got)
					mu.Unlock()
				}
			}
		})
	}
	for _, e := range exprs {
		work <- e
	}
	close(work)
	wg.Wait()
	t.Logf("%d random expressions × %d captures: %d pairs agree with tcpdump, %d frames matched", len(exprs), len(caps), pairs, matched)
}
