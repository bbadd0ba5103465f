package maltego

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/bpf"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// Context is what a transform gets.
type Context struct {
	Args
	// Binary is the net executable (toAuditRecords runs its capture).
	Binary string
	// Env reads settings (the opener commands); os.Getenv by default.
	Env func(string) string
}

// Transform is one transform: its name (as Maltego calls it), the entity
// it takes, what it returns, and the function.
type Transform struct {
	Name        string
	Input       string // entity type ID
	Output      string
	Description string
	Run         func(*Context) (*Response, error)
}

// Transforms returns every transform, by name.
func Transforms() []Transform {
	ar := AuditRecordsEntity
	list := []Transform{
		{"toAuditRecords", PCAP, "netcap.*AuditRecords", "Decode the capture (net capture) into a folder next to it and list its record files", toAuditRecords},
		{"toDevices", ar(types.Type_NC_DeviceProfile), Device, "Devices (MAC address, vendor, addresses)", toDevices},
		{"toSourceIPs", ar(types.Type_NC_Connection), IPAddr, "Addresses that started connections", func(c *Context) (*Response, error) { return toIPs(c, true) }},
		{"toDestinationIPs", ar(types.Type_NC_Connection), IPAddr, "Addresses connections went to", func(c *Context) (*Response, error) { return toIPs(c, false) }},
		{"toServices", ar(types.Type_NC_Service), Service, "Servers seen answering", toServices},
		{"toHTTPHosts", ar(types.Type_NC_HTTP), HTTPHost, "HTTP Host headers", httpValues(HTTPHost, func(h *types.HTTP) []string { return []string{h.Host} })},
		{"toHTTPUserAgents", ar(types.Type_NC_HTTP), UserAgent, "HTTP User-Agents", httpValues(UserAgent, func(h *types.HTTP) []string { return []string{h.UserAgent} })},
		{"toHTTPStatusCodes", ar(types.Type_NC_HTTP), HTTPStatusCode, "HTTP response status codes", httpValues(HTTPStatusCode, func(h *types.HTTP) []string {
			if h.StatusCode == 0 {
				return nil
			}
			return []string{strconv.Itoa(int(h.StatusCode))}
		})},
		{"toHTTPParameters", ar(types.Type_NC_HTTP), HTTPParameter, "HTTP query and form parameter names", httpValues(HTTPParameter, func(h *types.HTTP) []string {
			return slices.Collect(mapKeys(h.Parameters))
		})},
		{"toHTTPCookies", ar(types.Type_NC_HTTP), HTTPCookie, "HTTP cookie names (requests and Set-Cookie)", httpValues(HTTPCookie, func(h *types.HTTP) []string {
			var out []string
			for _, c := range append(slices.Clone(h.ReqCookies), h.ResCookies...) {
				out = append(out, c.Name)
			}
			return out
		})},
		{"toDNSQuestions", ar(types.Type_NC_DNS), DNSName, "Names asked in DNS (queries and the questions responses repeat)", toDNSQuestions},
		{"toServerNameIndicators", ar(types.Type_NC_TLSClientHello), SNI, "TLS Server Name Indications", helloValues(SNI, func(h *types.TLSClientHello) (string, string) { return h.SNI, "" })},
		{"toJA3Hashes", ar(types.Type_NC_TLSClientHello), JA3, "JA3 client fingerprints", helloValues(JA3, func(h *types.TLSClientHello) (string, string) { return h.Ja3, h.Ja3String })},
		{"toJA4Hashes", ar(types.Type_NC_TLSClientHello), JA4, "JA4 client fingerprints", helloValues(JA4, func(h *types.TLSClientHello) (string, string) { return h.Ja4, h.Ja4R })},
		{"toSoftwareProducts", ar(types.Type_NC_Software), Software, "Software products and versions", toSoftware},
		{"toCredentialsByService", ar(types.Type_NC_Credentials), Credentials, "Credentials seen, by service", toCredentials},
		{"toLoginInformation", ar(types.Type_NC_Credentials), Login, "User names that logged in (of one service when the input names it)", toLogins},
		{"toFiles", ar(types.Type_NC_File), File, "Files carried by HTTP, SMTP, POP3", toFiles},
		{"toFileTypes", ar(types.Type_NC_File), ContentType, "Detected content types of the files", toFileTypes},
		{"toMails", ar(types.Type_NC_Mail), Mail, "Mail messages", toMails},
		{"toEmailsFromFile", File, Email, "Email addresses in an extracted file", toEmailsFromFile},
		{"toSSHClients", ar(types.Type_NC_SSH), SSHClient, "SSH clients (banner, HASSH)", func(c *Context) (*Response, error) { return toSSH(c, true) }},
		{"toSSHServers", ar(types.Type_NC_SSH), SSHServer, "SSH servers (banner, HASSH server)", func(c *Context) (*Response, error) { return toSSH(c, false) }},
		{"toGeolocation", ar(types.Type_NC_IPProfile), Location, "Locations of the profiled addresses (capture with -geodb)", toGeolocation},
		{"toApplications", ar(types.Type_NC_Connection), Application, "Application protocols detected in connections", toApplications},
		{"toConnections", ar(types.Type_NC_Connection), Connection, "Connections, with the capture they came from", toConnections},
		{"openFile", File, "", "Open the file with the desktop's opener ($NETCAP_MALTEGO_OPEN_FILE_CMD)", openFile},
		{"openFolder", ar(types.Type_NC_Connection), "", "Open the folder of the records or file ($NETCAP_MALTEGO_OPEN_FILE_CMD)", openFolder},
		{"openConnectionInWireshark", Connection, "", "Write the connection's packets to a pcap and open it in Wireshark ($NETCAP_MALTEGO_WIRESHARK_CMD)", openConnectionInWireshark},
	}
	return list
}

