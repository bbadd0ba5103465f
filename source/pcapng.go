package source

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/gopacket/gopacket/layers"
)

const (
	pcapngSHB = 0x0a0d0d0a // section header block
	pcapngIDB = 0x00000001 // interface description block
	pcapngOPB = 0x00000002 // obsolete packet block
	pcapngSPB = 0x00000003 // simple packet block
	pcapngEPB = 0x00000006 // enhanced packet block

	pcapngByteOrderMagic = 0x1a2b3c4d
	// maxBlockSize bounds one block, as Wireshark does, against corrupt lengths.
	maxBlockSize = maxPacketSize + 4096
)

// pcapngInterface is what an IDB says about one capture interface.
type pcapngInterface struct {
	linkType layers.LinkType
	snapLen  uint32
	// a timestamp unit is 1/unitsPerSec seconds; pow2 means 2^-resol.
	resol    uint8
	pow2     bool
	offsetNs int64
}

// pcapngReader reads pcapng files with any number of sections and
// interfaces; every packet carries the link type of its own interface.
type pcapngReader struct {
	r        *bufio.Reader
	order    binary.ByteOrder
	ifaces   []pcapngInterface
	hdr      [8]byte
	buf      []byte
	blocks   int
	packets  int
	oversize Oversize
}

func newPcapngReader(r *bufio.Reader) (*pcapngReader, error) {
	p := &pcapngReader{r: r}
	// The first block must be a section header; reading it sets the order.
	typ, body, err := p.readBlock()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%w: pcapng section header missing", ErrTruncated)
		}
		return nil, err
	}
	if typ != pcapngSHB {
		return nil, ErrNotCapture
	}
	_ = body
	return p, nil
}

// readBlock reads one whole block and returns its type and body (without
// the type, length and trailing length fields).
func (p *pcapngReader) readBlock() (uint32, []byte, error) {
	if _, err := io.ReadFull(p.r, p.hdr[:]); err != nil {
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, fmt.Errorf("%w: block header cut short after %d packets", ErrTruncated, p.packets)
		}
		return 0, nil, err
	}
	typ := binary.LittleEndian.Uint32(p.hdr[0:4])
	if typ == pcapngSHB {
		// A new section: its byte-order magic follows the length field.
		magic, err := p.r.Peek(4)
		if err != nil {
			return 0, nil, fmt.Errorf("%w: section header cut short", ErrTruncated)
		}
		switch {
		case binary.LittleEndian.Uint32(magic) == pcapngByteOrderMagic:
			p.order = binary.LittleEndian
		case binary.BigEndian.Uint32(magic) == pcapngByteOrderMagic:
			p.order = binary.BigEndian
		default:
			return 0, nil, fmt.Errorf("pcapng section header with bad byte-order magic %x", magic)
		}
		p.ifaces = p.ifaces[:0]
	} else {
		if p.order == nil {
			return 0, nil, ErrNotCapture
		}
		typ = p.order.Uint32(p.hdr[0:4])
	}
	length := p.order.Uint32(p.hdr[4:8])
	if length < 12 || length%4 != 0 || length > maxBlockSize {
		return 0, nil, fmt.Errorf("pcapng block %d (type %#x) has invalid length %d: corrupt file", p.blocks+1, typ, length)
	}
	n := int(length) - 8
	if cap(p.buf) < n {
		p.buf = make([]byte, n, max(n, 65536))
	}
	p.buf = p.buf[:n]
	if _, err := io.ReadFull(p.r, p.buf); err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, fmt.Errorf("%w: block %d cut short after %d packets", ErrTruncated, p.blocks+1, p.packets)
		}
		return 0, nil, err
	}
	if trail := p.order.Uint32(p.buf[n-4:]); trail != length {
		return 0, nil, fmt.Errorf("pcapng block %d: trailing length %d differs from %d: corrupt file", p.blocks+1, trail, length)
	}
	p.blocks++
	return typ, p.buf[:n-4], nil
}

