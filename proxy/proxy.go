// Package proxy is an HTTP reverse proxy that writes an HTTP audit record
// for every request it relays: the same record as from captures, built
// from what net/http parsed, with timings from the proxy's own clock
// (DNS, TLS, time to first byte, total).
package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/netcap-go/netcap/decoder/content"
	"github.com/netcap-go/netcap/types"
)

// Config is one proxy.
type Config struct {
	Name   string // for metrics and logs
	Local  string // address to listen on, e.g. :8080
	Remote string // backend URL, e.g. http://backend:80

	// Local TLS: serve HTTPS with this certificate.
	CertFile, KeyFile string

	// Backend connection.
	DialTimeout           time.Duration // default 30 s
	TLSTimeout            time.Duration // TLS handshake, default 15 s
	IdleConnTimeout       time.Duration // default 90 s
	ResponseHeaderTimeout time.Duration // a backend that accepts but does not answer: 504 (default 60 s)
	Timeout               time.Duration // whole exchange incl. body (default 5 min; 0 keeps it)
	MaxIdle               int           // idle backend connections (default 100)
	SkipTLSVerify         bool

	// Limits (hardening). A request over MaxRequestBytes gets 413, one
	// with more than MaxHeaders header fields 431; a response body over
	// MaxResponseBytes is cut (the client sees the connection end).
	MaxRequestBytes  int64 // default 64 MiB
	MaxResponseBytes int64 // default 1 GiB
	MaxHeaders       int   // default 200
	MaxHeaderBytes   int   // request header bytes, default 1 MiB

	// Records.
	Payloads     bool  // keep request and response bodies in the record
	MaxBodyBytes int64 // of each body kept (default 1 MiB)
}

func (c *Config) defaults() error {
	if c.Local == "" || c.Remote == "" {
		return errors.New("a proxy needs a local address and a remote URL")
	}
	u, err := url.Parse(c.Remote)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("remote %q: want http://host[:port] or https://…", c.Remote)
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&c.DialTimeout, 30*time.Second)
	set(&c.TLSTimeout, 15*time.Second)
	set(&c.IdleConnTimeout, 90*time.Second)
	set(&c.ResponseHeaderTimeout, 60*time.Second)
	set(&c.Timeout, 5*time.Minute)
	if c.MaxIdle <= 0 {
		c.MaxIdle = 100
	}
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = 64 << 20
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 1 << 30
	}
	if c.MaxHeaders <= 0 {
		c.MaxHeaders = 200
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = 1 << 20
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.Name == "" {
		c.Name = u.Host
	}
	return nil
}

// Emit receives the records; it must be safe for concurrent use.
type Emit func(*types.HTTP)

// Proxy relays requests to one backend.
type Proxy struct {
	cfg     Config
	remote  *url.URL
	rp      *httputil.ReverseProxy
	tr      *http.Transport
	emit    Emit
	log     *zap.Logger
	metrics *Metrics
}

// New builds a proxy; m may be nil (no metrics).
func New(cfg Config, emit Emit, m *Metrics, log *zap.Logger) (*Proxy, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	remote, _ := url.Parse(cfg.Remote)
	p := &Proxy{cfg: cfg, remote: remote, emit: emit, log: log, metrics: m}
	dialer := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	p.tr = &http.Transport{
		Proxy:                 nil, // the backend is reached directly
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.TLSTimeout,
		IdleConnTimeout:       cfg.IdleConnTimeout,
		ResponseHeaderTimeout: cfg.ResponseHeaderTimeout,
		MaxIdleConns:          cfg.MaxIdle,
		MaxIdleConnsPerHost:   cfg.MaxIdle,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: cfg.SkipTLSVerify}, //nolint:gosec // -skipTlsVerify asks for it
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(remote)
			// Append the client to the X-Forwarded-For it came with (RFC
			// 7239's predecessor as every proxy does), set -Host and -Proto.
			r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
			r.SetXForwarded()
			r.Out.Host = r.In.Host // the backend sees the name the client asked for
		},
		Transport:      p.tr,
		FlushInterval:  -1, // stream responses (server-sent events, long polls)
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
		ErrorLog:       zap.NewStdLog(log),
	}
	return p, nil
}

// exchange is what one request's record is built from.
type exchange struct {
	start     time.Time
	req       *http.Request
	reqBody   *capture
	resBody   *capture
	res       *http.Response
	status    int
	dnsDone   time.Duration
	tlsDone   time.Duration
	firstByte time.Duration
	backend   net.Addr
	mu        sync.Mutex
}

type ctxKey struct{}

