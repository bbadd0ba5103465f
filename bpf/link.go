package bpf

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

var errTooLong = errors.New("program longer than 4096 instructions")

type linkKind int

const (
	linkEthernet linkKind = iota
	linkSLL               // Linux cooked v1: 16-byte header, protocol at 14
	linkSLL2              // Linux cooked v2: 20-byte header, protocol at 0
	linkRaw               // raw IP: the version nibble tells IPv4 from IPv6
	linkIPv4              // raw IPv4 only
	linkIPv6              // raw IPv6 only
	linkNull              // BSD loopback: 4-byte address family
)

func linkOf(lt layers.LinkType) (linkKind, string, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return linkEthernet, "Ethernet", true
	case layers.LinkTypeLinuxSLL:
		return linkSLL, "Linux cooked v1", true
	case 276:
		return linkSLL2, "Linux cooked v2", true
	case 12, 14, layers.LinkTypeRaw:
		return linkRaw, "Raw IP", true
	case layers.LinkTypeIPv4:
		return linkIPv4, "Raw IPv4", true
	case layers.LinkTypeIPv6:
		return linkIPv6, "Raw IPv6", true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return linkNull, "BSD loopback", true
	}
	return 0, "", false
}

// compileError is raised (panicked) inside the compiler and turned into
// the error Compile returns.
type compileError struct{ err *Error }

type compiler struct {
	expr     string
	link     linkKind
	linkName string
	vlans    int  // vlan keywords seen so far: each shifts what follows by 4
	vlanUsed bool // the program needs the VLAN shift prologue
}

func (c *compiler) fail(pos int, format string, args ...any) {
	panic(compileError{&Error{Expr: c.expr, Pos: pos, Msg: fmt.Sprintf(format, args...)}})
}

func (c *compiler) unsupported(pos int, format string, args ...any) {
	panic(compileError{&Error{Expr: c.expr, Pos: pos, Msg: fmt.Sprintf(format, args...), Unsupported: true}})
}

// base is where a header starts in the frame: a constant offset, plus the
// VLAN shift kept in scratch memory (after a vlan keyword on Ethernet),
// plus four times the IHL of the IPv4 header at ipOff (for transport
// headers).
type base struct {
	off   uint32
	vlan  bool
	ihl   bool
	ipOff uint32
}

// xsetup returns the code that puts the variable part of b into X.
func (b base) xsetup() (xs []insn, clobA bool) {
	switch {
	case b.vlan && b.ihl:
		return []insn{ldxMem(vlanSlot), ldInd(szB, b.ipOff), aluK(aluAND, 0xf), aluK(aluLSH, 2), aluX(aluADD), tax()}, true
	case b.vlan:
		return []insn{ldxMem(vlanSlot)}, false
	case b.ihl:
		return []insn{ldxMSH(b.ipOff)}, false
	}
	return nil, false
}

func (b base) plus(n uint32) base { b.off += n; return b }

// load reads size bytes (szB, szH, szW) at rel from b.
func (b base) load(size uint16, rel uint32) value {
	xs, clob := b.xsetup()
	if xs == nil {
		return value{as: []insn{ldAbs(size, b.off+rel)}}
	}
	return value{xs: xs, xsClobA: clob, as: []insn{ldInd(size, b.off+rel)}}
}

// nh is the start of the network-layer header.
func (c *compiler) nh() base {
	switch c.link {
	case linkEthernet:
		if c.vlans == 0 {
			return base{off: 14}
		}
		return base{off: 14 + 4*uint32(c.vlans-1), vlan: true}
	case linkSLL:
		return base{off: 16}
	case linkSLL2:
		return base{off: 20}
	case linkNull:
		return base{off: 4}
	}
	return base{}
}

// transport is the start of the header that follows the IPv4 header.
func (c *compiler) transport() base {
	nh := c.nh()
	return base{off: nh.off, vlan: nh.vlan, ihl: true, ipOff: nh.off}
}

// linkProto tests that the link layer carries EtherType et.
func (c *compiler) linkProto(pos int, et uint32) node {
	switch c.link {
	case linkEthernet:
		nh := c.nh()
		typ := base{off: nh.off - 2, vlan: nh.vlan}
		if et <= etherMTU {
			// An 802.3 length field, then an LLC header whose DSAP is et.
			return and(not(gt(typ.load(szH, 0), etherMTU)), eq(typ.load(szB, 2), et))
		}
		return eq(typ.load(szH, 0), et)
	case linkSLL, linkSLL2:
		if et <= etherMTU {
			c.unsupported(pos, "802.2 protocol %d on %s", et, c.linkName)
		}
		off := uint32(14)
		if c.link == linkSLL2 {
			off = 0
		}
		return eq(base{off: off}.load(szH, 0), et)
	case linkRaw:
		ver := base{}.load(szB, 0).masked(0xf0)
		switch et {
		case etherIPv4:
			return eq(ver, 0x40)
		case etherIPv6:
			return eq(ver, 0x60)
		}
		return nFalse
	case linkIPv4:
		return constNode(et == etherIPv4)
	case linkIPv6:
		return constNode(et == etherIPv6)
	case linkNull:
		fam := base{}.load(szW, 0)
		// The family is in the byte order of the host that captured:
		// accept both (the values cannot be mistaken for one another).
		var fams []uint32
		switch et {
		case etherIPv4:
			fams = []uint32{2}
		case etherIPv6:
			fams = []uint32{24, 28, 30} // BSD, FreeBSD, Darwin
		default:
			return nFalse
		}
		var ns []node
		for _, f := range fams {
			ns = append(ns, eq(fam, f<<24), eq(fam, f))
		}
		return or(ns...)
	}
	return nFalse
}

