package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netcap-go/netcap/types"
)

// testBackend is a real HTTP server with the behaviours the proxy must
// survive; it remembers the X-Forwarded-For each request arrived with.
func testBackend(t *testing.T) (*httptest.Server, *sync.Map) {
	t.Helper()
	xff := &sync.Map{}
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		xff.Store(r.URL.Query().Get("id"), r.Header.Get("X-Forwarded-For"))
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		if status == 0 {
			status = 200
		}
		w.Header().Set("Server", "netcap-test-backend/1.0")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s-" + r.URL.Query().Get("id"), Path: "/", HttpOnly: true})
		w.WriteHeader(status)
		if r.Method != http.MethodHead && status != http.StatusNoContent && status != http.StatusNotModified {
			fmt.Fprintf(w, "%s %s %d bytes: %s", r.Method, r.URL.Path, len(body), body)
		}
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select { // no answer until the proxy gives up (or the test ends)
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(700 * time.Millisecond)
		w.Write([]byte("slow but complete"))
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		c, _, _ := w.(http.Hijacker).Hijack()
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // RST
		}
		c.Close()
	})
	mux.HandleFunc("/lie", func(w http.ResponseWriter, r *http.Request) {
		c, bw, _ := w.(http.Hijacker).Hijack()
		bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\nonly ten b")
		bw.Flush()
		c.Close()
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 256<<10))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(release); srv.Close() })
	return srv, xff
}

type proxyCase struct {
	id      string
	method  string
	path    string // with query
	body    string
	ctype   string
	cookie  string
	headers int // extra header fields
	status  int // want, as the client and the record see it
	resLen  int // want ResContentLength (-1: do not check)
	backend bool
}

