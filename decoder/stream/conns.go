package stream

import (
	"container/list"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/resolvers"
)

// -conns: every reassembled conversation is written to a file,
//
//	<ConnsDir>/tcp|udp/<service>/<client-ip>_<port>-<server-ip>_<port>_<start>.bin
//
// where service is the detected stream protocol's name in lower case, else
// the IANA name of the server port (see ianaServiceName), else "unknown",
// and start is the time of the conversation's first packet in UTC, ISO
// 8601 basic format (20231114T221320.123456789Z).
//
// The file holds both directions in the order reassembly delivered them
// (bytes after a hole wait until it is filled or given up), as chunks.
// Each chunk is one marker line, then exactly the bytes it announces, then
// a newline (not part of the data):
//
//	--- client->server 2023-11-14T22:13:20.123456789Z 18 bytes
//	<18 bytes>
//	--- server->client 2023-11-14T22:13:20.124000000Z 1024 bytes
//	<1024 bytes>
//	--- server->client gap 1460 bytes missing
//
// The time is that of the chunk's first segment, in UTC with nanoseconds.
// Consecutive TCP data of one direction is one chunk (up to
// connsChunkBytes); each UDP datagram is its own chunk. A gap line marks
// bytes of a direction that were never captured (or dropped to bound
// memory); no data follows it. There are no colours or other escapes
// (v0.6.11 coloured the two sides with ANSI codes): the bytes are the
// stream's, unchanged, and the markers tell the sides apart.
//
// The file is created once the protocol is known (the first bytes wait in
// memory until detection ends, at most DetectLimit and a segment) and
// written chunk by chunk. At most connsMaxOpen files are open at a time,
// for the whole run: the least recently written is closed and reopened to
// append when its conversation continues.

const (
	connsChunkBytes = 16 << 10
	connsMaxOpen    = 64
)

type connsObserver struct{ pool *connsPool }

// NewConnsWriter makes the -conns writer: an observer that writes every
// conversation to a file under Options.ConnsDir (none when it is "").
func NewConnsWriter(r *Run) Observer {
	if r.opts.ConnsDir == "" {
		return nil
	}
	p := &connsPool{dir: r.opts.ConnsDir, open: map[string]*list.Element{}, dirs: map[string]bool{}, lru: list.New()}
	r.OnFlush(func(decoder.Emit) error { return p.closeAll() })
	return connsObserver{pool: p}
}

func (o connsObserver) New(c *Conn) Session { return &connsSession{c: c, pool: o.pool} }

type connsSession struct {
	c    *Conn
	pool *connsPool
	path string // "" until the protocol is known

	// The chunk being gathered: its direction, time and bytes.
	dir     Direction
	ts      int64
	data    []byte
	pending [][]byte // written chunks waiting for the path
	created bool
	failed  bool
}

func (s *connsSession) Data(dir Direction, data []byte, ts int64) {
	s.decide(false)
	if len(s.data) > 0 && (s.dir != dir || len(s.data)+len(data) > connsChunkBytes || s.c.Info.Transport == reassembly.UDP) {
		s.endChunk()
	}
	for len(data) > 0 {
		if len(s.data) == 0 {
			s.dir, s.ts = dir, ts
		}
		n := len(data) // a datagram stays whole
		if s.c.Info.Transport == reassembly.TCP {
			n = min(n, connsChunkBytes-len(s.data))
		}
		s.data = append(s.data, data[:n]...)
		data = data[n:]
		if len(data) > 0 {
			s.endChunk()
		}
	}
}

func (s *connsSession) Gap(dir Direction, n int64) {
	s.decide(false)
	s.endChunk()
	s.out([]byte(fmt.Sprintf("--- %s gap %d bytes missing\n", connsDir(dir), n)))
}

func (s *connsSession) Close(int64) {
	s.decide(true)
	s.endChunk()
	if s.created {
		s.pool.close(s.path)
	}
	s.data, s.pending = nil, nil
}

func connsDir(d Direction) string {
	if d == ClientToServer {
		return "client->server"
	}
	return "server->client"
}

// decide names the file once detection is over (or at the end).
func (s *connsSession) decide(final bool) {
	c := s.c
	if s.path != "" || !final && c.protocol == nil && !c.detected {
		return
	}
	service := ""
	if c.protocol != nil {
		service = strings.ToLower(c.protocol.Info().Name)
	} else {
		service = ianaServiceName(c.Info.Transport, c.Info.Server.Port)
	}
	service = connsSafe(service)
	if service == "" {
		service = "unknown"
	}
	start := time.Unix(0, c.Info.Start).UTC().Format("20060102T150405.000000000Z")
	name := fmt.Sprintf("%s_%d-%s_%d_%s.bin", c.Info.Client.Addr, c.Info.Client.Port, c.Info.Server.Addr, c.Info.Server.Port, start)
	s.path = filepath.Join(c.Info.Transport.String(), service, connsSafe(name))
	for _, b := range s.pending {
		s.out(b)
	}
	s.pending = nil
}

