// Package label joins IDS alerts (Suricata eve.json or fast.log, and
// hand-written attack windows) onto audit records, for labelled ML
// datasets: every record gets the signature of the alerts of its flow, or
// "normal".
//
// It reads record files (package io) and must not import the capture
// engine (collector), the registry or the decoders: what it needs to know
// of them (the per-packet types) comes in its Config.
package label

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Alert is one alert, from Suricata or a custom label. Suricata alerts are
// points in time (Start == End, the time of the packet that triggered
// them); custom labels cover a window and match by address.
type Alert struct {
	Start, End  int64 // Unix nanoseconds
	Proto       string
	Src, Dst    netip.Addr
	SrcPort     uint16
	DstPort     uint16
	HasPorts    bool
	CommunityID string
	Signature   string
	SignatureID int64
	Category    string
	Severity    int // 1 is the most severe, as Suricata's priority
	Source      string

	// custom labels: addresses, either side (IPs) or directed
	custom    bool
	ips       []netip.Prefix
	attackers []netip.Prefix
	victims   []netip.Prefix

	index   int // position in the input, for stable ordering
	matched int64
}

// Matched returns how many records the alert labelled.
func (a *Alert) Matched() int64 { return a.matched }

// Time returns the alert's time (its start).
func (a *Alert) Time() time.Time { return time.Unix(0, a.Start).UTC() }

func (a *Alert) String() string {
	return fmt.Sprintf("%s [%d] %s {%s} %s:%d -> %s:%d %s", a.Time().Format(time.RFC3339Nano), a.SignatureID, a.Signature,
		a.Proto, a.Src, a.SrcPort, a.Dst, a.DstPort, a.CommunityID)
}

// maxAlertLine bounds one line of an alert file; longer lines are skipped
// (counted) instead of growing memory.
const maxAlertLine = 16 << 20

// ReadStats counts what reading an alert file skipped.
type ReadStats struct {
	Lines   int // lines read
	Alerts  int // alerts kept
	Skipped int // malformed lines and events without what a join needs
	Other   int // eve events that are not alerts (flow, http, dns, stats, …)
}

// ReadAlertsFile reads eve.json (JSON lines) or fast.log, telling them
// apart by the first non-empty line.
func ReadAlertsFile(path string) ([]*Alert, ReadStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ReadStats{}, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, ReadStats{}, nil
			}
			return nil, ReadStats{}, err
		}
		if b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t' {
			br.ReadByte()
			continue
		}
		if b[0] == '{' {
			return ReadEve(br)
		}
		return ReadFastLog(br, time.Local)
	}
}

// eveEvent holds the fields of an eve.json alert event that the join uses.
type eveEvent struct {
	Timestamp   string `json:"timestamp"`
	EventType   string `json:"event_type"`
	SrcIP       string `json:"src_ip"`
	SrcPort     *int   `json:"src_port"`
	DestIP      string `json:"dest_ip"`
	DestPort    *int   `json:"dest_port"`
	Proto       string `json:"proto"`
	CommunityID string `json:"community_id"`
	Alert       *struct {
		Signature   string `json:"signature"`
		SignatureID int64  `json:"signature_id"`
		Category    string `json:"category"`
		Severity    int    `json:"severity"`
	} `json:"alert"`
}

// eveTime is the layout of eve.json timestamps (microseconds and a
// numeric zone offset, e.g. 2026-11-26T11:52:01.193267+0000).
const eveTime = "2006-01-02T15:04:05.999999999-0700"

// ReadEve reads the alert events of a Suricata eve.json stream; other
// events are counted in Other, malformed lines in Skipped.
func ReadEve(r io.Reader) ([]*Alert, ReadStats, error) {
	var (
		out []*Alert
		st  ReadStats
	)
	err := eachLine(r, &st, func(line []byte) {
		if !bytes.Contains(line, []byte(`"alert"`)) {
			st.Other++
			return
		}
		var ev eveEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			st.Skipped++
			return
		}
		if ev.EventType != "alert" || ev.Alert == nil {
			st.Other++
			return
		}
		t, err := time.Parse(eveTime, ev.Timestamp)
		if err != nil {
			st.Skipped++
			return
		}
		a := &Alert{
			Start: t.UnixNano(), Proto: strings.ToUpper(ev.Proto), CommunityID: ev.CommunityID,
			Signature: ev.Alert.Signature, SignatureID: ev.Alert.SignatureID, Category: ev.Alert.Category,
			Severity: ev.Alert.Severity, Source: "eve",
		}
		a.End = a.Start
		a.Src, _ = netip.ParseAddr(ev.SrcIP)
		a.Dst, _ = netip.ParseAddr(ev.DestIP)
		if ev.SrcPort != nil && ev.DestPort != nil && validPort(*ev.SrcPort) && validPort(*ev.DestPort) {
			a.SrcPort, a.DstPort, a.HasPorts = uint16(*ev.SrcPort), uint16(*ev.DestPort), true
		}
		if !a.Src.IsValid() || !a.Dst.IsValid() {
			st.Skipped++
			return
		}
		a.Src, a.Dst = a.Src.Unmap(), a.Dst.Unmap()
		a.index = len(out)
		out = append(out, a)
		st.Alerts++
	})
	return out, st, err
}