// TestProxyRecords sends requests of many methods, statuses and bodies,
// plus a hanging backend, a reset, a lying Content-Length, an oversized
// request, too many headers and a too large response, through a real net
// proxy process to a real backend: exactly one HTTP record per request,
// with the fields the client and the backend saw; a request in flight at
// SIGTERM completes and its record is written.
func TestProxyRecords(t *testing.T) {
	backend, xff := testBackend(t)
	bu, _ := url.Parse(backend.URL)
	_, backendPort, _ := net.SplitHostPort(bu.Host)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	out := t.TempDir()
	p := startNet(t, "proxy", "-local", addr, "-remote", backend.URL, "-out", out, "-payload", "-metrics", metricsAddr,
		"-responseTimeout", "1s", "-max-request", "64KB", "-max-response", "64KB", "-max-headers", "50")
	waitFor(t, p, "listening on "+addr)

	cases := []proxyCase{
		{id: "get", method: "GET", path: "/echo?id=get&a=1&b=two", cookie: "pref=dark; sid=abc", status: 200, resLen: 19, backend: true},
		{id: "post-form", method: "POST", path: "/echo?id=post-form&status=201", body: "user=alice&note=hi+there", ctype: "application/x-www-form-urlencoded", status: 201, resLen: -1, backend: true},
		{id: "put-json", method: "PUT", path: "/echo?id=put-json&status=204", body: `{"k":"v"}`, ctype: "application/json", status: 204, resLen: 0, backend: true},
		{id: "delete", method: "DELETE", path: "/echo?id=delete&status=404", status: 404, resLen: -1, backend: true},
		{id: "patch", method: "PATCH", path: "/echo?id=patch&status=500", body: "x", status: 500, resLen: -1, backend: true},
		{id: "head", method: "HEAD", path: "/echo?id=head", status: 200, resLen: 0, backend: true},
		{id: "options", method: "OPTIONS", path: "/echo?id=options&status=405", status: 405, resLen: -1, backend: true},
		{id: "custom", method: "PURGE", path: "/echo?id=custom", status: 200, resLen: -1, backend: true},
		{id: "hang", method: "GET", path: "/hang?id=hang", status: 504, resLen: -1, backend: true},
		{id: "reset", method: "GET", path: "/reset?id=reset", status: 502, resLen: -1, backend: true},
		{id: "lie", method: "GET", path: "/lie?id=lie", status: 200, resLen: 10, backend: true},
		{id: "big-request", method: "POST", path: "/echo?id=big-request", body: strings.Repeat("y", 100<<10), ctype: "text/plain", status: 413, resLen: -1},
		{id: "headers", method: "GET", path: "/echo?id=headers", headers: 60, status: 431, resLen: -1},
		{id: "big-response", method: "GET", path: "/big?id=big-response", status: 200, resLen: -1, backend: true},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	got := map[string]int{}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, "http://"+addr+c.path, strings.NewReader(c.body))
		if c.body == "" {
			req.Body = nil
		}
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		if c.cookie != "" {
			req.Header.Set("Cookie", c.cookie)
		}
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		for i := range c.headers {
			req.Header.Set(fmt.Sprintf("X-Extra-%d", i), "v")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		io.Copy(io.Discard, res.Body) // the lying and the cut response end early: that is the point
		res.Body.Close()
		got[c.id] = res.StatusCode
		if res.StatusCode != c.status {
			t.Errorf("%s: client got %d, want %d", c.id, res.StatusCode, c.status)
		}
	}
	// X-Forwarded-For: the client's list plus the proxy's peer
	if v, _ := xff.Load("get"); v != "203.0.113.7, 127.0.0.1" {
		t.Errorf("backend saw X-Forwarded-For %q", v)
	}

	// a request in flight when SIGTERM comes completes and is recorded
	slow := make(chan int, 1)
	go func() {
		res, err := client.Get("http://" + addr + "/slow?id=slow")
		if err != nil {
			slow <- -1
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		slow <- res.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	scrape := scrapeMetrics(t, metricsAddr)
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("proxy exit %d\n%s", code, p.stderr.String())
	}
	if s := <-slow; s != 200 {
		t.Errorf("request in flight at SIGTERM got %d", s)
	}

	recs := readHTTPRecords(t, filepath.Join(out, "HTTP.ncap.gz"))
	if len(recs) != len(cases)+1 {
		t.Errorf("%d records for %d requests", len(recs), len(cases)+1)
	}
	byID := map[string]*types.HTTP{}
	for _, r := range recs {
		u, _ := url.Parse(r.URL)
		id := u.Query().Get("id")
		if byID[id] != nil {
			t.Errorf("two records for %s", id)
		}
		byID[id] = r
	}
	for _, c := range append(cases, proxyCase{id: "slow", method: "GET", path: "/slow?id=slow", status: 200, resLen: 17, backend: true}) {
		r := byID[c.id]
		if r == nil {
			t.Errorf("%s: no record", c.id)
			continue
		}
		if r.Method != c.method || r.URL != c.path || int(r.StatusCode) != c.status || r.Proto != "HTTP/1.1" || r.Host != addr {
			t.Errorf("%s: record %s %s %d %s host %s", c.id, r.Method, r.URL, r.StatusCode, r.Proto, r.Host)
		}
		if r.SrcIP != "127.0.0.1" || r.SrcPort == 0 || r.Timestamp == 0 || r.DoneAfter <= 0 {
			t.Errorf("%s: client side %s:%d ts %d done %d", c.id, r.SrcIP, r.SrcPort, r.Timestamp, r.DoneAfter)
		}
		if c.backend != (strconv.Itoa(int(r.DstPort)) == backendPort) {
			t.Errorf("%s: DstPort %d (backend %s, contacted %v)", c.id, r.DstPort, backendPort, c.backend)
		}
		if c.resLen >= 0 && int(r.ResContentLength) != c.resLen {
			t.Errorf("%s: ResContentLength %d, want %d", c.id, r.ResContentLength, c.resLen)
		}
		if c.backend && c.status < 500 && (r.FirstByteAfter <= 0 || r.FirstByteAfter > r.DoneAfter) {
			t.Errorf("%s: first byte after %d, done after %d", c.id, r.FirstByteAfter, r.DoneAfter)
		}
		if c.body != "" && c.status != 413 && (int(r.ReqContentLength) != len(c.body) || string(r.RequestBody) != c.body || r.ContentType != c.ctype) {
			t.Errorf("%s: request body %d %q %q", c.id, r.ReqContentLength, r.RequestBody, r.ContentType)
		}
		if c.id != "slow" && r.RequestHeader["X-Forwarded-For"] != "203.0.113.7" {
			t.Errorf("%s: request header map %v", c.id, r.RequestHeader)
		}
	}
	if r := byID["get"]; r != nil {
		if r.Parameters["a"] != "1" || r.Parameters["b"] != "two" || len(r.ReqCookies) != 2 || r.ReqCookies[1].Name != "sid" || r.ReqCookies[1].Value != "abc" {
			t.Errorf("get: parameters %v cookies %v", r.Parameters, r.ReqCookies)
		}
		if r.ServerName != "netcap-test-backend/1.0" || r.ResContentType != "text/plain; charset=utf-8" || len(r.ResCookies) != 1 ||
			r.ResCookies[0].Value != "s-get" || !r.ResCookies[0].HttpOnly || string(r.ResponseBody) != "GET /echo 0 bytes: " {
			t.Errorf("get: response fields %q %q %v %q", r.ServerName, r.ResContentType, r.ResCookies, r.ResponseBody)
		}
	}
	if r := byID["post-form"]; r != nil && (r.Parameters["user"] != "alice" || r.Parameters["note"] != "hi there" || r.Parameters["status"] != "201") {
		t.Errorf("post-form parameters %v", r.Parameters)
	}
	if r := byID["big-response"]; r != nil && r.ResContentLength != 64000 { // -max-response 64KB (decimal)
		t.Errorf("big-response: %d bytes relayed, want the cut at 64,000", r.ResContentLength)
	}
	// metrics: the scrape (taken before the slow request ended) counts
	// every finished request by method and status class
	want := map[string]float64{}
	for _, c := range cases {
		m := c.method
		if m == "PURGE" {
			m = "OTHER"
		}
		want[m+" "+strconv.Itoa(c.status/100)+"xx"]++
	}
	for k, v := range want {
		if scrape[k] != v {
			t.Errorf("metrics %s = %v, want %v (scrape %v)", k, scrape[k], v, scrape)
		}
	}
}

func waitFor(t *testing.T, p *proc, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stderr.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q:\n%s", s, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readHTTPRecords(t *testing.T, path string) []*types.HTTP {
	t.Helper()
	return readRecordsOf(t, path, func() *types.HTTP { return &types.HTTP{} })
}

// scrapeMetrics parses /metrics with Prometheus' text parser and returns
// netcap_proxy_requests_total by "METHOD class".
func scrapeMetrics(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	families := scrapeFamilies(t, addr)
	out := map[string]float64{}
	f := families["netcap_proxy_requests_total"]
	if f == nil {
		t.Fatal("no netcap_proxy_requests_total in the scrape")
	}
	for _, m := range f.GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		out[l["method"]+" "+l["status"]] += m.GetCounter().GetValue()
	}
	if families["go_goroutines"] == nil || families["netcap_proxy_request_duration_seconds"] == nil {
		t.Error("runtime or duration metrics missing")
	}
	return out
}

