package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/maltego"
)

// maltegoAnswer is the structure a Maltego response must have.
type maltegoAnswer struct {
	XMLName  xml.Name `xml:"MaltegoMessage"`
	Response *struct {
		Entities []struct {
			Type   string `xml:"Type,attr"`
			Value  string `xml:"Value"`
			Weight int    `xml:"Weight"`
			Fields []struct {
				Name  string `xml:"Name,attr"`
				Value string `xml:",chardata"`
			} `xml:"AdditionalFields>Field"`
		} `xml:"Entities>Entity"`
		Messages []struct {
			Type string `xml:"MessageType,attr"`
			Text string `xml:",chardata"`
		} `xml:"UIMessages>UIMessage"`
	} `xml:"MaltegoTransformResponseMessage"`
	Exception *struct {
		Exceptions []string `xml:"Exceptions>Exception"`
	} `xml:"MaltegoTransformExceptionMessage"`
}

func (a *maltegoAnswer) field(i int, name string) string {
	for _, f := range a.Response.Entities[i].Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// runTransform runs net transform as Maltego does and checks that stdout
// holds nothing but one well-formed Maltego message.
func runTransformCmd(t *testing.T, env []string, args ...string) *maltegoAnswer {
	t.Helper()
	r := netCmdEnv(t, env, append([]string{"transform"}, args...)...)
	if r.code != 0 {
		t.Fatalf("net transform %v: exit %d (Maltego wants 0 and an exception message)\n%s", args, r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "<MaltegoMessage>") {
		t.Fatalf("stdout does not start with the message: %.80q", r.stdout)
	}
	var a maltegoAnswer
	dec := xml.NewDecoder(strings.NewReader(r.stdout))
	dec.Strict = true
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("net transform %v: XML: %v\n%s", args, err, r.stdout)
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if cd, ok := tok.(xml.CharData); err != nil || !ok || strings.TrimSpace(string(cd)) != "" {
			t.Fatalf("net transform %v: something after the message on stdout", args)
		}
	}
	if (a.Response == nil) == (a.Exception == nil) {
		t.Fatalf("net transform %v: neither a response nor an exception", args)
	}
	if a.Response != nil {
		known := map[string]bool{}
		for _, e := range maltego.Entities() {
			known[e.ID] = true
		}
		for _, e := range a.Response.Entities {
			if !known[e.Type] || e.Value == "" || e.Weight <= 0 {
				t.Errorf("net transform %v: entity %q %q (weight %d) is not a valid netcap entity", args, e.Type, e.Value, e.Weight)
			}
		}
	}
	return &a
}

func values(a *maltegoAnswer, typ string) []string {
	var out []string
	for _, e := range a.Response.Entities {
		if e.Type == typ {
			out = append(out, e.Value)
		}
	}
	slices.Sort(out)
	return out
}

func tsharkSet(t *testing.T, pcap, filter, field string) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range tsharkLines(t, pcap, filter, field) {
		for v := range strings.SplitSeq(r[0], ",") {
			if v != "" {
				seen[v] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// TestTransforms runs the transforms on a decoded capture, as Maltego
// would, and compares the entities with tshark where tshark sees the same
// thing (DNS names, HTTP hosts, user agents, status codes, parameters,
// SNIs, JA3, SSH banners) and with the records otherwise.
func TestTransforms(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "mixed.pcap")
	data, err := os.ReadFile(testutil.Testdata(t, "mixed.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pcap, data, 0o644)

	// toAuditRecords decodes the capture next to it and lists the files
	a := runTransformCmd(t, nil, "toAuditRecords", pcap, "path=file://"+pcap)
	out := filepath.Join(dir, "mixed.net")
	files, _ := filepath.Glob(filepath.Join(out, "*.ncap.gz"))
	if len(a.Response.Entities) != len(files) || len(files) < 10 {
		t.Fatalf("toAuditRecords: %d entities, %d files", len(a.Response.Entities), len(files))
	}
	for i, e := range a.Response.Entities {
		path := a.field(i, "path")
		n := countRecords(t, path)
		r, err := ncio.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		if e.Type != maltego.AuditRecordsEntity(r.Type()) || a.field(i, maltego.LinkLabelField) != strconv.Itoa(n) {
			t.Errorf("toAuditRecords: %s %s label %s, file has %d %s records", e.Type, e.Value, a.field(i, maltego.LinkLabelField), n, r.Type().Name())
		}
	}
	src := testutil.Testdata(t, "mixed.pcap")
	folder := "path=" + out
	for _, c := range []struct {
		transform, entity, filter, field string
	}{
		{"toDNSQuestions", maltego.DNSName, "dns", "dns.qry.name"},
		{"toHTTPHosts", maltego.HTTPHost, "http.request", "http.host"},
		{"toHTTPUserAgents", maltego.UserAgent, "http.request", "http.user_agent"},
		{"toHTTPStatusCodes", maltego.HTTPStatusCode, "http.response", "http.response.code"},
		{"toServerNameIndicators", maltego.SNI, "tls.handshake.type == 1", "tls.handshake.extensions_server_name"},
		{"toJA3Hashes", maltego.JA3, "tls.handshake.type == 1", "tls.handshake.ja3"},
		{"toSSHClients", maltego.SSHClient, "ssh.protocol && tcp.dstport == 22", "ssh.protocol"},
		{"toSSHServers", maltego.SSHServer, "ssh.protocol && tcp.srcport == 22", "ssh.protocol"},
	} {
		a := runTransformCmd(t, nil, c.transform, "x", folder)
		want := tsharkSet(t, src, c.filter, c.field)
		if got := values(a, c.entity); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: %v, tshark %v", c.transform, got, want)
		}
	}
	// parameters: query parameter names and form keys
	var params []string
	for _, p := range tsharkSet(t, src, "http.request", "http.request.uri.query.parameter") {
		params = append(params, strings.SplitN(p, "=", 2)[0])
	}
	params = append(params, tsharkSet(t, src, "urlencoded-form", "urlencoded-form.key")...)
	slices.Sort(params)
	params = slices.Compact(params)
	if got := values(runTransformCmd(t, nil, "toHTTPParameters", "x", folder), maltego.HTTPParameter); !slices.Equal(got, params) {
		t.Errorf("toHTTPParameters: %v, tshark %v", got, params)
	}

	// record-based transforms: one entity per distinct value of the records
	for _, c := range []struct{ transform, entity string }{
		{"toSourceIPs", maltego.IPAddr}, {"toDestinationIPs", maltego.IPAddr}, {"toServices", maltego.Service},
		{"toDevices", maltego.Device}, {"toSoftwareProducts", maltego.Software}, {"toCredentialsByService", maltego.Credentials},
		{"toLoginInformation", maltego.Login}, {"toFiles", maltego.File}, {"toFileTypes", maltego.ContentType},
		{"toMails", maltego.Mail}, {"toApplications", maltego.Application}, {"toConnections", maltego.Connection},
		{"toJA4Hashes", maltego.JA4}, {"toHTTPCookies", maltego.HTTPCookie},
	} {
		a := runTransformCmd(t, nil, c.transform, "x", folder)
		if len(values(a, c.entity)) == 0 {
			t.Errorf("%s: no %s entity", c.transform, c.entity)
		}
	}
	if got := values(runTransformCmd(t, nil, "toCredentialsByService", "x", folder), maltego.Credentials); len(got) != 1 || !strings.Contains(got[0], "(HTTP") {
		t.Errorf("credentials: %v", got)
	}
	conns := runTransformCmd(t, nil, "toConnections", "x", folder)
	nConn := countRecords(t, filepath.Join(out, "Connection.ncap.gz"))
	if len(conns.Response.Entities) != nConn {
		t.Errorf("toConnections: %d entities, %d Connection records", len(conns.Response.Entities), nConn)
	}
	// geolocation without a GeoIP database: no entity, a message
	if g := runTransformCmd(t, nil, "toGeolocation", "x", folder); len(g.Response.Entities) != 0 || len(g.Response.Messages) == 0 {
		t.Errorf("toGeolocation without -geodb: %+v", g.Response)
	}

	// openConnectionInWireshark: the HTTP connection on port 80 with the
	// largest transfer; the pcap handed to "wireshark" holds exactly the
	// packets tshark finds for that TCP stream
	opened := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "opener.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncp \"$1\" "+opened+".pcap 2>/dev/null || echo \"$1\" > "+opened+".txt\necho \"$1\" >> "+opened+".args\n"), 0o755)
	env := []string{"NETCAP_MALTEGO_WIRESHARK_CMD=" + script, "NETCAP_MALTEGO_OPEN_FILE_CMD=" + script}
	var props string
	for i, e := range conns.Response.Entities {
		if strings.HasPrefix(e.Value, "TCP ") && conns.field(i, "dstport") == "80" {
			props = "proto=TCP#srcip=" + conns.field(i, "srcip") + "#dstip=" + conns.field(i, "dstip") + "#srcport=" + conns.field(i, "srcport") +
				"#dstport=" + conns.field(i, "dstport") + "#pcap=" + conns.field(i, "pcap")
			break
		}
	}
	if props == "" {
		t.Fatal("no HTTP connection entity")
	}
	w := runTransformCmd(t, env, "openConnectionInWireshark", "conn", props)
	if w.Response == nil || len(w.Response.Messages) == 0 {
		t.Fatalf("openConnectionInWireshark: %+v", w)
	}
	waitFile(t, opened+".pcap")
	pp := maltego.ParseArgs([]string{"", props}).Props
	filter := "tcp.port==" + pp["srcport"] + " && tcp.port==80"
	if got, want := len(tsharkLines(t, opened+".pcap", "", "frame.number")), len(tsharkLines(t, pcap, filter, "frame.number")); got != want || want == 0 {
		t.Errorf("connection pcap has %d packets, tshark finds %d for %s", got, want, filter)
	}
	os.Remove(opened + ".args")
	runTransformCmd(t, env, "openFolder", "x", folder)
	waitFile(t, opened+".args")
	if b, _ := os.ReadFile(opened + ".args"); strings.TrimSpace(string(b)) != out {
		t.Errorf("openFolder opened %q, want %s", b, out)
	}

	// errors are exception messages, exit status 0, nothing else on stdout
	for _, args := range [][]string{{"noSuchTransform", "x"}, {"toDNSQuestions", "x", "path=/nonexistent"}, {"toDNSQuestions", "x"}, {"openFile", "x", "location=/nonexistent"}} {
		if a := runTransformCmd(t, nil, args...); a.Exception == nil || len(a.Exception.Exceptions) == 0 {
			t.Errorf("%v: no exception", args)
		}
	}
}

func countRecords(t *testing.T, path string) int {
	t.Helper()
	r, err := ncio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for m := r.NewRecord(); r.Next(m) == nil; n++ {
	}
	return n
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			time.Sleep(50 * time.Millisecond) // the opener may still be writing
			return
		}
	}
	t.Fatalf("%s was not written by the opener", path)
}

