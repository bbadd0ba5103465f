package tsharktest

import (
	"slices"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
)

func TestParseFields(t *testing.T) {
	names := printedFields([]string{"ip.src", "frame.number", "tcp.port"})
	if want := []string{"frame.number", "frame.time_epoch", "frame.protocols", "ip.src", "tcp.port"}; !slices.Equal(names, want) {
		t.Fatalf("printed %v, want %v", names, want)
	}
	out := "7\t1700000000.5\teth:ip:tcp\t10.0.0.1\x1f10.0.0.2\t80\x1f8080\n" +
		"8\t\teth:arp\t\t\n"
	frames := parseFields(out, names, []string{"ip.src", "tcp.port", "udp.port"})
	if len(frames) != 2 {
		t.Fatalf("%d frames", len(frames))
	}
	f := frames[0]
	if f.Number != 7 || f.Time != "1700000000500000000" || !slices.Equal(f.Protocols, []string{"eth", "ip", "tcp"}) {
		t.Errorf("identity %d %s %v", f.Number, f.Time, f.Protocols)
	}
	if f.At("ip.src", 1) != "10.0.0.2" || f.At("ip.src", 2) != "" || f.Count("ip") != 1 {
		t.Errorf("values %v", f)
	}
	if row := f.Row(); !slices.Equal(row, []string{"10.0.0.1,10.0.0.2", "80,8080", ""}) {
		t.Errorf("row %q", row)
	}
	if v := frames[1].Values(); len(v) != 3 || !slices.Equal(v[0], []string{""}) || frames[1].Time != "0" {
		t.Errorf("frame without values: %q, time %s", v, frames[1].Time)
	}
}

const pdmlDoc = `<?xml version="1.0"?>
<pdml>
<packet>
  <proto name="frame">
    <field name="frame.number" show="3"/>
    <field name="frame.time_epoch" show="1700000000.000000001"/>
  </proto>
  <proto name="ip" pos="0" size="20">
    <field name="ip.src" show="192.0.2.1" pos="12" size="4" value="c0000201"/>
    <field name="ip.flags" show="0x02" pos="6" size="1" value="40">
      <field name="ip.flags.df" show="True" pos="6" size="1" value="1" unmaskedvalue="40"/>
    </field>
  </proto>
  <proto name="udp"><field name="udp.srcport" show="53"/><field name="udp.dstport" show="5353"/></proto>
  <proto name="_ws.malformed"/>
</packet>
</pdml>`

func TestParsePDML(t *testing.T) {
	packets, err := parsePDML([]byte(pdmlDoc))
	if err != nil || len(packets) != 1 {
		t.Fatalf("%d packets, %v", len(packets), err)
	}
	p := packets[0]
	if p.Number != 3 || p.Time != "1700000000000000001" || len(p.Protos) != 4 {
		t.Fatalf("packet %d %s with %d protocols", p.Number, p.Time, len(p.Protos))
	}
	ip := p.Protocols("ip")[0]
	if ip.Val("ip.flags.df") != "1" || ip.Val("ip.flags") != "2" || ip.ShowOf("ip.src") != "192.0.2.1" {
		t.Errorf("ip fields: df %q flags %q src %q", ip.Val("ip.flags.df"), ip.Val("ip.flags"), ip.ShowOf("ip.src"))
	}
	if src, dst := p.Addrs(); src != "192.0.2.1" || dst != "" {
		t.Errorf("addrs %s %s", src, dst)
	}
	if src, dst := p.Ports(); src != "53" || dst != "5353" {
		t.Errorf("ports %s %s", src, dst)
	}
	if !p.Malformed(p.Protocols("udp")[0]) || p.Malformed(ip) {
		t.Error("malformed: only udp is followed by _ws.malformed")
	}
	if got := p.Span(6, 7) + p.Span(12, 16); got != "40c0000201" {
		t.Errorf("span %s", got)
	}
}

func TestParseConversations(t *testing.T) {
	out := "127.0.0.2:48474            <-> 127.0.0.1:80                   228 334 kB        127 8512 bytes     355 342 kB        0.097659000         0.0028\n" +
		"::1:37292                  <-> ::1:80                           5 675 bytes       7 689 bytes      12 1364 bytes     0.127283000         0.0082\n"
	convs := parseConversations(out)
	if len(convs) != 2 || convs[1].A != "::1:37292" || convs[1].Frames != [3]int64{5, 7, 12} {
		t.Fatalf("%+v", convs)
	}
	if _, exact := ExactBytes(convs[0].Bytes[2]); exact {
		t.Errorf("%q is rounded", convs[0].Bytes[2])
	}
	if n, exact := ExactBytes(convs[1].Bytes[2]); !exact || n != 1364 {
		t.Errorf("%q: %d %v", convs[1].Bytes[2], n, exact)
	}
}

func TestTableRows(t *testing.T) {
	c := Case{Fields: []Field{
		{Ours: "SrcIP", Tshark: "ip.src,ipv6.src"},
		{Ours: "TTL", Tshark: "ip.ttl"},
		{Ours: "Flags", Tshark: "ip.flags", Conv: func(v string) string { return "f" + v }},
	}}
	names := printedFields(c.query().Fields)
	f := parseFields("1\t1\tip:ip\t10.0.0.1\x1f10.0.0.2\t\t64\x1f63\t0x02\n", names, c.query().Fields)[0]
	got := c.tableRows(f)
	want := [][]string{{"10.0.0.1", "64", "f2"}, {"10.0.0.2", "63", "f2"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

func TestMultisetDiff(t *testing.T) {
	a, b := MultisetDiff([]string{"x", "x", "y"}, []string{"x", "z"})
	if !slices.Equal(a, []string{"x", "y"}) || !slices.Equal(b, []string{"z"}) {
		t.Errorf("only a %v, only b %v", a, b)
	}
}

// TestAgainstTshark runs each output form on the project's own capture.
func TestAgainstTshark(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	frames := Fields(t, pcap, Query{Filter: "dns", Fields: []string{"dns.qry.name"}})
	packets := PDML(t, pcap, "dns")
	if len(frames) == 0 || len(frames) != len(packets) {
		t.Fatalf("%d frames, %d PDML packets", len(frames), len(packets))
	}
	if frames[0].Number != packets[0].Number || frames[0].Time != packets[0].Time ||
		frames[0].At("dns.qry.name", 0) != packets[0].Protocols("dns")[0].ShowOf("dns.qry.name") {
		t.Errorf("first DNS frame: fields %v, PDML %d %s", frames[0], packets[0].Number, packets[0].Time)
	}
	if js := JSONFields(t, pcap, Query{Filter: "dns", Fields: []string{"dns.qry.name"}}); len(js) != len(frames) {
		t.Errorf("%d JSON packets, %d frames", len(js), len(frames))
	}
	if len(Conversations(t, pcap, "tcp")) == 0 {
		t.Error("no TCP conversation")
	}
}