func (p *pcapngReader) addInterface(body []byte) error {
	if len(body) < 8 {
		return fmt.Errorf("pcapng interface description block too short (%d bytes)", len(body))
	}
	ifc := pcapngInterface{
		linkType: layers.LinkType(p.order.Uint16(body[0:2])),
		snapLen:  p.order.Uint32(body[4:8]),
		resol:    6,
	}
	// Options: code(2) length(2) value padded to 4.
	opts := body[8:]
	for len(opts) >= 4 {
		code := p.order.Uint16(opts[0:2])
		l := int(p.order.Uint16(opts[2:4]))
		if code == 0 { // opt_endofopt
			break
		}
		if 4+l > len(opts) {
			break // a damaged option ends the list; the interface stays usable
		}
		v := opts[4 : 4+l]
		switch code {
		case 9: // if_tsresol
			if l >= 1 {
				ifc.pow2 = v[0]&0x80 != 0
				ifc.resol = v[0] & 0x7f
			}
		case 14: // if_tsoffset, seconds
			if l >= 8 {
				ifc.offsetNs = int64(p.order.Uint64(v)) * 1e9
			}
		}
		pad := (l + 3) &^ 3
		if 4+pad > len(opts) {
			break
		}
		opts = opts[4+pad:]
	}
	p.ifaces = append(p.ifaces, ifc)
	return nil
}

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// toNanos converts a timestamp in the interface's units to Unix nanoseconds.
func (ifc *pcapngInterface) toNanos(ts uint64) int64 {
	if ifc.pow2 {
		r := uint(ifc.resol)
		if r > 63 {
			r = 63
		}
		sec := ts >> r
		var ns uint64
		if r > 0 {
			// (frac * 1e9) >> r in 128 bits; the result is below 1e9.
			hi, lo := bits.Mul64(ts&(1<<r-1), 1e9)
			ns = hi<<(64-r) | lo>>r
		}
		return int64(sec)*1e9 + int64(ns) + ifc.offsetNs
	}
	switch {
	case ifc.resol == 9:
		return int64(ts) + ifc.offsetNs
	case ifc.resol < 9:
		return int64(ts*pow10[9-ifc.resol]) + ifc.offsetNs
	case int(ifc.resol) < len(pow10):
		return int64(ts/pow10[ifc.resol-9]) + ifc.offsetNs
	}
	return ifc.offsetNs
}

func (p *pcapngReader) Oversized() Oversize { return p.oversize }

func (p *pcapngReader) ReadPacket() ([]byte, CaptureInfo, error) {
	for {
		typ, body, err := p.readBlock()
		if err != nil {
			return nil, CaptureInfo{}, err
		}
		switch typ {
		case pcapngIDB:
			if err := p.addInterface(body); err != nil {
				return nil, CaptureInfo{}, err
			}
		case pcapngEPB, pcapngOPB:
			if len(body) < 20 {
				return nil, CaptureInfo{}, fmt.Errorf("pcapng packet block %d too short: corrupt file", p.blocks)
			}
			var ifIdx int
			if typ == pcapngEPB {
				ifIdx = int(p.order.Uint32(body[0:4]))
			} else {
				ifIdx = int(p.order.Uint16(body[0:2]))
			}
			if ifIdx >= len(p.ifaces) {
				return nil, CaptureInfo{}, fmt.Errorf("pcapng packet block %d names interface %d, but the section has %d", p.blocks, ifIdx, len(p.ifaces))
			}
			ifc := &p.ifaces[ifIdx]
			ts := uint64(p.order.Uint32(body[4:8]))<<32 | uint64(p.order.Uint32(body[8:12]))
			capLen := p.order.Uint32(body[12:16])
			origLen := p.order.Uint32(body[16:20])
			if uint64(capLen) > uint64(len(body)-20) {
				return nil, CaptureInfo{}, fmt.Errorf("pcapng packet block %d: captured length %d exceeds the block: corrupt file", p.blocks, capLen)
			}
			p.packets++
			p.oversize.check(p.packets, capLen, origLen, ifc.snapLen)
			if origLen < capLen {
				origLen = capLen
			}
			return body[20 : 20+capLen], CaptureInfo{
				Timestamp: ifc.toNanos(ts), CaptureLength: int(capLen), Length: int(origLen),
				LinkType: ifc.linkType, InterfaceIndex: ifIdx,
			}, nil
		case pcapngSPB:
			if len(p.ifaces) == 0 {
				return nil, CaptureInfo{}, fmt.Errorf("pcapng simple packet block %d before any interface", p.blocks)
			}
			if len(body) < 4 {
				return nil, CaptureInfo{}, fmt.Errorf("pcapng simple packet block %d too short: corrupt file", p.blocks)
			}
			ifc := &p.ifaces[0]
			origLen := p.order.Uint32(body[0:4])
			capLen := uint32(len(body) - 4)
			if origLen < capLen {
				capLen = origLen
			}
			if ifc.snapLen > 0 && capLen > ifc.snapLen {
				capLen = ifc.snapLen
			}
			p.packets++
			// A simple packet block has no timestamp.
			return body[4 : 4+capLen], CaptureInfo{CaptureLength: int(capLen), Length: int(origLen), LinkType: ifc.linkType}, nil
		default:
			// Section headers are handled in readBlock; name resolution,
			// statistics, journal and custom blocks carry no packets.
		}
	}
}
