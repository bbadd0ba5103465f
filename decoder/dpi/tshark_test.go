package dpi_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/internal/testutil"
)

// tsharkNames maps tshark protocol names (frame.protocols) to ours.
var tsharkNames = map[string]string{
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

// weakTshark are tshark names that yield to a later name in the same frame:
// NetBIOS session service carries SMB.
var weakTshark = map[string]bool{"nbss": true}

// comparedCaptures are the shared captures the comparison runs on by default
// (NETCAP_DPI_ALL=1 runs it on every capture under the shared directory):
// every capture holding one of the rarer protocols, plus enough of the common
// ones, chosen to keep the test short.
var comparedCaptures = []string{}

// conv is one TCP or UDP conversation (tshark's tcp.stream / udp.stream).
type conv struct {
	file      string
	key       string // "tcp 3"
	client    string // first sender, "addr:port"
	payloads  int    // payload packets seen by us
	ours      string // first non-empty Detect over the first 10 payload packets
	tshark    string // tshark's first application protocol for a payload packet, in our names
	tsharkWeak bool
	tsharkAll []string
	first     []byte // the start of the first payload
}

// tsharkFrame is tshark's view of one frame.
type tsharkFrame struct {
	transport string // "tcp", "udp" or "" (innermost)
	stream    string
	sport     string
	dport     string
	app       string // our name for tshark's first application protocol, "~name" when we have none, or ""
	weak      bool   // app is NetBIOS session service, which yields to SMB in a later frame
	appRaw    string // tshark's protocols after the transport
}

func TestAgainstTshark(t *testing.T) {
	dir := testutil.SharedDir(t)
	tshark := testutil.Tshark(t)
	var files []string
	if os.Getenv("NETCAP_DPI_ALL") != "" {
		err := filepath.Walk(filepath.Join(dir, "public"), func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if info.IsDir() && info.Name() == "expected" {
				return filepath.SkipDir
			}
			switch ext := filepath.Ext(p); {
			case info.IsDir():
			case ext == ".pcap" || ext == ".pcapng" || ext == ".cap" || ext == ".gz":
				rel, _ := filepath.Rel(dir, p)
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		files = comparedCaptures
	}
	for _, f := range []string{"dns.pcap", "http.pcap", "smtp.pcap", "mixed.pcap"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			files = append(files, f)
		}
	}

	type result struct {
		convs []*conv
		err   error
	}
	results := make([]result, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			convs, err := compareCapture(tshark, dir, f)
			if d := time.Since(start); d > time.Second {
				t.Logf("SLOW %s %v", f, d)
			}
			results[i] = result{convs, err}
		}()
	}
	wg.Wait()

	type stat struct{ tshark, ours, agreed int }
	stats := map[string]*stat{}
	get := func(n string) *stat {
		if stats[n] == nil {
			stats[n] = &stat{}
		}
		return stats[n]
	}
	var disagreements []string
	unexplained := 0
	for i, r := range results {
		if r.err != nil {
			t.Errorf("%s: %v", files[i], r.err)
			continue
		}
		if os.Getenv("NETCAP_DPI_ALL") != "" {
			counts := map[string]int{}
			for _, c := range r.convs {
				if c.payloads > 0 && c.tshark != "" {
					counts[c.tshark]++
				}
			}
			t.Logf("FILE %s %v", files[i], counts)
		}
		for _, c := range r.convs {
			if c.payloads == 0 || (c.tshark == "" && c.ours == "") {
				continue
			}
			if strings.HasPrefix(c.tshark, "~") && c.ours == "" {
				continue // a protocol we do not detect, and we say nothing
			}
			if c.tshark != "" {
				get(c.tshark).tshark++
			}
			if c.ours != "" {
				get(c.ours).ours++
			}
			if c.ours == c.tshark {
				get(c.ours).agreed++
				continue
			}
			id := c.file + " " + c.key
			reason, known := knownDisagreements[id]
			if !known {
				unexplained++
				reason = "UNEXPLAINED"
			}
			disagreements = append(disagreements, fmt.Sprintf("%s: tshark %q (%s), ours %q, %d payloads, first %x: %s", id, c.tshark, strings.Join(c.tsharkAll, " "), c.ours, c.payloads, c.first, reason))
		}
	}
	sort.Strings(disagreements)
	for _, d := range disagreements {
		t.Log(d)
	}
	var names []string
	for n := range stats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := stats[n]
		t.Logf("%-10s tshark %4d  ours %4d  agreed %4d  recall %5.1f%%  precision %5.1f%%", n, s.tshark, s.ours, s.agreed, pct(s.agreed, s.tshark), pct(s.agreed, s.ours))
	}
	_ = unexplained
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// knownDisagreements explains every conversation where our verdict differs
// from tshark's, keyed by capture and tshark stream.
var knownDisagreements = map[string]string{}

// compareCapture runs tshark and Detect over one capture and returns its
// conversations.
func compareCapture(tshark, dir, rel string) ([]*conv, error) {
	path := filepath.Join(dir, rel)
	out, err := exec.Command(tshark, "-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
		"-e", "frame.number", "-e", "frame.protocols", "-e", "tcp.stream", "-e", "udp.stream",
		"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport").Output()
	if err != nil {
		return nil, fmt.Errorf("tshark: %v", err)
	}
	frames := map[int]tsharkFrame{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 8 {
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		frames[n] = parseTsharkFrame(f)
	}

	next, closeFile, err := packetSource(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	convs := map[string]*conv{}
	var order []*conv
	for n := 1; ; n++ {
		pkt, ok := next()
		if !ok {
			break
		}
		tf, ok := frames[n]
		if !ok || tf.transport == "" {
			continue
		}
		transport, src, sport, dport, payload := innermostTransport(pkt)
		if transport != tf.transport || strconv.Itoa(int(sport)) != tf.sport || strconv.Itoa(int(dport)) != tf.dport {
			continue // tunnels or fragments gopacket decodes differently
		}
		key := tf.transport + " " + tf.stream
		c := convs[key]
		if c == nil {
			c = &conv{file: rel, key: key, client: src}
			convs[key] = c
			order = append(order, c)
		}
		if len(payload) == 0 {
			continue
		}
		c.payloads++
		if c.first == nil {
			c.first = append([]byte{}, payload[:min(len(payload), 12)]...)
		}
		if c.ours == "" && c.payloads <= 10 {
			tr := dpi.TCP
			if transport == "udp" {
				tr = dpi.UDP
			}
			c.ours = dpi.Detect(tr, sport, dport, src == c.client, payload)
		}
		if tf.app != "" && (c.tshark == "" || c.tsharkWeak && tf.app == "SMB") {
			c.tshark, c.tsharkWeak = tf.app, tf.weak
		}
		if len(c.tsharkAll) < 6 {
			c.tsharkAll = append(c.tsharkAll, tf.appRaw)
		}
	}
	return order, nil
}

// parseTsharkFrame reads the innermost transport of a frame and the first
// application protocol tshark names above it.
func parseTsharkFrame(f []string) tsharkFrame {
	protos := strings.Split(f[1], ":")
	k := -1
	for i, p := range protos {
		if p == "icmp" || p == "icmpv6" {
			return tsharkFrame{} // transport headers quoted in ICMP errors
		}
		if p == "tcp" || p == "udp" {
			k = i
		}
	}
	if k < 0 {
		return tsharkFrame{}
	}
	last := func(s string) string {
		if i := strings.LastIndexByte(s, ','); i >= 0 {
			return s[i+1:]
		}
		return s
	}
	tf := tsharkFrame{transport: protos[k], appRaw: strings.Join(protos[k+1:], ":")}
	if tf.transport == "tcp" {
		tf.stream, tf.sport, tf.dport = last(f[2]), last(f[4]), last(f[5])
	} else {
		tf.stream, tf.sport, tf.dport = last(f[3]), last(f[6]), last(f[7])
	}
	for _, p := range protos[k+1:] {
		switch {
		case p == "tpkt" || p == "cotp":
			continue // RDP and S7comm run over TPKT/COTP
		case p == "nbss":
			tf.app, tf.weak = "NetBIOS", true // SMB runs over NetBIOS sessions
			continue
		case p == "data" || strings.HasPrefix(p, "_ws."):
		case tsharkNames[p] != "":
			tf.app, tf.weak = tsharkNames[p], false
		default:
			tf.app, tf.weak = "~"+p, false // a protocol we do not name
		}
		break
	}
	return tf
}

// packetSource returns a function yielding the frames of a capture (pcap or
// pcapng, plain or compressed) in order, decoded from their link type.
func packetSource(path string) (func() (gopacket.Packet, bool), func() error, error) {
	f, err := collector.OpenFile(path)
	if err != nil {
		return nil, nil, err
	}
	return func() (gopacket.Packet, bool) {
		d, ci, err := f.ReadPacket()
		if err != nil {
			return nil, false
		}
		return gopacket.NewPacket(d, ci.LinkType, gopacket.Default), true
	}, f.Close, nil
}

// innermostTransport returns the last TCP or UDP layer of a packet: its
// name, source "addr:port", ports and payload.
func innermostTransport(pkt gopacket.Packet) (string, string, uint16, uint16, []byte) {
	var (
		transport, srcAddr string
		sport, dport       uint16
		payload            []byte
		addr               string
	)
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.IPv4:
			addr = l.SrcIP.String()
		case *layers.IPv6:
			addr = l.SrcIP.String()
		case *layers.ICMPv4, *layers.ICMPv6:
			return "", "", 0, 0, nil
		case *layers.TCP:
			transport, srcAddr, sport, dport, payload = "tcp", addr, uint16(l.SrcPort), uint16(l.DstPort), l.Payload
		case *layers.UDP:
			transport, srcAddr, sport, dport, payload = "udp", addr, uint16(l.SrcPort), uint16(l.DstPort), l.Payload
		}
	}
	return transport, fmt.Sprintf("%s:%d", srcAddr, sport), sport, dport, payload
}
