package label

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// Lines as Suricata 7.0.10 wrote them for testdata/mixed.pcap (eve.json
// shortened to the fields the join reads, plus a non-alert event and
// broken lines).
const eveSample = `{"timestamp":"2026-11-26T11:52:04.461943+0000","flow_id":1139608635199583,"pcap_cnt":447,"event_type":"alert","src_ip":"127.0.0.2","src_port":40306,"dest_ip":"127.0.0.1","dest_port":53,"proto":"UDP","community_id":"1:5zmO80CPIaMZ3eSlGN+aEiKvD3I=","alert":{"action":"allowed","gid":1,"signature_id":1000002,"rev":1,"signature":"TEST nonexistent lookup","category":"Potentially Bad Traffic","severity":2}}
{"timestamp":"2026-11-26T12:52:01.193267+0100","event_type":"alert","src_ip":"2001:db8::2","src_port":48480,"dest_ip":"2001:db8::1","dest_port":80,"proto":"TCP","alert":{"signature_id":1000001,"signature":"TEST login page","category":"Web Application Attack","severity":1}}
{"timestamp":"2026-11-26T11:52:01.193267+0000","event_type":"flow","src_ip":"127.0.0.2","dest_ip":"127.0.0.1","proto":"TCP","flow":{"alerted":true}}
{"timestamp":"2026-11-26T11:52:05.000000+0000","event_type":"alert","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"ICMP","icmp_type":8,"alert":{"signature_id":7,"signature":"ping","category":"","severity":3}}
{"timestamp":"not a time","event_type":"alert","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"signature":"x"}}
{"event_type":"alert", broken
`

func TestReadEve(t *testing.T) {
	alerts, st, err := ReadEve(strings.NewReader(eveSample))
	if err != nil {
		t.Fatal(err)
	}
	if st.Alerts != 3 || st.Skipped != 2 || st.Other != 1 || st.Lines != 6 {
		t.Fatalf("stats %+v", st)
	}
	a := alerts[0]
	if a.Signature != "TEST nonexistent lookup" || a.SignatureID != 1000002 || a.Severity != 2 || a.Category != "Potentially Bad Traffic" ||
		a.CommunityID != "1:5zmO80CPIaMZ3eSlGN+aEiKvD3I=" || a.Proto != "UDP" || !a.HasPorts || a.SrcPort != 40306 || a.DstPort != 53 ||
		a.Src != netip.MustParseAddr("127.0.0.2") || a.Dst != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("alert 0: %+v", a)
	}
	if want := time.Date(2026, 11, 26, 11, 52, 4, 461943000, time.UTC).UnixNano(); a.Start != want || a.End != want {
		t.Errorf("time %d, want %d", a.Start, want)
	}
	// +0100 is an hour ahead of UTC: the same instant as 11:52:01.193267Z
	if want := time.Date(2026, 11, 26, 11, 52, 1, 193267000, time.UTC).UnixNano(); alerts[1].Start != want {
		t.Errorf("zone offset: %v", alerts[1].Time())
	}
	if alerts[1].Src != netip.MustParseAddr("2001:db8::2") || alerts[1].CommunityID != "" {
		t.Errorf("alert 1: %+v", alerts[1])
	}
	if alerts[2].HasPorts || alerts[2].Proto != "ICMP" {
		t.Errorf("ICMP alert has ports: %+v", alerts[2])
	}
}