// TestTransformArgs: Maltego's property string with escaped separators.
func TestTransformArgs(t *testing.T) {
	a := maltego.ParseArgs([]string{"-1", `path=file:///x\#y#note=a\=b#empty=#ipaddr=10.0.0.1`})
	if a.Value != "-1" || a.Props["path"] != "file:///x#y" || a.Props["note"] != "a=b" || a.Props["ipaddr"] != "10.0.0.1" || a.Props["empty"] != "" {
		t.Errorf("%+v", a)
	}
}

// TestGenerateConfig: the .mtz is a zip whose every entry is well-formed
// XML, with an entity file per netcap entity and a transform definition
// and settings per transform running the given binary.
func TestGenerateConfig(t *testing.T) {
	out := filepath.Join(t.TempDir(), "netcap.mtz")
	mustNet(t, "transform", "-generate-config", out, "-binary", "/opt/netcap/net", "-workdir", "/tmp")
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(b))
		dec.Strict = true
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		if strings.HasSuffix(f.Name, ".transformsettings") && (!bytes.Contains(b, []byte(">/opt/netcap/net<")) || !bytes.Contains(b, []byte(">transform to")) && !bytes.Contains(b, []byte(">transform open"))) {
			t.Errorf("%s does not run the binary's transform:\n%s", f.Name, b)
		}
	}
	for _, e := range maltego.Entities() {
		if !names["Entities/"+e.ID+".entity"] {
			t.Errorf("no entity file for %s", e.ID)
		}
	}
	for _, tr := range maltego.Transforms() {
		for _, ext := range []string{".transform", ".transformsettings"} {
			if !names["TransformRepositories/Local/"+maltego.TransformID(tr.Name)+ext] {
				t.Errorf("no %s for %s", ext, tr.Name)
			}
		}
	}
	for _, n := range []string{"EntityCategories/netcap.category", "TransformSets/Netcap.set", "Servers/Local.tas"} {
		if !names[n] {
			t.Errorf("no %s", n)
		}
	}
}
