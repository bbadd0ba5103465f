package source

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gopacket/gopacket/layers"
)

// pcapMagic reads the byte order and timestamp resolution from the first
// four bytes of a classic pcap file.
func pcapMagic(b []byte) (order binary.ByteOrder, nanos bool, ok bool) {
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
		return binary.LittleEndian, false, true
	case 0xa1b23c4d:
		return binary.LittleEndian, true, true
	}
	switch binary.BigEndian.Uint32(b) {
	case 0xa1b2c3d4:
		return binary.BigEndian, false, true
	case 0xa1b23c4d:
		return binary.BigEndian, true, true
	}
	return nil, false, false
}

// pcapReader reads classic libpcap files.
type pcapReader struct {
	r        *bufio.Reader
	order    binary.ByteOrder
	nanos    bool
	linkType layers.LinkType
	snapLen  uint32
	hdr      [16]byte
	buf      []byte
	packets  int
	oversize Oversize
}

func newPcapReader(r *bufio.Reader) (*pcapReader, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("%w: pcap file header cut short", ErrTruncated)
	}
	order, nanos, ok := pcapMagic(h[:4])
	if !ok {
		return nil, ErrNotCapture
	}
	major := order.Uint16(h[4:6])
	if major != 2 {
		return nil, fmt.Errorf("unsupported pcap version %d.%d", major, order.Uint16(h[6:8]))
	}
	// The upper bits of the link type field carry FCS information (pcap
	// LINKTYPE_ with FCS length); the link type is the low 16 bits.
	lt := layers.LinkType(order.Uint32(h[20:24]) & 0xffff)
	return &pcapReader{r: r, order: order, nanos: nanos, linkType: lt, snapLen: order.Uint32(h[16:20])}, nil
}

func (p *pcapReader) Oversized() Oversize { return p.oversize }

func (p *pcapReader) ReadPacket() ([]byte, CaptureInfo, error) {
	if _, err := io.ReadFull(p.r, p.hdr[:]); err != nil {
		if err == io.EOF {
			return nil, CaptureInfo{}, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, CaptureInfo{}, fmt.Errorf("%w: record header of packet %d cut short", ErrTruncated, p.packets+1)
		}
		return nil, CaptureInfo{}, err
	}
	sec := int64(p.order.Uint32(p.hdr[0:4]))
	frac := int64(p.order.Uint32(p.hdr[4:8]))
	capLen := p.order.Uint32(p.hdr[8:12])
	origLen := p.order.Uint32(p.hdr[12:16])
	if capLen > maxPacketSize {
		return nil, CaptureInfo{}, fmt.Errorf("packet %d: captured length %d exceeds %d bytes: corrupt pcap record", p.packets+1, capLen, maxPacketSize)
	}
	if cap(p.buf) < int(capLen) {
		p.buf = make([]byte, capLen, max(int(capLen), 65536))
	}
	p.buf = p.buf[:capLen]
	if _, err := io.ReadFull(p.r, p.buf); err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, CaptureInfo{}, fmt.Errorf("%w: data of packet %d cut short", ErrTruncated, p.packets+1)
		}
		return nil, CaptureInfo{}, err
	}
	p.packets++
	ts := sec * 1e9
	if p.nanos {
		ts += frac
	} else {
		ts += frac * 1e3
	}
	p.oversize.check(p.packets, capLen, origLen, p.snapLen)
	if origLen < capLen {
		origLen = capLen
	}
	return p.buf, CaptureInfo{Timestamp: ts, CaptureLength: int(capLen), Length: int(origLen), LinkType: p.linkType}, nil
}