// Lookup finds a transform by name.
func Lookup(name string) (Transform, bool) {
	for _, t := range Transforms() {
		if t.Name == name {
			return t, true
		}
	}
	return Transform{}, false
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// inputPath is the entity's path property ("file://" stripped), else its value.
func (c *Context) inputPath() string {
	p := c.Props["path"]
	if p == "" {
		p = c.Value
	}
	return strings.TrimPrefix(p, "file://")
}

// recordFile finds the record file of type t the input points at: the
// file itself, a file of that type in the folder, or beside the file.
func (c *Context) recordFile(t types.Type) (string, error) {
	p := c.inputPath()
	if p == "" {
		return "", errors.New("the entity has no path property (a netcap record file or folder)")
	}
	st, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	dir := p
	if !st.IsDir() {
		if r, err := ncio.Open(p); err == nil {
			typ := r.Type()
			r.Close()
			if typ == t {
				return p, nil
			}
		}
		dir = filepath.Dir(p)
	}
	for _, ext := range []string{".ncap.gz", ".ncap.zst", ".ncap"} {
		if f := filepath.Join(dir, t.Name()+ext); fileExists(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("no %s records in %s (the capture had none, or they were not decoded)", t.Name(), dir)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// each calls fn for every record of the file.
func each[T proto.Message](path string, fn func(T)) error {
	r, err := ncio.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		m := r.NewRecord()
		err := r.Next(m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if v, ok := m.(T); ok {
			fn(v)
		}
	}
}

// counter counts values and emits one entity per value, most frequent
// first, with the count as link label.
type counter struct {
	n     map[string]int
	first map[string]func(*Entity)
}

func newCounter() *counter { return &counter{n: map[string]int{}, first: map[string]func(*Entity){}} }

func (c *counter) add(v string, decorate func(*Entity)) {
	if v == "" {
		return
	}
	if _, ok := c.n[v]; !ok && decorate != nil {
		c.first[v] = decorate
	}
	c.n[v]++
}

func (c *counter) emit(r *Response, typ, path string) {
	keys := make([]string, 0, len(c.n))
	for k := range c.n {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(c.n[b], c.n[a]), strings.Compare(a, b)) })
	for _, k := range keys {
		e := r.Add(typ, k)
		e.LinkLabel = strconv.Itoa(c.n[k])
		e.Prop("path", path)
		if d := c.first[k]; d != nil {
			d(e)
		}
	}
}

func typed[T proto.Message](c *Context, t types.Type, typ string, fn func(T, *counter)) (*Response, error) {
	path, err := c.recordFile(t)
	if err != nil {
		return nil, err
	}
	cnt := newCounter()
	if err := each(path, func(m T) { fn(m, cnt) }); err != nil {
		return nil, err
	}
	r := &Response{}
	cnt.emit(r, typ, path)
	return r, nil
}

func toAuditRecords(c *Context) (*Response, error) {
	pcap := c.inputPath()
	if !fileExists(pcap) {
		return nil, fmt.Errorf("capture %q not found", pcap)
	}
	out := strings.TrimSuffix(pcap, filepath.Ext(pcap)) + ".net"
	r := &Response{}
	if files, _ := filepath.Glob(filepath.Join(out, "*.ncap*")); len(files) == 0 || c.Props["force"] == "true" {
		cmd := exec.Command(c.Binary, "capture", "-read", pcap, "-out", out, "-quiet")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr // stdout carries the XML only
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("net capture %s: %v: %s", pcap, err, strings.TrimSpace(stderr.String()))
		}
		r.Inform("decoded %s into %s", pcap, out)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.ncap*"))
	slices.Sort(files)
	for _, f := range files {
		rd, err := ncio.Open(f)
		if err != nil {
			continue
		}
		n := 0
		for m := rd.NewRecord(); rd.Next(m) == nil; n++ {
		}
		t := rd.Type()
		rd.Close()
		e := r.Add(AuditRecordsEntity(t), t.Name())
		e.Prop("path", f).LinkLabel = strconv.Itoa(n)
		e.Display = fmt.Sprintf("<p>%d %s records</p><p>%s</p>", n, html.EscapeString(t.Name()), html.EscapeString(f))
	}
	return r, nil
}

func toDevices(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_DeviceProfile, Device, func(d *types.DeviceProfile, cnt *counter) {
		cnt.add(d.MacAddr, func(e *Entity) {
			e.Prop("vendor", d.DeviceManufacturer).Prop("ips", strings.Join(d.DeviceIPs, ", ")).Prop("hostnames", strings.Join(d.Hostnames, ", "))
			e.Display = fmt.Sprintf("<p>%s</p><p>%s</p>", html.EscapeString(d.DeviceManufacturer), html.EscapeString(strings.Join(d.DeviceIPs, ", ")))
		})
	})
}

func toIPs(c *Context, source bool) (*Response, error) {
	return typed(c, types.Type_NC_Connection, IPAddr, func(m *types.Connection, cnt *counter) {
		if source {
			cnt.add(m.SrcIP, func(e *Entity) { e.Prop("ipaddr", m.SrcIP) })
		} else {
			cnt.add(m.DstIP, func(e *Entity) { e.Prop("ipaddr", m.DstIP) })
		}
	})
}

func toServices(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_Service, Service, func(s *types.Service, cnt *counter) {
		cnt.add(s.IP+":"+strconv.Itoa(int(s.Port)), func(e *Entity) {
			e.Prop("name", s.Name).Prop("protocol", s.Protocol).Prop("product", s.Product).Prop("version", s.Version).Prop("ip", s.IP).Prop("port", strconv.Itoa(int(s.Port)))
			e.Display = fmt.Sprintf("<p>%s %s</p><p>%s %s</p>", html.EscapeString(s.Protocol), html.EscapeString(s.Name), html.EscapeString(s.Product), html.EscapeString(s.Version))
		})
	})
}

