// Package mmdbtest writes small MaxMind DB (.mmdb) files for tests, so that
// the GeoIP resolver can be tested against databases whose every record is
// known, without shipping or downloading MaxMind's data.
//
// It implements just enough of the MaxMind DB 2.0 format: a binary search
// tree with 24-, 28- or 32-bit records, a data section of maps, strings,
// numbers, booleans and arrays (no pointers, each network's record written
// out in full), and the metadata map. Networks must not overlap.
package mmdbtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
)

// Network is one network of the database and the record stored for it.
type Network struct {
	Prefix netip.Prefix
	Record map[string]any
}

// Options are the database-wide settings.
type Options struct {
	DatabaseType string // e.g. "GeoLite2-City"; "" means "Test"
	IPVersion    int    // 4 or 6; 0 means 6
	RecordSize   int    // 24, 28 or 32; 0 means 24
	BuildEpoch   uint64 // seconds since 1970; written as given
}

// metadataMarker starts the metadata section at the end of the file.
var metadataMarker = []byte("\xab\xcd\xefMaxMind.com")

// Data section type numbers from the MaxMind DB specification.
const (
	typeString  = 2
	typeDouble  = 3
	typeBytes   = 4
	typeUint16  = 5
	typeUint32  = 6
	typeMap     = 7
	typeInt32   = 8
	typeUint64  = 9
	typeArray   = 11
	typeBoolean = 14
	typeFloat   = 15
)

// record is one half of a search tree node: empty, a child node, or data.
type record struct {
	child *node
	data  int // offset in the data section; -1 when none
}

type node struct {
	rec [2]record
	id  int
}

func newNode() *node {
	return &node{rec: [2]record{{data: -1}, {data: -1}}}
}

// Build returns the bytes of a database holding networks.
func Build(opts Options, networks []Network) ([]byte, error) {
	if opts.DatabaseType == "" {
		opts.DatabaseType = "Test"
	}
	if opts.IPVersion == 0 {
		opts.IPVersion = 6
	}
	if opts.RecordSize == 0 {
		opts.RecordSize = 24
	}
	if opts.IPVersion != 4 && opts.IPVersion != 6 {
		return nil, fmt.Errorf("mmdbtest: IP version %d", opts.IPVersion)
	}

	var data enc
	root := newNode()
	for _, n := range networks {
		bits, err := treeBits(n.Prefix, opts.IPVersion)
		if err != nil {
			return nil, err
		}
		off := data.Len()
		if err := data.value(n.Record); err != nil {
			return nil, fmt.Errorf("mmdbtest: %s: %w", n.Prefix, err)
		}
		if err := insert(root, bits, off); err != nil {
			return nil, fmt.Errorf("mmdbtest: %s: %w", n.Prefix, err)
		}
	}

	// Number the nodes breadth-first; the root must be node 0.
	nodes := []*node{root}
	for i := 0; i < len(nodes); i++ {
		nodes[i].id = i
		for _, r := range nodes[i].rec {
			if r.child != nil {
				nodes = append(nodes, r.child)
			}
		}
	}
	count := len(nodes)
	maxValue := uint64(1)<<opts.RecordSize - 1
	value := func(r record) (uint64, error) {
		var v uint64
		switch {
		case r.child != nil:
			v = uint64(r.child.id)
		case r.data >= 0:
			// Data pointers count from the start of the 16-byte separator.
			v = uint64(count) + 16 + uint64(r.data)
		default:
			v = uint64(count)
		}
		if v > maxValue {
			return 0, fmt.Errorf("mmdbtest: record value %d does not fit %d bits", v, opts.RecordSize)
		}
		return v, nil
	}

	var out bytes.Buffer
	for _, n := range nodes {
		l, err := value(n.rec[0])
		if err != nil {
			return nil, err
		}
		r, err := value(n.rec[1])
		if err != nil {
			return nil, err
		}
		switch opts.RecordSize {
		case 24:
			out.Write([]byte{byte(l >> 16), byte(l >> 8), byte(l), byte(r >> 16), byte(r >> 8), byte(r)})
		case 28:
			out.Write([]byte{byte(l >> 16), byte(l >> 8), byte(l), byte(l>>24)<<4 | byte(r>>24)&0x0f, byte(r >> 16), byte(r >> 8), byte(r)})
		case 32:
			out.Write(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(l)), uint32(r)))
		default:
			return nil, fmt.Errorf("mmdbtest: record size %d", opts.RecordSize)
		}
	}
	out.Write(make([]byte, 16)) // data section separator
	out.Write(data.Bytes())
	out.Write(metadataMarker)

	var meta enc
	err := meta.value(map[string]any{
		"binary_format_major_version": uint16(2),
		"binary_format_minor_version": uint16(0),
		"build_epoch":                 opts.BuildEpoch,
		"database_type":               opts.DatabaseType,
		"description":                 map[string]any{"en": "netcap test database"},
		"ip_version":                  uint16(opts.IPVersion),
		"languages":                   []any{"en"},
		"node_count":                  uint32(count),
		"record_size":                 uint16(opts.RecordSize),
	})
	if err != nil {
		return nil, err
	}
	out.Write(meta.Bytes())
	return out.Bytes(), nil
}