// connsSafe keeps a file name component to letters, digits and . _ - :
// (IPv6 addresses keep their colons).
func connsSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':') {
			b[i] = '_'
		}
	}
	return strings.Trim(string(b), ".")
}

// endChunk writes the chunk being gathered.
func (s *connsSession) endChunk() {
	if len(s.data) == 0 {
		return
	}
	ts := time.Unix(0, s.ts).UTC().Format("2006-01-02T15:04:05.000000000Z")
	head := fmt.Sprintf("--- %s %s %d bytes\n", connsDir(s.dir), ts, len(s.data))
	b := make([]byte, 0, len(head)+len(s.data)+1)
	b = append(append(append(b, head...), s.data...), '\n')
	s.data = s.data[:0]
	s.out(b)
}

func (s *connsSession) out(b []byte) {
	if s.failed {
		return
	}
	if s.path == "" {
		s.pending = append(s.pending, b)
		return
	}
	path, err := s.pool.write(s.path, !s.created, b)
	if err != nil {
		s.failed = true
	}
	s.path, s.created = path, true
}

// connsPool holds the open files of the run, at most connsMaxOpen, least
// recently written first in lru.
type connsPool struct {
	dir  string
	mu   sync.Mutex
	open map[string]*list.Element // path → element of lru, holding *connsFile
	lru  *list.List
	dirs map[string]bool
	err  error // the first error
}

type connsFile struct {
	path string
	f    *os.File
}

// write appends b to the file at path (relative to the pool's dir) and
// returns the path it wrote to. With create it makes a new file, never
// over an existing one: a name this run used already (the same
// conversation twice, from duplicated packets) becomes name-N.bin.
func (p *connsPool) write(path string, create bool, b []byte) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.open[path]
	if e == nil {
		f, actual, err := p.openFile(path, create)
		if err != nil {
			return path, p.fail(err)
		}
		for p.lru.Len() >= connsMaxOpen {
			p.closeElement(p.lru.Front())
		}
		path = actual
		e = p.lru.PushBack(&connsFile{path: path, f: f})
		p.open[path] = e
	} else {
		p.lru.MoveToBack(e)
	}
	if _, err := e.Value.(*connsFile).f.Write(b); err != nil {
		return path, p.fail(err)
	}
	return path, nil
}

// openFile opens path to append, or with create makes it (or name-N.bin
// when it exists) and returns the path it opened.
func (p *connsPool) openFile(path string, create bool) (*os.File, string, error) {
	full := filepath.Join(p.dir, path)
	if d := filepath.Dir(full); !p.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, path, err
		}
		p.dirs[d] = true
	}
	if !create {
		f, err := os.OpenFile(full, os.O_WRONLY|os.O_APPEND, 0)
		return f, path, err
	}
	ext := filepath.Ext(path)
	for n := 0; ; n++ {
		candidate := path
		if n > 0 {
			candidate = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), n, ext)
		}
		f, err := os.OpenFile(filepath.Join(p.dir, candidate), os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, os.ErrExist) {
			return f, candidate, err
		}
	}
}

func (p *connsPool) fail(err error) error {
	if p.err == nil {
		p.err = fmt.Errorf("-conns: %w", err)
	}
	return err
}

func (p *connsPool) closeElement(e *list.Element) {
	cf := e.Value.(*connsFile)
	if err := cf.f.Close(); err != nil {
		p.fail(err)
	}
	p.lru.Remove(e)
	delete(p.open, cf.path)
}

// close closes a conversation's file if it is open.
func (p *connsPool) close(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.open[path]; e != nil {
		p.closeElement(e)
	}
}

// closeAll closes every file still open and returns the first error.
func (p *connsPool) closeAll() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.lru.Len() > 0 {
		p.closeElement(p.lru.Front())
	}
	return errors.Join(p.err)
}

// ConnsFiles lists the conversation files an earlier -conns run left in
// dir (tcp|udp/<service>/*.bin, relative to dir): a new run refuses to mix
// with them, or removes them with -force, as it does record files.
func ConnsFiles(dir string) ([]string, error) {
	var out []string
	for _, transport := range []string{"tcp", "udp"} {
		m, err := filepath.Glob(filepath.Join(dir, transport, "*", "*.bin"))
		if err != nil {
			return nil, err
		}
		for _, p := range m {
			if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() {
				rel, _ := filepath.Rel(dir, p)
				out = append(out, rel)
			}
		}
	}
	return out, nil
}

// ianaServiceName returns the IANA service name of a port (the registry
// bundled with the resolvers package, the same on every machine).
func ianaServiceName(t reassembly.Transport, port uint16) string {
	return resolvers.PortService(port, t.String())
}
