package main

import (
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
)

// labelledCSV reads <Type>_labeled.csv: header and rows.
func labelledCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return rows[0], rows[1:]
}

func col(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, header)
	}
	return i
}

// tsharkLines runs tshark with a display filter and fields: a row per
// frame, each field's occurrences joined by commas.
func tsharkLines(t *testing.T, pcap, filter string, fields ...string) [][]string {
	t.Helper()
	var rows [][]string
	for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: filter, Fields: fields}) {
		rows = append(rows, f.Row())
	}
	return rows
}

// epochNS turns tshark's frame.time_epoch ("1764157921.189360000") into
// Unix nanoseconds as our records hold them.
func epochNS(t *testing.T, s string) string {
	t.Helper()
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		t.Fatalf("time %q", s)
	}
	ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	return strconv.FormatInt(n*1e9+ns, 10)
}

// expectedFlows are the packets of the conversations that hold frames
// matching a display filter, by tshark: the frames a flow label covers.
type expectedFlows struct {
	frames  map[string][]string // layer ("eth", "ip", "tcp", "udp", "dns", "http.request") -> frame times
	streams int                 // conversations
	flows   int                 // directions with packets (Flow records)
}

func tsharkFlows(t *testing.T, pcap, filter string) expectedFlows {
	t.Helper()
	var tcp, udp []string
	for _, r := range tsharkLines(t, pcap, filter, "tcp.stream", "udp.stream") {
		if r[0] != "" && !slices.Contains(tcp, r[0]) {
			tcp = append(tcp, r[0])
		}
		if r[1] != "" && !slices.Contains(udp, r[1]) {
			udp = append(udp, r[1])
		}
	}
	if len(tcp)+len(udp) == 0 {
		t.Fatalf("tshark: no frame of %s matches %s", pcap, filter)
	}
	var parts []string
	for _, s := range tcp {
		parts = append(parts, "tcp.stream=="+s)
	}
	for _, s := range udp {
		parts = append(parts, "udp.stream=="+s)
	}
	e := expectedFlows{frames: map[string][]string{}, streams: len(tcp) + len(udp)}
	dirs := map[string]bool{}
	for _, r := range tsharkLines(t, pcap, strings.Join(parts, " || "), "frame.time_epoch", "frame.protocols", "ip.src", "tcp.stream", "udp.stream", "http.request") {
		ts := epochNS(t, r[0])
		protos := strings.Split(r[1], ":")
		for _, l := range []string{"eth", "ip", "tcp", "udp", "dns"} {
			if slices.Contains(protos, l) {
				e.frames[l] = append(e.frames[l], ts)
			}
		}
		if r[5] != "" {
			e.frames["http.request"] = append(e.frames["http.request"], ts)
		}
		dirs[r[3]+"/"+r[4]+"/"+r[2]] = true
	}
	e.flows = len(dirs)
	for _, v := range e.frames {
		slices.Sort(v)
	}
	return e
}

type labelCase struct {
	name, pcap, rules string
	filters           map[string]string // signature -> tshark filter of the frames it fires on
}

// TestLabelSuricata runs the real Suricata through net label on captures
// with small rule files and checks the labelled records against tshark:
// every record of an alerted conversation carries its signature (TCP/UDP,
// Ethernet and IPv4 records of exactly its frames, its HTTP requests and
// DNS messages, its Connection and Flow records), every other row is
// normal, and no alert is left unmatched.
func TestLabelSuricata(t *testing.T) {
	testutil.Tool(t, "suricata", "suricata")
	cases := []labelCase{
		{name: "mixed", pcap: testutil.Testdata(t, "mixed.pcap"), rules: testutil.Testdata(t, "label/mixed.rules"),
			filters: map[string]string{
				"TEST login page":         `http.request.uri == "/login"`,
				"TEST nonexistent lookup": `dns.qry.name == "nonexistent.example.test"`,
			}},
	}
	if p, ok := testutil.SharedIfPresent(t, "dns.pcap"); ok {
		cases = append(cases, labelCase{name: "shared-dns", pcap: p, rules: testutil.Testdata(t, "label/dns.rules"),
			filters: map[string]string{"TEST www lookup": `dns.qry.name == "www.example.test" && dns.flags.response == 0`}})
	} else {
		t.Log("shared dns.pcap not found: only the bundled capture is labelled")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			out := mustNet(t, "label", "-read", c.pcap, "-out", dir, "-rules", c.rules, "-epoch", "-parquet")
			if !strings.Contains(out, fmt.Sprintf("alerts: %d read, %d matched at least one record, 0 unmatched", countAlerts(t, dir), countAlerts(t, dir))) {
				t.Errorf("summary:\n%s", out)
			}
			un, err := os.ReadFile(filepath.Join(dir, "unmatched_alerts.txt"))
			if err != nil || strings.Count(string(un), "\n") != 1 {
				t.Errorf("unmatched_alerts.txt should list nothing: %q %v", un, err)
			}
			checkLabels(t, dir, c)
			checkParquet(t, dir, "TCP")
			checkParquet(t, dir, "Connection")
			checkParquet(t, dir, "DNS")
		})
	}
}