// treeBits returns the path of p from the root: in an IPv6 tree, IPv4
// networks live under ::/96, which is where readers look for them.
func treeBits(p netip.Prefix, ipVersion int) ([]byte, error) {
	if !p.IsValid() || p.Bits() == 0 {
		return nil, fmt.Errorf("mmdbtest: invalid or empty prefix %s", p)
	}
	p = p.Masked()
	addr := p.Addr()
	n := p.Bits()
	var raw []byte
	switch {
	case addr.Is4() && ipVersion == 6:
		var a16 [16]byte
		a4 := addr.As4()
		copy(a16[12:], a4[:])
		raw, n = a16[:], n+96
	case addr.Is4():
		a4 := addr.As4()
		raw = a4[:]
	case ipVersion == 4:
		return nil, fmt.Errorf("mmdbtest: IPv6 network %s in an IPv4 database", p)
	default:
		a16 := addr.As16()
		raw = a16[:]
	}
	bits := make([]byte, n)
	for i := range bits {
		bits[i] = raw[i/8] >> (7 - i%8) & 1
	}
	return bits, nil
}

func insert(root *node, bits []byte, off int) error {
	n := root
	for i, b := range bits {
		r := &n.rec[b]
		if r.data >= 0 {
			return errors.New("overlaps an earlier network")
		}
		if i == len(bits)-1 {
			if r.child != nil {
				return errors.New("contains an earlier network")
			}
			r.data = off
			return nil
		}
		if r.child == nil {
			r.child = newNode()
		}
		n = r.child
	}
	return nil
}

// enc appends data section values.
type enc struct{ bytes.Buffer }

// control writes a control byte (and extended type and size bytes) for a
// value of type typ and size size.
func (e *enc) control(typ, size int) {
	var sizeBits byte
	var ext []byte
	switch {
	case size < 29:
		sizeBits = byte(size)
	case size < 29+256:
		sizeBits, ext = 29, []byte{byte(size - 29)}
	case size < 285+65536:
		s := size - 285
		sizeBits, ext = 30, []byte{byte(s >> 8), byte(s)}
	default:
		s := size - 65821
		sizeBits, ext = 31, []byte{byte(s >> 16), byte(s >> 8), byte(s)}
	}
	if typ <= 7 {
		e.WriteByte(byte(typ)<<5 | sizeBits)
	} else {
		e.WriteByte(sizeBits)
		e.WriteByte(byte(typ - 7))
	}
	e.Write(ext)
}

// uint writes v big-endian in as few bytes as it needs.
func (e *enc) uint(typ int, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	i := 0
	for i < 8 && b[i] == 0 {
		i++
	}
	e.control(typ, 8-i)
	e.Write(b[i:])
}

func (e *enc) value(v any) error {
	switch v := v.(type) {
	case string:
		e.control(typeString, len(v))
		e.WriteString(v)
	case []byte:
		e.control(typeBytes, len(v))
		e.Write(v)
	case float64:
		e.control(typeDouble, 8)
		e.Write(binary.BigEndian.AppendUint64(nil, math.Float64bits(v)))
	case float32:
		e.control(typeFloat, 4)
		e.Write(binary.BigEndian.AppendUint32(nil, math.Float32bits(v)))
	case uint16:
		e.uint(typeUint16, uint64(v))
	case uint32:
		e.uint(typeUint32, uint64(v))
	case uint64:
		e.uint(typeUint64, v)
	case int:
		if v < 0 || v > math.MaxUint32 {
			return fmt.Errorf("int %d: use int32 or uint64", v)
		}
		e.uint(typeUint32, uint64(v))
	case int32:
		e.control(typeInt32, 4)
		e.Write(binary.BigEndian.AppendUint32(nil, uint32(v)))
	case bool:
		size := 0
		if v {
			size = 1
		}
		e.control(typeBoolean, size)
	case []any:
		e.control(typeArray, len(v))
		for _, x := range v {
			if err := e.value(x); err != nil {
				return err
			}
		}
	case []string:
		e.control(typeArray, len(v))
		for _, x := range v {
			e.control(typeString, len(x))
			e.WriteString(x)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic output
		e.control(typeMap, len(v))
		for _, k := range keys {
			e.control(typeString, len(k))
			e.WriteString(k)
			if err := e.value(v[k]); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	default:
		return fmt.Errorf("unsupported type %T", v)
	}
	return nil
}