func httpValues(typ string, values func(*types.HTTP) []string) func(*Context) (*Response, error) {
	return func(c *Context) (*Response, error) {
		return typed(c, types.Type_NC_HTTP, typ, func(h *types.HTTP, cnt *counter) {
			for _, v := range values(h) {
				cnt.add(v, nil)
			}
		})
	}
}

func toDNSQuestions(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_DNS, DNSName, func(d *types.DNS, cnt *counter) {
		for _, q := range d.Questions {
			cnt.add(q.Name, nil)
		}
	})
}

func helloValues(typ string, value func(*types.TLSClientHello) (string, string)) func(*Context) (*Response, error) {
	return func(c *Context) (*Response, error) {
		return typed(c, types.Type_NC_TLSClientHello, typ, func(h *types.TLSClientHello, cnt *counter) {
			v, detail := value(h)
			cnt.add(v, func(e *Entity) {
				if detail != "" {
					e.Prop("string", detail)
				}
				if h.SNI != "" {
					e.Prop("sni", h.SNI)
				}
			})
		})
	}
}

func toSoftware(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_Software, Software, func(s *types.Software, cnt *counter) {
		name := strings.TrimSpace(s.Product + " " + s.Version)
		cnt.add(name, func(e *Entity) {
			e.Prop("vendor", s.Vendor).Prop("product", s.Product).Prop("version", s.Version).Prop("source", s.SourceName).Prop("service", s.Service)
		})
	})
}