func TestReadFastLog(t *testing.T) {
	in := `11/26/2026-11:52:04.461943  [**] [1:1000002:1] TEST nonexistent lookup [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 127.0.0.2:40306 -> 127.0.0.1:53
11/26/2026-11:52:01.193267  [**] [1:1000001:3] TEST [login] page [**] [Priority: 1] {TCP} 2001:db8::2:48480 -> 2001:db8::1:80
11/26/2026-11:52:05.000000  [**] [1:7:1] ping [**] [Classification: Misc activity] [Priority: 3] {ICMP} 10.0.0.1:8 -> 10.0.0.2:0
11/26/2026-11:52:06.000000  [**] [1:8:1] gre [**] [Classification: Misc activity] [Priority: 3] {GRE} 10.0.0.1 -> 10.0.0.2
garbage line
`
	loc := time.FixedZone("test", 3600)
	alerts, st, err := ReadFastLog(strings.NewReader(in), loc)
	if err != nil {
		t.Fatal(err)
	}
	if st.Alerts != 4 || st.Skipped != 1 {
		t.Fatalf("stats %+v", st)
	}
	if a := alerts[0]; a.Start != time.Date(2026, 11, 26, 10, 52, 4, 461943000, time.UTC).UnixNano() || a.SrcPort != 40306 || a.DstPort != 53 || a.Severity != 2 || a.Category != "Potentially Bad Traffic" {
		t.Errorf("alert 0 (times are in the file's zone): %+v %v", a, a.Time())
	}
	if a := alerts[1]; a.Signature != "TEST [login] page" || a.Category != "" || a.Src != netip.MustParseAddr("2001:db8::2") || a.SrcPort != 48480 || a.DstPort != 80 || !a.HasPorts {
		t.Errorf("IPv6 alert without classification: %+v", a)
	}
	if a := alerts[2]; a.HasPorts || a.Src != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("ICMP (type:code are not ports): %+v", a)
	}
	if a := alerts[3]; a.HasPorts || a.Dst != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("GRE: %+v", a)
	}
}