func validPort(p int) bool { return p >= 0 && p <= 65535 }

// fastLine matches one fast.log line:
//
//	11/26/2026-11:52:01.193267  [**] [1:1000001:1] TEST login page [**] [Classification: Web Application Attack] [Priority: 1] {TCP} 127.0.0.2:48480 -> 127.0.0.1:80
//
// Classification is missing for rules without classtype; addresses are
// IPv6 without brackets ("2001:db8::1:80"), so the port is the part after
// the last colon when the protocol has ports.
var fastLine = regexp.MustCompile(`^(\d\d/\d\d/\d{4}-\d\d:\d\d:\d\d\.\d+)\s+\[\*\*\]\s+\[(\d+):(\d+):(\d+)\]\s+(.*?)\s+\[\*\*\]\s+(?:\[Classification:\s*([^\]]*)\]\s+)?\[Priority:\s*(\d+)\]\s+\{([^}]*)\}\s+(\S+)\s+->\s+(\S+)\s*$`)

// ReadFastLog reads Suricata's fast.log. Its times carry no zone: they
// are in the zone Suricata ran in, loc (time.Local for a file written on
// this machine). fast.log has no Community ID, so these alerts join on
// the 5-tuple.
func ReadFastLog(r io.Reader, loc *time.Location) ([]*Alert, ReadStats, error) {
	var (
		out []*Alert
		st  ReadStats
	)
	err := eachLine(r, &st, func(line []byte) {
		m := fastLine.FindSubmatch(line)
		if m == nil {
			st.Skipped++
			return
		}
		t, err := time.ParseInLocation("01/02/2006-15:04:05.999999999", string(m[1]), loc)
		if err != nil {
			st.Skipped++
			return
		}
		sid, _ := strconv.ParseInt(string(m[3]), 10, 64)
		prio, _ := strconv.Atoi(string(m[7]))
		a := &Alert{
			Start: t.UnixNano(), Proto: strings.ToUpper(string(m[8])), Signature: string(m[5]), SignatureID: sid,
			Category: string(m[6]), Severity: prio, Source: "fast.log",
		}
		a.End = a.Start
		var okS, okD bool
		a.Src, a.SrcPort, okS = splitHostPort(string(m[9]), a.Proto)
		a.Dst, a.DstPort, okD = splitHostPort(string(m[10]), a.Proto)
		if !a.Src.IsValid() || !a.Dst.IsValid() {
			st.Skipped++
			return
		}
		a.HasPorts = okS && okD
		a.index = len(out)
		out = append(out, a)
		st.Alerts++
	})
	return out, st, err
}

// splitHostPort splits fast.log's "addr:port" (IPv6 unbracketed). ICMP
// alerts print "addr:type" and "addr:code": not ports. Other protocols
// without ports print the address alone.
func splitHostPort(s, proto string) (netip.Addr, uint16, bool) {
	i := strings.LastIndexByte(s, ':')
	icmp := strings.HasPrefix(proto, "ICMP") || proto == "IPV6-ICMP"
	if !hasPorts(proto) && !icmp || i < 0 {
		a, _ := netip.ParseAddr(strings.Trim(s, "[]"))
		return a.Unmap(), 0, false
	}
	a, err := netip.ParseAddr(strings.Trim(s[:i], "[]"))
	if err != nil {
		return netip.Addr{}, 0, false
	}
	p, err := strconv.ParseUint(s[i+1:], 10, 16)
	if err != nil || icmp {
		return a.Unmap(), 0, false
	}
	return a.Unmap(), uint16(p), true
}

func hasPorts(proto string) bool {
	switch proto {
	case "TCP", "UDP", "SCTP":
		return true
	}
	return false
}

// eachLine calls fn for every non-empty line; over-long lines are skipped.
func eachLine(r io.Reader, st *ReadStats, fn func([]byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long bool
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(buf)+len(chunk) > maxAlertLine {
				long = true
			} else {
				buf = append(buf, chunk...)
			}
			continue
		}
		line := chunk
		if len(buf) > 0 {
			buf = append(buf, chunk...)
			line = buf
		}
		if long {
			st.Lines++
			st.Skipped++
		} else if l := bytes.TrimSpace(line); len(l) > 0 {
			st.Lines++
			fn(l)
		}
		buf, long = buf[:0], false
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