func toCredentials(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_Credentials, Credentials, func(m *types.Credentials, cnt *counter) {
		cnt.add(m.User+":"+m.Password+" ("+m.Service+")", func(e *Entity) {
			e.Prop("service", m.Service).Prop("user", m.User).Prop("password", m.Password).Prop("flow", m.Flow)
		})
	})
}

func toLogins(c *Context) (*Response, error) {
	service := c.Props["service"]
	return typed(c, types.Type_NC_Credentials, Login, func(m *types.Credentials, cnt *counter) {
		if service != "" && !strings.EqualFold(service, m.Service) {
			return
		}
		cnt.add(m.User, func(e *Entity) { e.Prop("service", m.Service).Prop("password", m.Password) })
	})
}

func toFiles(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_File, File, func(f *types.File, cnt *counter) {
		name := f.Name
		if name == "" {
			name = "unnamed " + f.Hash
		}
		cnt.add(name+" ("+f.Hash+")", func(e *Entity) {
			e.Prop("name", f.Name).Prop("location", f.Location).Prop("md5", f.Hash).Prop("sha256", f.Sha256).
				Prop("contenttype", f.ContentTypeDetected).Prop("length", strconv.FormatInt(f.Length, 10)).Prop("host", f.Host)
		})
	})
}

func toFileTypes(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_File, ContentType, func(f *types.File, cnt *counter) {
		cnt.add(f.ContentTypeDetected, nil)
	})
}

func toMails(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_Mail, Mail, func(m *types.Mail, cnt *counter) {
		subject := m.Subject
		if subject == "" {
			subject = "(no subject) " + m.MessageID
		}
		cnt.add(subject, func(e *Entity) {
			e.Prop("from", m.From).Prop("to", m.To).Prop("date", m.Date).Prop("messageid", m.MessageID)
		})
	})
}

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// maxScan bounds how much of a file the content transforms read.
const maxScan = 64 << 20