func countAlerts(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "suricata", "eve.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(b), `"event_type":"alert"`)
	if n == 0 {
		t.Fatal("Suricata raised no alert: the test rules no longer fire")
	}
	return n
}

// checkLabels compares every labelled CSV of dir with tshark's view of
// the alerted conversations.
func checkLabels(t *testing.T, dir string, c labelCase) {
	t.Helper()
	want := map[string]expectedFlows{}
	for sig, filter := range c.filters {
		want[sig] = tsharkFlows(t, c.pcap, filter)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*_labeled.csv"))
	if len(files) < 5 {
		t.Fatalf("only %d labelled files in %s", len(files), dir)
	}
	// record type -> layer of tshark's frames its labelled rows must equal
	layerOf := map[string]string{"Ethernet": "eth", "IPv4": "ip", "TCP": "tcp", "UDP": "udp", "DNS": "dns", "HTTP": "http.request"}
	total := map[string]int{}
	for _, f := range files {
		typ := strings.TrimSuffix(filepath.Base(f), "_labeled.csv")
		header, rows := labelledCSV(t, f)
		li, ci, si, ai := col(t, header, "label"), col(t, header, "category"), col(t, header, "severity"), col(t, header, "alert_count")
		got := map[string][]string{}
		for _, r := range rows {
			l := r[li]
			if l == "normal" {
				if r[ci] != "" || r[si] != "0" || r[ai] != "0" {
					t.Errorf("%s: normal row with alert columns %v", typ, r[ci:])
				}
				continue
			}
			if _, ok := want[l]; !ok {
				t.Errorf("%s: label %q is none of the rules' signatures", typ, l)
				continue
			}
			if r[si] == "0" || r[ai] == "0" || r[ci] == "" {
				t.Errorf("%s: labelled row without category/severity/count: %v", typ, r[len(r)-4:])
			}
			ts := ""
			if i := slices.Index(header, "Timestamp"); i >= 0 {
				ts = r[i]
			}
			got[l] = append(got[l], ts)
		}
		for sig, w := range want {
			g := got[sig]
			slices.Sort(g)
			switch layer, ok := layerOf[typ]; {
			case ok:
				if !slices.Equal(g, w.frames[layer]) {
					t.Errorf("%s labelled %q: %d records %v, tshark's conversations have %d %s frames %v", typ, sig, len(g), g, len(w.frames[layer]), layer, w.frames[layer])
				}
			case typ == "Connection":
				if len(g) != w.streams {
					t.Errorf("Connection labelled %q: %d, want %d conversations", sig, len(g), w.streams)
				}
			case typ == "Flow":
				if len(g) != w.flows {
					t.Errorf("Flow labelled %q: %d, want %d directions", sig, len(g), w.flows)
				}
			default:
				if len(g) != 0 && typ != "File" && typ != "Credentials" {
					// File and Credentials of the alerted HTTP flow are
					// checked below; everything else (profiles, services,
					// software, other protocols) must stay normal.
					t.Errorf("%s: %d records labelled %q, want none", typ, len(g), sig)
				}
			}
			total[typ] += len(g)
		}
	}
	if c.name == "mixed" {
		// The POST /login flow carries one login form (Credentials) and
		// two bodies (request form and response page: File records).
		if total["Credentials"] != 1 || total["File"] != 2 {
			t.Errorf("mixed: labelled Credentials %d (want 1), File %d (want 2)", total["Credentials"], total["File"])
		}
	}
}

// checkParquet reads <Type>_labeled.parquet back with parquet-go and
// compares it with the CSV row by row: every scalar column, and the label
// columns.
func checkParquet(t *testing.T, dir, typ string) {
	t.Helper()
	header, rows := labelledCSV(t, filepath.Join(dir, typ+"_labeled.csv"))
	f, err := os.Open(filepath.Join(dir, typ+"_labeled.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	prows, err := ncio.ReadParquetRows(f, st.Size())
	if err != nil {
		t.Fatalf("%s parquet: %v", typ, err)
	}
	if len(prows) != len(rows) {
		t.Fatalf("%s: parquet has %d rows, CSV %d", typ, len(prows), len(rows))
	}
	compared := 0
	for i, r := range rows {
		for j, name := range header {
			v, ok := prows[i][name]
			if !ok {
				t.Fatalf("%s: parquet has no column %q", typ, name)
			}
			s, scalar := parquetText(v)
			if !scalar {
				continue
			}
			compared++
			if s != r[j] {
				t.Errorf("%s row %d column %s: parquet %q, CSV %q", typ, i, name, s, r[j])
			}
		}
	}
	if compared < len(rows)*5 {
		t.Errorf("%s: only %d values compared", typ, compared)
	}
}

// parquetText renders a scalar parquet value as the CSV does.
func parquetText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		return hex.EncodeToString(x), true
	case bool:
		return strconv.FormatBool(x), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 64), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// labelsOf returns label -> rows for one labelled CSV.
func labelsOf(t *testing.T, path string) map[string]int {
	t.Helper()
	header, rows := labelledCSV(t, path)
	li := col(t, header, "label")
	out := map[string]int{}
	for _, r := range rows {
		out[r[li]+" / "+strings.Join(r[li+1:], " / ")]++
	}
	return out
}

// TestLabelModesAndAlertFiles: two rules fire on the POST /login flow
// (severity 1 and 2), one on a DNS flow. Default mode takes the most
// severe, -collect joins both, -strict says ambiguous; the DNS flow is the
// same in every mode. The eve.json and fast.log Suricata wrote give the
// same labels when passed back with -alerts (fast.log has no Community
// ID: that run joins on the 5-tuple).
func TestLabelModesAndAlertFiles(t *testing.T) {
	testutil.Tool(t, "suricata", "suricata")
	pcap := testutil.Testdata(t, "mixed.pcap")
	base := t.TempDir()
	def := filepath.Join(base, "default")
	mustNet(t, "label", "-read", pcap, "-out", def, "-rules", testutil.Testdata(t, "label/mixed-post.rules"), "-q")
	eve, fast := filepath.Join(def, "suricata", "eve.json"), filepath.Join(def, "suricata", "fast.log")
	http := tsharkFlows(t, pcap, `http.request.uri == "/login"`)
	dns := tsharkFlows(t, pcap, `dns.qry.name == "nonexistent.example.test"`)
	nTCP, nUDP := len(http.frames["tcp"]), len(dns.frames["udp"])
	if nTCP == 0 || nUDP == 0 {
		t.Fatal("tshark found no alerted frames")
	}
	want := map[string]map[string]int{
		"default": {"TEST login page / Web Application Attack / 1 / 2": nTCP, "TEST nonexistent lookup / Potentially Bad Traffic / 2 / 1": nUDP},
		"collect": {"TEST login page | TEST POST request / Web Application Attack | Potentially Bad Traffic / 1 / 2": nTCP, "TEST nonexistent lookup / Potentially Bad Traffic / 2 / 1": nUDP},
		"strict":  {"ambiguous / Web Application Attack | Potentially Bad Traffic / 1 / 2": nTCP, "TEST nonexistent lookup / Potentially Bad Traffic / 2 / 1": nUDP},
	}
	runs := map[string]string{"default": def}
	for _, mode := range []string{"collect", "strict"} {
		runs[mode] = filepath.Join(base, mode)
		mustNet(t, "label", "-read", pcap, "-out", runs[mode], "-alerts", eve, "-"+mode, "-q")
	}
	runs["fast"] = filepath.Join(base, "fast")
	mustNet(t, "label", "-read", pcap, "-out", runs["fast"], "-alerts", fast, "-q")
	want["fast"] = want["default"]
	for name, dir := range runs {
		// TCP and UDP rows: one per packet of the alerted flows, the rest normal.
		for typ, other := range map[string]int{"TCP": nTCP, "UDP": nUDP} {
			got := labelsOf(t, filepath.Join(dir, typ+"_labeled.csv"))
			n := 0
			for k, v := range got {
				if strings.HasPrefix(k, "normal / ") {
					continue
				}
				n += v
				if want[name][k] != v {
					t.Errorf("%s %s: %d rows %q, want %d", name, typ, v, k, want[name][k])
				}
			}
			if n != other {
				t.Errorf("%s %s: %d labelled rows, want %d", name, typ, n, other)
			}
		}
	}
	// fast.log and eve.json: the same labels on every file.
	files, _ := filepath.Glob(filepath.Join(def, "*_labeled.csv"))
	for _, f := range files {
		// (record order inside a file may differ between captures)
		_, a := labelledCSV(t, f)
		_, b := labelledCSV(t, filepath.Join(runs["fast"], filepath.Base(f)))
		if !slices.Equal(sortedRows(a), sortedRows(b)) {
			t.Errorf("%s differs between eve.json and fast.log alerts", filepath.Base(f))
		}
	}
}

// TestLabelCustom labels with a custom YAML window only (no Suricata):
// the ICMP echo exchange of mixed.pcap between its first and last echo
// request, by address; records outside the window stay normal.
func TestLabelCustom(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	rows := tsharkLines(t, pcap, "icmp.type == 8", "frame.time_epoch", "ip.src", "ip.dst")
	if len(rows) < 2 {
		t.Fatalf("want ICMP echo requests in %s, found %d", pcap, len(rows))
	}
	first, last := rows[0][0], rows[len(rows)-1][0]
	yaml := fmt.Sprintf(`attacks:
  - name: ping sweep
    category: discovery
    severity: 2
    start: "%s"
    end: "%s"
    attackers: [%s]
    victims: [%s/32]
`, first, last, rows[0][1], rows[0][2])
	lf := filepath.Join(t.TempDir(), "labels.yaml")
	os.WriteFile(lf, []byte(yaml), 0o644)
	dir := filepath.Join(t.TempDir(), "out")
	mustNet(t, "label", "-read", pcap, "-out", dir, "-custom", lf, "-epoch", "-q")
	// tshark: ICMP frames between the two addresses inside the window
	win := tsharkLines(t, pcap, fmt.Sprintf("icmp && ((ip.src == %s && ip.dst == %s) || (ip.src == %s && ip.dst == %s))",
		rows[0][1], rows[0][2], rows[0][2], rows[0][1]), "frame.time_epoch")
	var want []string
	for _, r := range win {
		f := epochNS(t, r[0])
		if f >= epochNS(t, first) && f <= epochNS(t, last) {
			want = append(want, f)
		}
	}
	slices.Sort(want)
	header, got := labelledCSV(t, filepath.Join(dir, "ICMPv4_labeled.csv"))
	li, ti := col(t, header, "label"), col(t, header, "Timestamp")
	var have []string
	for _, r := range got {
		if r[li] == "ping sweep" {
			have = append(have, r[ti])
			if r[li+1] != "discovery" || r[li+2] != "2" {
				t.Errorf("custom label columns %v", r[li:])
			}
		} else if r[li] != "normal" {
			t.Errorf("label %q", r[li])
		}
	}
	slices.Sort(have)
	if !slices.Equal(have, want) || len(want) == 0 {
		t.Errorf("ICMPv4 labelled %v, tshark's ICMP frames in the window %v", have, want)
	}
}

func sortedRows(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "\x00")
	}
	slices.Sort(out)
	return out
}
