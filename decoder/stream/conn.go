package stream

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// chunk is buffered data (or a gap) waiting for protocol detection.
type chunk struct {
	dir  Direction
	data []byte
	gap  int64
	ts   int64
}

// Conn is one connection: it detects the protocol and feeds the session
// and the observers.
type Conn struct {
	Info reassembly.ConnInfo
	// Ident names the connection in records, as Netcap does:
	// "clientIP:port->serverIP:port".
	Ident string
	// CommunityID is the connection's Community ID; Emit puts it into the
	// records that have the field.
	CommunityID string
	w           *Worker

	pending  []chunk
	buffered [2]int
	session  Session
	protocol Protocol
	detected bool // detection is over, with or without a protocol
	obs      []Session
	bytes    [2]int64
	creds    map[[3]string]bool
}

// Protocol returns the detected protocol, or nil.
func (c *Conn) Protocol() Protocol { return c.protocol }

// Bytes returns the bytes seen so far in a direction.
func (c *Conn) Bytes(dir Direction) int64 { return c.bytes[dir] }

// Options returns the run's options.
func (c *Conn) Options() *Options { return &c.w.run.opts }

// Enabled reports whether records of type t are written.
func (c *Conn) Enabled(t types.Type) bool { return c.w.run.Enabled(t) }

// Emit writes a record, if its type is enabled, with the connection's
// Community ID when the record has that field and it is empty.
func (c *Conn) Emit(t types.Type, r proto.Message) {
	if s, ok := r.(types.CommunityIDSetter); ok && c.CommunityID != "" {
		s.SetCommunityID(c.CommunityID)
	}
	c.w.Emit(t, r)
}

// Run returns the run-wide state (shared stores).
func (c *Conn) Run() *Run { return c.w.run }

func newConn(w *Worker, info reassembly.ConnInfo) *Conn {
	c := &Conn{Info: info, w: w, Ident: fmt.Sprintf("%s->%s", info.Client, info.Server)}
	proto := uint8(17)
	if info.Transport == reassembly.TCP {
		proto = 6
	}
	c.CommunityID = w.run.opts.CommunityID.Compute(flow.Tuple{
		Src: info.Client.Addr, Dst: info.Server.Addr, Proto: proto, SrcPort: info.Client.Port, DstPort: info.Server.Port,
	})
	for _, o := range w.run.observers {
		if s := o.New(c); s != nil {
			c.obs = append(c.obs, s)
		}
	}
	return c
}

// Data implements reassembly.Handler.
func (c *Conn) Data(dir Direction, data []byte, ts int64) {
	c.bytes[dir] += int64(len(data))
	for _, o := range c.obs {
		o.Data(dir, data, ts)
	}
	if c.session != nil {
		c.session.Data(dir, data, ts)
		return
	}
	if c.detected {
		return
	}
	keep := min(len(data), DetectBytes-c.buffered[dir])
	if keep > 0 {
		c.pending = append(c.pending, chunk{dir: dir, data: slices.Clone(data[:keep]), ts: ts})
		c.buffered[dir] += keep
	}
	c.detect(false)
	if c.session == nil && !c.detected && keep < len(data) {
		// This direction is full and nothing recognised it: give up.
		c.detect(true)
	}
}

// Gap implements reassembly.Handler.
func (c *Conn) Gap(dir Direction, n int64) {
	c.bytes[dir] += n
	for _, o := range c.obs {
		o.Gap(dir, n)
	}
	switch {
	case c.session != nil:
		c.session.Gap(dir, n)
	case !c.detected:
		c.pending = append(c.pending, chunk{dir: dir, gap: n})
	}
}

// Close implements reassembly.Handler.
func (c *Conn) Close(reason reassembly.CloseReason, ts int64) {
	if c.session == nil && !c.detected {
		c.detect(true)
	}
	if c.session != nil {
		c.session.Close(ts)
	}
	for _, o := range c.obs {
		o.Close(ts)
	}
}

// detect asks the protocols about the buffered bytes. With final, a
// protocol that still needs more counts as a no.
func (c *Conn) detect(final bool) {
	var client, server []byte
	for _, ch := range c.pending {
		if ch.gap > 0 {
			break // bytes after a hole are not the conversation's start
		}
		if ch.dir == ClientToServer {
			client = append(client, ch.data...)
		} else {
			server = append(server, ch.data...)
		}
	}
	undecided := false
	for _, p := range c.w.run.byPort(c.Info.Server.Port) {
		switch p.Detect(&c.Info, client, server) {
		case Yes:
			c.start(p)
			return
		case NeedMore:
			undecided = true
		}
	}
	if !undecided || final || c.buffered[0]+c.buffered[1] >= DetectLimit {
		c.detected = true
		c.pending = nil
	}
}

// start hands the connection to p and replays the buffered data.
func (c *Conn) start(p Protocol) {
	c.protocol, c.detected = p, true
	c.session = p.New(c)
	for _, ch := range c.pending {
		if ch.gap > 0 {
			c.session.Gap(ch.dir, ch.gap)
		} else {
			c.session.Data(ch.dir, ch.data, ch.ts)
		}
	}
	c.pending = nil
}