// ServeHTTP relays one request and writes its record.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{start: time.Now(), req: r}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		rec := recover()
		p.record(x, sw)
		if rec != nil {
			panic(rec) // http.ErrAbortHandler: net/http ends the connection quietly
		}
	}()
	if n := headerCount(r.Header); n > p.cfg.MaxHeaders {
		x.status = http.StatusRequestHeaderFieldsTooLarge
		http.Error(sw, fmt.Sprintf("%d header fields, at most %d", n, p.cfg.MaxHeaders), x.status)
		return
	}
	if r.ContentLength > p.cfg.MaxRequestBytes {
		x.status = http.StatusRequestEntityTooLarge
		http.Error(sw, "request body too large", x.status)
		return
	}
	x.reqBody = newCapture(r.Body, p.cfg.MaxRequestBytes, p.keep())
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = x.reqBody
	}
	ctx := context.WithValue(r.Context(), ctxKey{}, x)
	if p.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.cfg.Timeout)
		defer cancel()
	}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSDone: func(httptrace.DNSDoneInfo) { x.set(&x.dnsDone) },
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			x.set(&x.tlsDone)
		},
		GotConn: func(ci httptrace.GotConnInfo) {
			x.mu.Lock()
			x.backend = ci.Conn.RemoteAddr()
			x.mu.Unlock()
		},
		GotFirstResponseByte: func() { x.set(&x.firstByte) },
	})
	p.rp.ServeHTTP(sw, r.WithContext(ctx))
}

func (x *exchange) set(d *time.Duration) {
	x.mu.Lock()
	*d = time.Since(x.start)
	x.mu.Unlock()
}

func (p *Proxy) keep() int64 {
	if p.cfg.Payloads {
		return p.cfg.MaxBodyBytes
	}
	return content.SniffBytes
}

func headerCount(h http.Header) int {
	n := 0
	for _, v := range h {
		n += len(v)
	}
	return n
}

func (p *Proxy) modifyResponse(res *http.Response) error {
	x, _ := res.Request.Context().Value(ctxKey{}).(*exchange)
	if x == nil {
		return nil
	}
	x.mu.Lock()
	x.res = res
	x.mu.Unlock()
	x.resBody = newCapture(res.Body, p.cfg.MaxResponseBytes, p.keep())
	res.Body = x.resBody
	return nil
}

// errorHandler answers when the backend could not: 504 for timeouts, 502
// otherwise (refused, reset, malformed response), 413 for a request body
// past the limit.
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	x, _ := r.Context().Value(ctxKey{}).(*exchange)
	status := http.StatusBadGateway
	var ne net.Error
	switch {
	case errors.Is(err, errTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		status = http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		status = 499 // the client went away (nginx's code)
	}
	p.log.Warn("backend", zap.String("proxy", p.cfg.Name), zap.String("url", r.URL.String()), zap.Int("status", status), zap.Error(err))
	if x != nil {
		x.mu.Lock()
		x.status = status
		x.mu.Unlock()
	}
	if status != 499 {
		http.Error(w, http.StatusText(status), status)
	}
}