func (c *compiler) ip(pos int) node   { return c.linkProto(pos, etherIPv4) }
func (c *compiler) ip6(pos int) node  { return c.linkProto(pos, etherIPv6) }
func (c *compiler) arp(pos int) node  { return c.linkProto(pos, etherARP) }
func (c *compiler) rarp(pos int) node { return c.linkProto(pos, etherRARP) }

// ipProto: IPv4 with protocol p.
func (c *compiler) ipProto(pos int, p uint32) node {
	return and(c.ip(pos), eq(c.nh().load(szB, 9), p))
}

// ip6Proto: IPv6 whose next header is p, or a fragment header followed by
// p (the header chain is not walked further, as in libpcap).
func (c *compiler) ip6Proto(pos int, p uint32) node {
	nh := c.nh()
	next := nh.load(szB, 6)
	return and(c.ip6(pos), or(eq(next, p), and(eq(next, ipv6FragmentHeader), eq(nh.load(szB, 40), p))))
}

func (c *compiler) anyProto(pos int, p uint32) node {
	return or(c.ipProto(pos, p), c.ip6Proto(pos, p))
}

// notFragment: the IPv4 fragment offset is zero.
func (c *compiler) notFragment() node {
	return not(set(c.nh().load(szH, 6), 0x1fff))
}

type dirKind int

const (
	dirSrcOrDst dirKind = iota
	dirSrc
	dirDst
	dirSrcAndDst
)

func byDir(d dirKind, src, dst func() node) node {
	switch d {
	case dirSrc:
		return src()
	case dirDst:
		return dst()
	case dirSrcAndDst:
		return and(src(), dst())
	}
	return or(src(), dst())
}

// masked32 tests the 32-bit word v under mask m against addr.
func masked32(v value, addr, m uint32) node {
	if m == 0 {
		return nTrue
	}
	if m != 0xffffffff {
		v = v.masked(m)
	}
	return eq(v, addr&m)
}

// merged returns build(item) as a primitive that "or" can merge with
// others of the same key (not for "src and dst", which does not
// distribute).
func merged(key string, d dirKind, item any, build func([]any) node) node {
	if d == dirSrcAndDst {
		return build([]any{item})
	}
	return mergeable{key: key, items: []any{item}, build: build}
}

// anyOf is the or of f over items.
func anyOf[T any](items []any, f func(T) node) node {
	var ns []node
	for _, it := range items {
		ns = append(ns, f(it.(T)))
	}
	return or(ns...)
}

// hostV4 matches an IPv4 address (under mask) in IPv4 (proto "ip"), ARP
// or RARP headers; proto "" means all three.
func (c *compiler) hostV4(pos int, proto string, d dirKind, addr, mask uint32) node {
	nh := c.nh()
	var ip, arps node
	switch proto {
	case "ip":
		ip, arps = c.ip(pos), nFalse
	case "arp":
		ip, arps = nFalse, c.arp(pos)
	case "rarp":
		ip, arps = nFalse, c.rarp(pos)
	default:
		ip, arps = c.ip(pos), or(c.arp(pos), c.rarp(pos))
	}
	at := func(items []any, off uint32) func() node {
		return func() node {
			return anyOf(items, func(am [2]uint32) node { return masked32(nh.load(szW, off), am[0], am[1]) })
		}
	}
	build := func(items []any) node {
		return or(and(ip, byDir(d, at(items, 12), at(items, 16))),
			and(arps, byDir(d, at(items, 14), at(items, 24))))
	}
	return merged(fmt.Sprint("host4", proto, d, c.vlans), d, [2]uint32{addr, mask}, build)
}

// hostV6 matches an IPv6 address under mask.
func (c *compiler) hostV6(pos int, d dirKind, addr, mask [16]byte) node {
	nh := c.nh()
	ip6 := c.ip6(pos)
	one := func(off uint32, am [2][16]byte) node {
		var ns []node
		for w := range uint32(4) {
			a := binary.BigEndian.Uint32(am[0][4*w:])
			m := binary.BigEndian.Uint32(am[1][4*w:])
			ns = append(ns, masked32(nh.load(szW, off+4*w), a, m))
		}
		return and(ns...)
	}
	at := func(items []any, off uint32) func() node {
		return func() node {
			return anyOf(items, func(am [2][16]byte) node { return one(off, am) })
		}
	}
	build := func(items []any) node {
		return and(ip6, byDir(d, at(items, 8), at(items, 24)))
	}
	return merged(fmt.Sprint("host6", d, c.vlans), d, [2][16]byte{addr, mask}, build)
}

