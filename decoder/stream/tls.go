package stream

import (
	"errors"

	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// TLS hellos that span several TCP segments cannot be read per packet (the
// packet decoders count them as skipped): this observer reads them from
// the reassembled stream. It looks at the start of each direction of a
// TCP connection; a hello that fits its first segment was written by the
// packet decoders already and is left alone, so each hello gives one
// record.

// tlsMaxHello bounds the bytes kept for one hello (TLS records are at most
// 16 KiB, and a hello fills one or a few).
const tlsMaxHello = 64 << 10

// NewTLSHelloReader makes the observer that reads TLS hellos spanning
// several segments, when TLSClientHello or TLSServerHello records are
// written.
func NewTLSHelloReader(r *Run) Observer {
	if !r.Enabled(types.Type_NC_TLSClientHello) && !r.Enabled(types.Type_NC_TLSServerHello) {
		return nil
	}
	return tlsObserver{}
}

type tlsObserver struct{}

func (tlsObserver) New(c *Conn) Session {
	if c.Info.Transport != reassembly.TCP {
		return nil
	}
	return &tlsHelloSession{c: c}
}

type tlsHelloSide struct {
	started, done bool
	buf           []byte
}

type tlsHelloSession struct {
	c    *Conn
	side [2]tlsHelloSide
}

func (s *tlsHelloSession) Data(dir Direction, data []byte, ts int64) {
	h := &s.side[dir]
	if h.done {
		return
	}
	first := !h.started
	h.started = true
	if first {
		// The first segment: a complete hello here is the packet
		// decoders'; only an incomplete one is ours.
		if err := s.parse(dir, data, ts, false); !errors.Is(err, tlshello.ErrIncomplete) {
			h.done = true
			return
		}
		h.buf = append([]byte(nil), data...)
		return
	}
	h.buf = append(h.buf, data...)
	if len(h.buf) > tlsMaxHello {
		h.done, h.buf = true, nil
		return
	}
	if err := s.parse(dir, h.buf, ts, true); !errors.Is(err, tlshello.ErrIncomplete) {
		h.done, h.buf = true, nil
	}
}

// parse reads the hello of a direction from b and, with emit, writes it.
func (s *tlsHelloSession) parse(dir Direction, b []byte, ts int64, emit bool) error {
	c := s.c
	src, dst := c.Info.Client, c.Info.Server
	if dir == ServerToClient {
		src, dst = dst, src
	}
	e := tlshello.Endpoints{SrcIP: src.Addr.String(), DstIP: dst.Addr.String(), SrcPort: int32(src.Port), DstPort: int32(dst.Port)}
	if dir == ClientToServer {
		ch, err := tlshello.ParseClientHello(b)
		if err == nil && emit {
			r := &types.TLSClientHello{}
			ch.Fill(r, ts, e, tlshello.TCP)
			c.Emit(types.Type_NC_TLSClientHello, r)
		}
		return err
	}
	sh, err := tlshello.ParseServerHello(b)
	if err == nil && emit {
		r := &types.TLSServerHello{}
		sh.Fill(r, ts, e)
		c.Emit(types.Type_NC_TLSServerHello, r)
	}
	return err
}

func (s *tlsHelloSession) Gap(dir Direction, _ int64) { s.side[dir].done, s.side[dir].buf = true, nil }
func (s *tlsHelloSession) Close(int64)                {}