// TestProxyConfigTLS: two proxies from a -proxy-config file, one serving
// HTTPS locally (certificate from net collect -gen-keys) in front of a
// TLS backend it may not verify (skipTlsVerify), one plain in front of a
// TLS backend it must verify (and cannot: 502). Each writes its own
// records.
func TestProxyConfigTLS(t *testing.T) {
	backend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("tls backend " + r.URL.Path))
	}))
	defer backend.Close()
	base := t.TempDir()
	keys := filepath.Join(base, "keys")
	mustNet(t, "collect", "-gen-keys", keys)
	secure, plain := freeAddr(t), freeAddr(t)
	conf := fmt.Sprintf(`proxies:
  secure:
    local: %s
    remote: %s
    tls: true
    skipTlsVerify: true
  strict:
    local: %s
    remote: %s
certFile: %s
keyFile: %s
`, secure, backend.URL, plain, backend.URL, filepath.Join(keys, "server.pem"), filepath.Join(keys, "server-key.pem"))
	cf := filepath.Join(base, "net.proxy-config.yml")
	os.WriteFile(cf, []byte(conf), 0o644)
	out := filepath.Join(base, "out")
	p := startNet(t, "proxy", "-proxy-config", cf, "-out", out)
	waitFor(t, p, "strict listening on")
	waitFor(t, p, "secure listening on")

	ca, _ := os.ReadFile(filepath.Join(keys, "ca.pem"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	tlsClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := tlsClient.Get("https://" + secure + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "tls backend /hello" {
		t.Errorf("secure proxy: %d %q", res.StatusCode, body)
	}
	res, err = http.Get("http://" + plain + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway {
		t.Errorf("strict proxy to an unverifiable backend: %d, want 502", res.StatusCode)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
	for name, want := range map[string]int32{"secure": 200, "strict": 502} {
		recs := readHTTPRecords(t, filepath.Join(out, name, "HTTP.ncap.gz"))
		if len(recs) != 1 || recs[0].StatusCode != want || recs[0].URL != "/hello" {
			t.Errorf("%s: records %v", name, recs)
		}
		if name == "secure" && (recs[0].TLSDoneAfter <= 0 || recs[0].TLSDoneAfter > recs[0].FirstByteAfter) {
			t.Errorf("secure: TLS done after %d, first byte after %d", recs[0].TLSDoneAfter, recs[0].FirstByteAfter)
		}
	}
}

// TestProxyHeaderNotUTF8: a client and a backend that send the byte 0xe9
// (Latin-1 é) in header values, the URL and the query, through a real net
// proxy process. The record used to fail to marshal: it was dropped, yet
// counted, and the proxy exited with an error. Now it is written, with
// \xe9 where the byte was, and the proxy exits 0.
func TestProxyHeaderNotUTF8(t *testing.T) {
	backend := rawBackend(t, "HTTP/1.1 200 OK\r\nServer: caf\xe9/1.0\r\nX-Name: caf\xe9\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	addr, out := freeAddr(t), t.TempDir()
	p := startNet(t, "proxy", "-local", addr, "-remote", "http://"+backend, "-out", out)
	waitFor(t, p, "listening on "+addr)
	res := rawExchange(t, addr, "GET /latin1?q=caf%E9&r=\xe9 HTTP/1.1\r\nHost: x\r\nUser-Agent: caf\xe9\r\nX-Latin1: caf\xe9\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(res, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(res, "\r\n\r\nok") {
		t.Fatalf("client got %q", res)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("proxy exit %d: %s", code, p.stderr.String())
	}
	recs := readHTTPRecords(t, filepath.Join(out, "HTTP.ncap.gz"))
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	for _, c := range []struct{ field, got, want string }{
		{"URL", r.URL, `/latin1?q=caf%E9&r=\xe9`},
		{"UserAgent", r.UserAgent, `caf\xe9`},
		{"RequestHeader X-Latin1", r.RequestHeader["X-Latin1"], `caf\xe9`},
		{"Parameters q", r.Parameters["q"], `caf\xe9`},
		{"ServerName", r.ServerName, `caf\xe9/1.0`},
		{"ResponseHeader X-Name", r.ResponseHeader["X-Name"], `caf\xe9`},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.field, c.got, c.want)
		}
	}
}

// rawBackend answers every connection with response, byte for byte, and
// returns its address.
func rawBackend(t *testing.T, response string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				readHead(c)
				c.Write([]byte(response))
			}()
		}
	}()
	return l.Addr().String()
}

// rawExchange sends request, byte for byte, and returns the whole response
// (the request asks the server to close).
func rawExchange(t *testing.T, addr, request string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	return string(b)
}

// readHead reads a request head (through the empty line).
func readHead(c net.Conn) {
	var head []byte
	buf := make([]byte, 1024)
	for !bytes.Contains(head, []byte("\r\n\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		head = append(head, buf[:n]...)
	}
}