// etherHost matches a MAC address in the Ethernet header.
func (c *compiler) etherHost(pos int, d dirKind, mac [6]byte) node {
	if c.link != linkEthernet {
		c.fail(pos, "Ethernet addresses need an Ethernet link, not %s", c.linkName)
	}
	one := func(off uint32, mac [6]byte) node {
		hi := uint32(binary.BigEndian.Uint16(mac[0:]))
		lo := binary.BigEndian.Uint32(mac[2:])
		return and(eq(base{}.load(szW, off+2), lo), eq(base{}.load(szH, off), hi))
	}
	at := func(items []any, off uint32) func() node {
		return func() node {
			return anyOf(items, func(m [6]byte) node { return one(off, m) })
		}
	}
	build := func(items []any) node { return byDir(d, at(items, 6), at(items, 0)) }
	return merged(fmt.Sprint("ether", d), d, mac, build)
}

// ports matches TCP/UDP/SCTP ports lo..hi (one port when lo == hi) for the
// transport protocols protos, over IPv4 (first fragments only, after the
// IPv4 options) and IPv6 (fixed header directly followed by the transport
// header).
func (c *compiler) ports(pos int, protos []uint32, d dirKind, lo, hi uint32) node {
	protoIn := func(v value) node {
		var ns []node
		for _, p := range protos {
			ns = append(ns, eq(v, p))
		}
		return or(ns...)
	}
	nh := c.nh()
	tr := c.transport()
	ip, ip6, notFrag := c.ip(pos), c.ip6(pos), c.notFragment()
	in := func(items []any, v value) func() node {
		return func() node {
			return anyOf(items, func(r [2]uint32) node {
				if r[0] == r[1] {
					return eq(v, r[0])
				}
				return and(ge(v, r[0]), not(gt(v, r[1])))
			})
		}
	}
	build := func(items []any) node {
		v4 := and(ip, protoIn(nh.load(szB, 9)), notFrag, byDir(d, in(items, tr.load(szH, 0)), in(items, tr.load(szH, 2))))
		v6 := and(ip6, protoIn(nh.load(szB, 6)), byDir(d, in(items, nh.load(szH, 40)), in(items, nh.load(szH, 42))))
		return or(v4, v6)
	}
	return merged(fmt.Sprint("ports", protos, d, c.vlans), d, [2]uint32{lo, hi}, build)
}

// vlan matches an 802.1Q/802.1ad tag (with VLAN ID id when hasID) and
// shifts the offsets of what follows by 4. The first tag may sit in the
// packet (capture files) or, on a Linux socket, in metadata where the
// kernel moved it: the prologue records which in scratch memory, so the
// same program serves both.
func (c *compiler) vlan(pos int, id uint32, hasID bool) node {
	if c.link != linkEthernet {
		c.fail(pos, "no VLAN support for %s", c.linkName)
	}
	if hasID && id > 4095 {
		c.fail(pos, "VLAN ID %d greater than 4095", id)
	}
	var r node
	tpid := func(v value) node {
		return or(eq(v, etherVLAN), eq(v, etherQinQ), eq(v, etherQinQOld))
	}
	if c.vlans == 0 {
		c.vlanUsed = true
		inPacket := tpid(base{off: 12}.load(szH, 0))
		if hasID {
			inPacket = and(inPacket, eq(base{off: 14}.load(szH, 0).masked(0xfff), id))
		}
		inMeta := nTrue
		if hasID {
			inMeta = eq(value{as: []insn{ldAbs(szW, extVLANTag)}}.masked(0xfff), id)
		}
		present := gt(value{as: []insn{ldAbs(szW, extVLANTagPresent)}}, 0)
		r = ifThenElse(present, inMeta, inPacket)
	} else {
		typ := base{off: 12 + 4*uint32(c.vlans-1), vlan: true}
		r = tpid(typ.load(szH, 0))
		if hasID {
			r = and(r, eq(typ.load(szH, 2).masked(0xfff), id))
		}
	}
	c.vlans++
	return r
}

// vlanPrologue computes the VLAN shift: 0 when the kernel reports the tag
// in metadata (the tag is no longer in the packet), 4 otherwise.
func vlanPrologue() []insn {
	return []insn{
		ldAbs(szW, extVLANTagPresent), // 0 or 1
		aluK(aluLSH, 2),
		aluK(aluNEG, 0),
		aluK(aluADD, 4),
		st(vlanSlot),
	}
}