// record builds and emits the exchange's HTTP record. What the client and
// the backend sent is escaped (types.WireString): a header byte that is
// not UTF-8 must not keep the record from being written.
func (p *Proxy) record(x *exchange, sw *statusWriter) {
	end := time.Since(x.start)
	r := x.req
	x.mu.Lock()
	defer x.mu.Unlock()
	rec := &types.HTTP{
		Timestamp: x.start.UnixNano(),
		Proto:     types.WireString(r.Proto), Method: types.WireString(r.Method),
		Host: types.WireString(r.Host), URL: types.WireString(r.RequestURI),
		UserAgent: types.WireString(r.UserAgent()), Referer: types.WireString(r.Referer()),
		ContentType:        types.WireString(r.Header.Get("Content-Type")),
		ReqContentEncoding: types.WireString(r.Header.Get("Content-Encoding")),
		RequestHeader:      headerMap(r.Header),
		DoneAfter:          int64(end),
		DNSDoneAfter:       int64(x.dnsDone),
		TLSDoneAfter:       int64(x.tlsDone),
		FirstByteAfter:     int64(x.firstByte),
	}
	if ip, port, ok := splitAddr(r.RemoteAddr); ok {
		rec.SrcIP, rec.SrcPort = ip, port
	}
	if x.backend != nil {
		if ip, port, ok := splitAddr(x.backend.String()); ok {
			rec.DstIP, rec.DstPort = ip, port
		}
	}
	for _, c := range r.Cookies() {
		rec.ReqCookies = append(rec.ReqCookies, &types.HTTPCookie{Name: types.WireString(c.Name), Value: types.WireString(c.Value)})
	}
	var (
		reqBody []byte
		reqCut  bool
	)
	if x.reqBody != nil {
		var n int64
		n, reqBody, reqCut = x.reqBody.snapshot()
		rec.ReqContentLength = clamp(n)
	} else if r.ContentLength > 0 {
		rec.ReqContentLength = clamp(r.ContentLength)
	}
	rec.Parameters = parameters(r.URL.RawQuery, r.Header.Get("Content-Type"), reqBody, reqCut)
	rec.ContentTypeDetected = content.DetectType(reqBody)
	if p.cfg.Payloads && len(reqBody) > 0 {
		rec.RequestBody = reqBody
	}
	switch {
	case x.status != 0:
		rec.StatusCode = int32(x.status)
	case sw.status != 0:
		rec.StatusCode = int32(sw.status)
	case x.res != nil:
		rec.StatusCode = int32(x.res.StatusCode)
	}
	if res := x.res; res != nil {
		rec.ResContentEncoding = types.WireString(res.Header.Get("Content-Encoding"))
		rec.ServerName = types.WireString(res.Header.Get("Server"))
		rec.ResContentType = types.WireString(res.Header.Get("Content-Type"))
		rec.ResponseHeader = headerMap(res.Header)
		for _, c := range res.Cookies() {
			hc := &types.HTTPCookie{Name: types.WireString(c.Name), Value: types.WireString(c.Value),
				Path: types.WireString(c.Path), Domain: types.WireString(c.Domain), MaxAge: int32(c.MaxAge),
				Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: int32(c.SameSite)}
			if !c.Expires.IsZero() && c.Expires.Unix() > 0 {
				hc.Expires = uint64(c.Expires.Unix())
			}
			rec.ResCookies = append(rec.ResCookies, hc)
		}
	}
	if x.resBody != nil {
		n, body, _ := x.resBody.snapshot()
		rec.ResContentLength = clamp(n)
		rec.ResContentTypeDetected = content.DetectType(body)
		if p.cfg.Payloads && len(body) > 0 {
			rec.ResponseBody = body
		}
	} else {
		rec.ResContentLength = clamp(sw.n) // an error page of ours
	}
	p.emit(rec)
	p.metrics.observe(p.cfg.Name, rec, sw.n, end)
}

func clamp(n int64) int32 { return int32(min(n, 1<<31-1)) }

func splitAddr(s string) (string, int32, bool) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, false
	}
	n, _ := strconv.Atoi(port)
	return host, int32(n), true
}

// headerMap joins a field's values with ", " (as the capture path does),
// escaped.
func headerMap(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	return joinEscaped(h)
}

// joinEscaped makes a record map of names and their values: joined with
// ", ", escaped (types.WireString).
func joinEscaped(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[types.WireString(k)] = types.WireString(strings.Join(v, ", "))
	}
	return out
}

// parameters are the query's and, for form bodies, the form's fields,
// values of a repeated name joined with ", " (as the capture path does),
// escaped.
func parameters(rawQuery, contentType string, body []byte, cut bool) map[string]string {
	vals := map[string][]string{}
	add := func(q string) {
		v, _ := url.ParseQuery(q)
		for k, vs := range v {
			vals[k] = append(vals[k], vs...)
		}
	}
	add(rawQuery)
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" && !cut {
		add(string(body))
	}
	if len(vals) == 0 {
		return nil
	}
	return joinEscaped(vals)
}

// statusWriter remembers the status and counts the body bytes sent to the client.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var errTooLarge = errors.New("body larger than the limit")

// capture counts a body as it is read, keeps its first bytes, and fails
// past a limit.
type capture struct {
	r     io.ReadCloser
	n     int64
	limit int64
	keepN int64
	kept  bytes.Buffer
	cut   bool // kept holds only a prefix
	mu    sync.Mutex
}

func newCapture(r io.ReadCloser, limit, keep int64) *capture {
	return &capture{r: r, limit: limit, keepN: keep}
}

func (c *capture) Read(b []byte) (int, error) {
	if c.r == nil {
		return 0, io.EOF
	}
	n, err := c.r.Read(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	over := c.n+int64(n) > c.limit
	if over { // cut exactly at the limit
		n = int(c.limit - c.n)
	}
	if room := c.keepN - int64(c.kept.Len()); room > 0 {
		c.kept.Write(b[:min(int64(n), room)])
		if int64(n) > room {
			c.cut = true
		}
	} else if n > 0 {
		c.cut = true
	}
	c.n += int64(n)
	if over {
		return n, errTooLarge
	}
	return n, err
}

// snapshot returns the bytes read so far, a copy of the kept prefix, and
// whether the prefix is shorter than the body (the transport may still
// be reading a request body in its own goroutine).
func (c *capture) snapshot() (int64, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, bytes.Clone(c.kept.Bytes()), c.cut
}

func (c *capture) Close() error {
	if c.r == nil {
		return nil
	}
	return c.r.Close()
}
