package bpf

import (
	"encoding/binary"
	"slices"
)

// Classic BPF opcode fields (the instruction encoding shared by the Linux
// socket filter and the BSD packet filter).
const (
	clsLD   = 0x00
	clsLDX  = 0x01
	clsST   = 0x02
	clsSTX  = 0x03
	clsALU  = 0x04
	clsJMP  = 0x05
	clsRET  = 0x06
	clsMISC = 0x07

	szW = 0x00
	szH = 0x08
	szB = 0x10

	modeIMM = 0x00
	modeABS = 0x20
	modeIND = 0x40
	modeMEM = 0x60
	modeLEN = 0x80
	modeMSH = 0xa0

	aluADD = 0x00
	aluSUB = 0x10
	aluMUL = 0x20
	aluDIV = 0x30
	aluOR  = 0x40
	aluAND = 0x50
	aluLSH = 0x60
	aluRSH = 0x70
	aluNEG = 0x80
	aluMOD = 0x90
	aluXOR = 0xa0

	jmpJA   = 0x00
	jmpJEQ  = 0x10
	jmpJGT  = 0x20
	jmpJGE  = 0x30
	jmpJSET = 0x40

	srcK = 0x00
	srcX = 0x08

	retK = 0x00
	retA = 0x10

	miscTAX = 0x00
	miscTXA = 0x80

	// memWords is the number of scratch memory slots.
	memWords = 16
	// maxInstructions is the longest program the Linux kernel accepts.
	maxInstructions = 4096

	// Ancillary data: absolute loads at extBase+n read packet metadata on
	// Linux instead of packet bytes.
	extBase           = 0xfffff000
	extVLANTag        = extBase + 44
	extVLANTagPresent = extBase + 48
)

// vlanSlot is the scratch slot holding the VLAN shift: 4 when the tag is in
// the packet, 0 when the kernel moved it to metadata.
const vlanSlot = 0

// insn is a non-jump instruction.
type insn struct {
	op uint16
	k  uint32
}

func ldAbs(size uint16, off uint32) insn { return insn{clsLD | size | modeABS, off} }
func ldInd(size uint16, off uint32) insn { return insn{clsLD | size | modeIND, off} }
func ldImm(k uint32) insn                { return insn{clsLD | modeIMM, k} }
func ldLen() insn                        { return insn{clsLD | szW | modeLEN, 0} }
func ldMem(slot uint32) insn             { return insn{clsLD | modeMEM, slot} }
func ldxMem(slot uint32) insn            { return insn{clsLDX | modeMEM, slot} }
func ldxMSH(off uint32) insn             { return insn{clsLDX | szB | modeMSH, off} }
func st(slot uint32) insn                { return insn{clsST, slot} }
func aluK(op uint16, k uint32) insn      { return insn{clsALU | op | srcK, k} }
func aluX(op uint16) insn                { return insn{clsALU | op | srcX, 0} }
func tax() insn                          { return insn{clsMISC | miscTAX, 0} }

// key returns a string that identifies an instruction sequence: two
// sequences with the same key compute the same value.
func key(seqs ...[]insn) string {
	var b []byte
	for _, s := range seqs {
		for _, in := range s {
			b = binary.BigEndian.AppendUint16(b, in.op)
			b = binary.BigEndian.AppendUint32(b, in.k)
		}
		b = append(b, '|')
	}
	return string(b)
}

// atom is one test: compute A (after setting X up if needed) and jump on a
// comparison of A with k (or with X).
type atom struct {
	xs      []insn // sets X; may clobber A when xsClobA
	xsClobA bool
	as      []insn // computes A, may use X; clobbers X when asClobX
	asClobX bool
	jop     uint16 // jmpJEQ, jmpJGT, jmpJGE or jmpJSET, | srcX to compare with X
	k       uint32
	xkey    string
	akey    string
}

func newAtom(xs []insn, xsClobA bool, as []insn, asClobX bool, jop uint16, k uint32) *atom {
	a := &atom{xs: xs, xsClobA: xsClobA, as: as, asClobX: asClobX, jop: jop, k: k}
	if len(xs) > 0 {
		a.xkey = "X" + key(xs)
	}
	a.akey = "A" + key(xs, as)
	return a
}

// node is a boolean expression over atoms.
type node interface{ isNode() }

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ x node }
type constNode bool
type atomNode struct{ a *atom }

// mergeable is a primitive that "or" merges with another of the same key
// into one test over a set of values: "port 80 or 443" reads each port
// once and compares it with both.
type mergeable struct {
	key   string
	items []any
	build func(items []any) node
}

func (mergeable) isNode() {}

func (andNode) isNode()   {}
func (orNode) isNode()    {}
func (notNode) isNode()   {}
func (constNode) isNode() {}
func (atomNode) isNode()  {}

var (
	nTrue  node = constNode(true)
	nFalse node = constNode(false)
)

func isConst(n node, v bool) bool {
	c, ok := n.(constNode)
	return ok && bool(c) == v
}

func and(ns ...node) node {
	var r node
	for _, n := range ns {
		switch {
		case r == nil:
			r = n
		case isConst(r, false) || isConst(n, true):
		case isConst(r, true) || isConst(n, false):
			r = n
		default:
			r = andNode{r, n}
		}
	}
	if r == nil {
		return nTrue
	}
	return r
}

func or(ns ...node) node {
	var r node
	for _, n := range ns {
		if mr, ok := r.(mergeable); ok {
			if mn, ok := n.(mergeable); ok && mr.key == mn.key {
				r = mergeable{mr.key, append(slices.Clip(mr.items), mn.items...), mr.build}
				continue
			}
		}
		switch {
		case r == nil:
			r = n
		case isConst(r, true) || isConst(n, false):
		case isConst(r, false) || isConst(n, true):
			r = n
		default:
			r = orNode{r, n}
		}
	}
	if r == nil {
		return nFalse
	}
	return r
}

func not(n node) node {
	switch v := n.(type) {
	case constNode:
		return constNode(!bool(v))
	case notNode:
		return v.x
	}
	return notNode{n}
}

// test builds the atom "A op k" where A is loaded by as (after xs).
func test(xs []insn, xsClobA bool, as []insn, jop uint16, k uint32) node {
	return atomNode{newAtom(xs, xsClobA, as, false, jop, k)}
}

// cmpEq and friends test a value loaded from the packet.
func cmp(v value, jop uint16, k uint32) node {
	return test(v.xs, v.xsClobA, v.as, jop, k)
}

// value is a way to load a packet field into A: X set-up, then A code.
type value struct {
	xs      []insn
	xsClobA bool
	as      []insn
}

func (v value) masked(m uint32) value {
	as := append(append([]insn(nil), v.as...), aluK(aluAND, m))
	return value{v.xs, v.xsClobA, as}
}

func eq(v value, k uint32) node  { return cmp(v, jmpJEQ, k) }
func gt(v value, k uint32) node  { return cmp(v, jmpJGT, k) }
func ge(v value, k uint32) node  { return cmp(v, jmpJGE, k) }
func set(v value, k uint32) node { return cmp(v, jmpJSET, k) }

// ifNode is "cond ? then : els".
type ifNode struct{ cond, then, els node }

func (ifNode) isNode() {}

func ifThenElse(c, t, e node) node {
	if v, ok := c.(constNode); ok {
		if v {
			return t
		}
		return e
	}
	return ifNode{c, t, e}
}