func toEmailsFromFile(c *Context) (*Response, error) {
	p := strings.TrimPrefix(c.Props["location"], "file://")
	if p == "" {
		p = c.inputPath()
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("the file's content is needed (capture with -fileStorage DIR): %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxScan))
	if err != nil {
		return nil, err
	}
	cnt := newCounter()
	for _, m := range emailRE.FindAll(b, -1) {
		cnt.add(strings.ToLower(string(m)), nil)
	}
	r := &Response{}
	cnt.emit(r, Email, p)
	return r, nil
}

func toSSH(c *Context, client bool) (*Response, error) {
	typ := SSHServer
	if client {
		typ = SSHClient
	}
	return typed(c, types.Type_NC_SSH, typ, func(s *types.SSH, cnt *counter) {
		if s.IsClient != client {
			return
		}
		cnt.add(s.Ident, func(e *Entity) { e.Prop("hassh", s.HASSH).Prop("flow", s.Flow) })
	})
}

func toGeolocation(c *Context) (*Response, error) {
	r, err := typed(c, types.Type_NC_IPProfile, Location, func(p *types.IPProfile, cnt *counter) {
		loc := p.Geolocation
		if loc == "" {
			loc = p.CountryCode
		}
		cnt.add(loc, func(e *Entity) { e.Prop("country", p.CountryCode) })
	})
	if err == nil && len(r.Entities) == 0 {
		r.Inform("no geolocation in the profiles: capture with -geodb GeoLite2-City.mmdb")
	}
	return r, err
}

func toApplications(c *Context) (*Response, error) {
	return typed(c, types.Type_NC_Connection, Application, func(m *types.Connection, cnt *counter) {
		if m.ApplicationProto != "unknown" {
			cnt.add(m.ApplicationProto, nil)
		}
	})
}

func toConnections(c *Context) (*Response, error) {
	path, err := c.recordFile(types.Type_NC_Connection)
	if err != nil {
		return nil, err
	}
	rd, err := ncio.Open(path)
	if err != nil {
		return nil, err
	}
	pcap := rd.Header.InputSource
	rd.Close()
	return typed(c, types.Type_NC_Connection, Connection, func(m *types.Connection, cnt *counter) {
		v := fmt.Sprintf("%s %s -> %s", m.TransportProto, joinHostPort(m.SrcIP, m.SrcPort), joinHostPort(m.DstIP, m.DstPort))
		cnt.add(v, func(e *Entity) {
			e.Prop("proto", m.TransportProto).Prop("srcip", m.SrcIP).Prop("dstip", m.DstIP).Prop("srcport", m.SrcPort).Prop("dstport", m.DstPort).
				Prop("communityid", m.CommunityID).Prop("pcap", pcap).Prop("application", m.ApplicationProto)
		})
	})
}

func joinHostPort(ip, port string) string {
	if port == "" {
		return ip
	}
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + port
	}
	return ip + ":" + port
}

// opener is the command that opens files (xdg-open, open on macOS).
func (c *Context) opener(env, def string) string {
	getenv := c.Env
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv(env); v != "" {
		return v
	}
	if def != "" {
		return def
	}
	if runtime.GOOS == "darwin" {
		return "open"
	}
	return "xdg-open"
}

// launch starts a program without waiting and without touching stdout.
func launch(prog string, args ...string) error {
	fields := strings.Fields(prog)
	if len(fields) == 0 {
		return errors.New("no program to open with")
	}
	cmd := exec.Command(fields[0], append(fields[1:], args...)...)
	cmd.Stdout, cmd.Stderr, cmd.Stdin = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

func openFile(c *Context) (*Response, error) {
	p := strings.TrimPrefix(c.Props["location"], "file://")
	if p == "" {
		p = c.inputPath()
	}
	if !fileExists(p) {
		return nil, fmt.Errorf("file %q not found (files are kept with net capture -fileStorage DIR)", p)
	}
	if err := launch(c.opener("NETCAP_MALTEGO_OPEN_FILE_CMD", ""), p); err != nil {
		return nil, err
	}
	r := &Response{}
	r.Inform("opened %s", p)
	return r, nil
}

func openFolder(c *Context) (*Response, error) {
	p := strings.TrimPrefix(c.Props["location"], "file://")
	if p == "" {
		p = c.inputPath()
	}
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		p = filepath.Dir(p)
	} else if err != nil {
		return nil, err
	}
	if err := launch(c.opener("NETCAP_MALTEGO_OPEN_FILE_CMD", ""), p); err != nil {
		return nil, err
	}
	r := &Response{}
	r.Inform("opened %s", p)
	return r, nil
}

// ConnectionFilter is the pcap-filter expression of a connection entity.
func ConnectionFilter(props map[string]string) (string, error) {
	proto := strings.ToLower(props["proto"])
	src, dst := props["srcip"], props["dstip"]
	if src == "" || dst == "" {
		return "", errors.New("the connection has no srcip/dstip properties")
	}
	parts := []string{}
	switch proto {
	case "tcp", "udp", "sctp":
		parts = append(parts, proto)
	case "icmpv4":
		parts = append(parts, "icmp")
	case "icmpv6":
		parts = append(parts, "icmp6")
	}
	parts = append(parts, "host "+src, "host "+dst)
	if sp, dp := props["srcport"], props["dstport"]; sp != "" && dp != "" && (proto == "tcp" || proto == "udp" || proto == "sctp") {
		if _, err := strconv.Atoi(sp); err != nil {
			return "", fmt.Errorf("bad srcport %q", sp)
		}
		if _, err := strconv.Atoi(dp); err != nil {
			return "", fmt.Errorf("bad dstport %q", dp)
		}
		parts = append(parts, "port "+sp, "port "+dp)
	}
	return strings.Join(parts, " and "), nil
}

// WriteFilteredPcap copies the packets of in that match expr into out (pcap).
func WriteFilteredPcap(in, out, expr string) (int, error) {
	src, err := source.OpenFile(in)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var (
		w       *pcapgo.Writer
		filters = map[int]*bpf.Filter{}
		n       int
	)
	for {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		flt, ok := filters[int(ci.LinkType)]
		if !ok {
			if flt, err = bpf.NewFilter(expr, ci.LinkType, bpf.DefaultSnaplen); err != nil {
				return n, fmt.Errorf("filter %q: %w", expr, err)
			}
			filters[int(ci.LinkType)] = flt
		}
		if !flt.MatchLen(data, ci.Length) {
			continue
		}
		if w == nil {
			w = pcapgo.NewWriterNanos(f)
			if err := w.WriteFileHeader(uint32(bpf.DefaultSnaplen), ci.LinkType); err != nil {
				return n, err
			}
		}
		sec, nsec := ci.Timestamp/1e9, ci.Timestamp%1e9
		err = w.WritePacket(gopacket.CaptureInfo{Timestamp: unixTime(sec, nsec), CaptureLength: len(data), Length: max(ci.Length, len(data))}, data)
		if err != nil {
			return n, err
		}
		n++
	}
	return n, f.Close()
}

func openConnectionInWireshark(c *Context) (*Response, error) {
	expr, err := ConnectionFilter(c.Props)
	if err != nil {
		return nil, err
	}
	pcap := strings.TrimPrefix(c.Props["pcap"], "file://")
	if !fileExists(pcap) {
		return nil, fmt.Errorf("the capture of this connection (%q) is not there anymore", pcap)
	}
	out, err := os.CreateTemp("", "netcap-connection-*.pcap")
	if err != nil {
		return nil, err
	}
	out.Close()
	n, err := WriteFilteredPcap(pcap, out.Name(), expr)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("no packet of %s matches %q", pcap, expr)
	}
	if err := launch(c.opener("NETCAP_MALTEGO_WIRESHARK_CMD", "wireshark"), out.Name()); err != nil {
		return nil, err
	}
	r := &Response{}
	r.Inform("%d packets (%s) written to %s and opened", n, expr, out.Name())
	return r, nil
}

func unixTime(sec, nsec int64) time.Time { return time.Unix(sec, nsec) }