func TestParseCustom(t *testing.T) {
	alerts, err := ParseCustom([]byte(`
location: Europe/Berlin
timeFormat: "2006-01-02 15:04:05"
attacks:
  - name: brute force
    category: credential-access
    start: "2026-11-26 12:00:00"
    end: "2026-11-26 12:30:00"
    attackers: [10.0.0.5]
    victims: [192.168.1.0/24]
  - name: sweep
    start: "1764158400.5"
    end: "1764158401"
    ips: ["2001:db8::/32"]
    severity: 3
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 {
		t.Fatalf("%d attacks", len(alerts))
	}
	a := alerts[0]
	if a.Start != time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC).UnixNano() || a.Severity != 1 || a.Category != "credential-access" {
		t.Errorf("attack 0: %+v", a)
	}
	ip := netip.MustParseAddr
	if !a.customMatches(ip("10.0.0.5"), ip("192.168.1.77")) || !a.customMatches(ip("192.168.1.77"), ip("10.0.0.5")) ||
		a.customMatches(ip("10.0.0.5"), ip("10.0.0.6")) || a.customMatches(ip("10.0.0.6"), ip("192.168.1.77")) {
		t.Error("attackers/victims matching")
	}
	if b := alerts[1]; b.Start != 1764158400500000000 || b.End != 1764158401000000000 || !b.customMatches(ip("2001:db8::9"), ip("10.0.0.1")) || b.Severity != 3 {
		t.Errorf("attack 1: %+v", b)
	}
	for _, bad := range []string{
		"attacks:\n  - start: 1\n    end: 2\n    ips: [10.0.0.1]\n",                      // no name
		"attacks:\n  - name: x\n    start: 2\n    end: 1\n    ips: [10.0.0.1]\n",         // end before start
		"attacks:\n  - name: x\n    start: 1\n    end: 2\n",                              // no addresses
		"attacks:\n  - name: x\n    start: yesterday\n    end: 2\n    ips: [10.0.0.1]\n", // bad time
		"attacks:\n  - name: x\n    start: 1\n    end: 2\n    ips: [10.0.0.300]\n",       // bad address
		"location: Nowhere/Else\nattacks: []\n",
		"attacks: {",
	} {
		if _, err := ParseCustom([]byte(bad)); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

// TestJoinerModes checks the decision rules on alerts of one flow.
func TestJoinerModes(t *testing.T) {
	mk := func(sig, cat string, sev int, sid int64) *Alert {
		return &Alert{Start: 100, End: 100, Signature: sig, Category: cat, Severity: sev, SignatureID: sid, CommunityID: "1:x",
			Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), HasPorts: true, SrcPort: 1, DstPort: 2}
	}
	a, b, c := mk("B sig", "cat2", 2, 20), mk("A sig", "cat1", 1, 10), mk("B sig", "cat2", 2, 20)
	for _, tc := range []struct {
		mode Mode
		want Decision
	}{
		{Best, Decision{"A sig", "cat1", 1, 3}},
		{Strict, Decision{Ambiguous, "cat1 | cat2", 1, 3}},
		{Collect, Decision{"A sig | B sig", "cat1 | cat2", 1, 3}},
	} {
		j := NewJoiner([]*Alert{a, b, c}, time.Second, tc.mode)
		v := view{cid: "1:x", first: 100, last: 100}
		got := j.decide(j.matchKeyed(&v, nil))
		if got != tc.want {
			t.Errorf("mode %d: %+v, want %+v", tc.mode, got, tc.want)
		}
	}
	j := NewJoiner([]*Alert{a}, time.Second, Strict)
	v := view{cid: "1:x", first: 100, last: 100}
	if got := j.decide(j.matchKeyed(&v, nil)); got.Label != "B sig" {
		t.Errorf("strict with one signature: %+v", got)
	}
	// outside the window, another flow, no flow at all
	for _, v := range []view{
		{cid: "1:x", first: 100 + int64(2*time.Second), last: 100 + int64(2*time.Second)},
		{cid: "1:y", first: 100, last: 100},
		{first: 100, last: 100},
	} {
		if got := j.decide(j.matchKeyed(&v, nil)); got.Label != Normal {
			t.Errorf("%+v labelled %+v", v, got)
		}
	}
	// a record without Community ID joins on the tuple, either direction
	v = view{src: netip.MustParseAddr("10.0.0.2"), dst: netip.MustParseAddr("10.0.0.1"), sport: 2, dport: 1, hasPorts: true, first: 100, last: 100}
	if got := j.decide(j.matchKeyed(&v, nil)); got.Label != "B sig" {
		t.Errorf("tuple join: %+v", got)
	}
}

func FuzzReadEve(f *testing.F) {
	for l := range strings.SplitSeq(eveSample, "\n") {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		alerts, st, err := ReadEve(strings.NewReader(string(b)))
		if err != nil || st.Alerts != len(alerts) {
			t.Fatalf("%v %+v %d", err, st, len(alerts))
		}
	})
}

func FuzzReadFastLog(f *testing.F) {
	f.Add([]byte("11/26/2026-11:52:04.461943  [**] [1:1000002:1] TEST [**] [Classification: X] [Priority: 2] {UDP} 127.0.0.2:40306 -> 127.0.0.1:53\n"))
	f.Add([]byte("11/26/2026-11:52:01.193267  [**] [1:1:3] T [**] [Priority: 1] {TCP} 2001:db8::2:48480 -> 2001:db8::1:80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		alerts, st, err := ReadFastLog(strings.NewReader(string(b)), time.UTC)
		if err != nil || st.Alerts != len(alerts) {
			t.Fatalf("%v %+v %d", err, st, len(alerts))
		}
	})
}

func FuzzParseCustom(f *testing.F) {
	f.Add([]byte("attacks:\n  - name: x\n    start: 1\n    end: 2\n    ips: [10.0.0.1]\n"))
	f.Add([]byte("timeFormat: \"2006\"\nattacks:\n  - name: x\n    start: \"2020\"\n    end: \"2021\"\n    attackers: [10.0.0.0/8]\n    victims: [::1]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		alerts, err := ParseCustom(b)
		for _, a := range alerts {
			if err != nil || a.End < a.Start || a.Signature == "" {
				t.Fatalf("bad attack %+v (%v)", a, err)
			}
		}
	})
}
