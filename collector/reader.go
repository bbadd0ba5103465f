package collector

import (
	"errors"
	"io"
	"time"

	"github.com/netcap-go/netcap/source"
)

// read is the reader goroutine: it reads packets until the input ends,
// the run stops, or the packet count is reached.
func (p *pipeline) read() {
	defer close(p.readerDone)
	defer p.noteOversize()
	for !p.stop.Load() {
		data, ci, err := p.src.ReadPacket()
		if !p.handle(data, ci, err) {
			return
		}
	}
}

// noteOversize copies a file reader's oversize counters into the
// summary, unless the run has given up on the reader already.
func (p *pipeline) noteOversize() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if oc, ok := p.src.(source.OversizeCounter); ok && !p.closed {
		p.sum.Oversize = oc.Oversized()
	}
}

// handle deals with what one read returned: a packet to dispatch, an
// idle live source, the end of input or an error. It returns false when
// the reader must stop.
func (p *pipeline) handle(data []byte, ci source.CaptureInfo, err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	// A live source moves the clock on and hands records to the files
	// about once a second, even when few or no packets arrive; a file is
	// driven by its packets alone, so runs are repeatable.
	if p.live != nil && (errors.Is(err, source.ErrIdle) || time.Since(p.lastTick) >= time.Second) {
		p.tick()
	}
	switch {
	case errors.Is(err, source.ErrIdle):
		return true
	case err == io.EOF:
		return false
	case err != nil:
		p.readErr = err
		return false
	}
	if p.filter != nil && !p.filter.match(data, ci.Length, ci.LinkType) {
		p.sum.Filtered++
		if p.filter.err != nil {
			p.readErr = p.filter.err
			return false
		}
		return true
	}
	p.dispatch(data, ci)
	return p.cfg.Count <= 0 || p.packets.Load() < p.cfg.Count
}

// dispatch copies a frame (and the datagram it completes, if it is the
// last fragment of one) into the batch of the worker its flow belongs to.
func (p *pipeline) dispatch(data []byte, ci source.CaptureInfo) {
	p.linkTypes[ci.LinkType]++
	payload, hash := p.defragment(data, ci)
	w := 0
	if p.workers > 1 {
		if payload == nil {
			hash = flowHash(data, ci.LinkType)
		}
		w = int(hash % uint64(p.workers))
	}
	b := p.batch(w)
	p.clock = max(p.clock, ci.Timestamp)
	bp := batchPacket{off: len(b.data), n: len(data), ci: ci, now: p.clock}
	b.data = append(b.data, data...)
	if payload != nil {
		bp.defragOff, bp.defragN = len(b.data), len(payload)
		b.data = append(b.data, payload...)
	}
	b.pkts = append(b.pkts, bp)
	p.packets.Add(1)
	p.bytes.Add(int64(len(data)))
	if len(b.pkts) >= batchPackets || len(b.data) >= batchBytes {
		p.send(w)
	}
}

// defragment adds an IP fragment to its datagram; when that completes
// the datagram, it returns its payload and the hash of its flow.
func (p *pipeline) defragment(data []byte, ci source.CaptureInfo) (payload []byte, hash uint64) {
	f, ok := parseFragment(data, ci.LinkType)
	if !ok {
		return nil, 0
	}
	payload, proto, done := p.defrag.add(f, ci.Timestamp)
	if done {
		hash = datagramHash(f.src, f.dst, proto, payload)
	}
	return payload, hash
}

// batch returns the batch being filled for worker w.
func (p *pipeline) batch(w int) *packetBatch {
	if p.current[w] == nil {
		select {
		case b := <-p.free:
			p.current[w] = b
		default:
			p.current[w] = newPacketBatch()
		}
	}
	return p.current[w]
}

// send hands worker i its batch.
func (p *pipeline) send(i int) {
	p.queues[i] <- p.current[i]
	p.current[i] = nil
}

// mark sends bp, a marker that is no packet, to every worker.
func (p *pipeline) mark(bp batchPacket) {
	for i := range p.workers {
		b := p.batch(i)
		b.pkts = append(b.pkts, bp)
		p.send(i)
	}
}

// tick moves the clock to the wall clock (live capture) and has every
// worker expire what timed out and hand its records to the sink.
func (p *pipeline) tick() {
	p.clock = max(p.clock, time.Now().UnixNano())
	p.mark(batchPacket{tick: true, now: p.clock})
	p.lastTick = time.Now()
}
