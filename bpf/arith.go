package bpf

// Arithmetic expressions: "expr relop expr" over constants, len and packet
// accessors proto[off:size].

type arithKind uint8

const (
	aConst arithKind = iota
	aLen
	aLoad
	aBin
	aNeg
)

type aexpr struct {
	kind arithKind
	k    uint32
	alu  uint16 // aBin: aluADD, …
	l, r *aexpr // aBin operands; aNeg: l
	size uint16 // aLoad: szB, szH, szW
	base base   // aLoad
	idx  *aexpr // aLoad: offset from base
}

func aconst(k uint32) *aexpr { return &aexpr{kind: aConst, k: k} }

// binary folds constant operands; division and modulo by a constant zero
// and constant shifts past 31 bits are errors, as in libpcap.
func (c *compiler) binary(pos int, op uint16, l, r *aexpr) *aexpr {
	if r.kind == aConst {
		switch op {
		case aluDIV, aluMOD:
			if r.k == 0 {
				c.fail(pos, "division by zero")
			}
		case aluLSH, aluRSH:
			if r.k > 31 {
				c.fail(pos, "shift by more than 31 bits")
			}
		}
	}
	if l.kind == aConst && r.kind == aConst {
		a, b := l.k, r.k
		var v uint32
		switch op {
		case aluADD:
			v = a + b
		case aluSUB:
			v = a - b
		case aluMUL:
			v = a * b
		case aluDIV:
			v = a / b
		case aluMOD:
			v = a % b
		case aluAND:
			v = a & b
		case aluOR:
			v = a | b
		case aluXOR:
			v = a ^ b
		case aluLSH:
			v = a << b
		case aluRSH:
			v = a >> b
		}
		return aconst(v)
	}
	return &aexpr{kind: aBin, alu: op, l: l, r: r}
}

func negate(e *aexpr) *aexpr {
	if e.kind == aConst {
		return aconst(-e.k)
	}
	return &aexpr{kind: aNeg, l: e}
}

// simple returns e as an X set-up plus A code when it is a load at a
// constant offset (or len) followed by operations with constants: such
// values can share X set-up and cached loads with other tests.
func simple(e *aexpr) (value, bool) {
	switch e.kind {
	case aLen:
		return value{as: []insn{ldLen()}}, true
	case aLoad:
		if e.idx.kind == aConst {
			return e.base.load(e.size, e.idx.k), true
		}
	case aBin:
		if e.r.kind == aConst {
			if v, ok := simple(e.l); ok {
				v.as = append(append([]insn(nil), v.as...), aluK(e.alu, e.r.k))
				return v, true
			}
		}
	case aNeg:
		if v, ok := simple(e.l); ok {
			v.as = append(append([]insn(nil), v.as...), aluK(aluNEG, 0))
			return v, true
		}
	}
	return value{}, false
}

type arithGen struct {
	c    *compiler
	pos  int
	code []insn
	next uint32 // next free scratch slot
}

func (g *arithGen) alloc() uint32 {
	if g.next >= memWords {
		g.c.unsupported(g.pos, "expression needs more than %d scratch slots", memWords-1)
	}
	g.next++
	return g.next - 1
}

func (g *arithGen) emit(ins ...insn) { g.code = append(g.code, ins...) }

// gen appends code that leaves the value of e in A (X is clobbered).
func (g *arithGen) gen(e *aexpr) {
	switch e.kind {
	case aConst:
		g.emit(ldImm(e.k))
	case aLen:
		g.emit(ldLen())
	case aLoad:
		if e.idx.kind == aConst {
			v := e.base.load(e.size, e.idx.k)
			g.emit(v.xs...)
			g.emit(v.as...)
			return
		}
		g.gen(e.idx)
		xs, _ := e.base.xsetup()
		if xs == nil {
			g.emit(tax(), ldInd(e.size, e.base.off))
			return
		}
		t := g.alloc()
		g.emit(st(t))
		g.emit(xs...)
		g.emit(ldMem(t), aluX(aluADD), tax(), ldInd(e.size, e.base.off))
		g.next--
	case aBin:
		if e.r.kind == aConst {
			g.gen(e.l)
			g.emit(aluK(e.alu, e.r.k))
			return
		}
		// Left operand first: left-deep chains (a + b + c) need one slot.
		g.gen(e.l)
		t := g.alloc()
		g.emit(st(t))
		g.gen(e.r)
		g.emit(tax(), ldMem(t), aluX(e.alu))
		g.next--
	case aNeg:
		g.gen(e.l)
		g.emit(aluK(aluNEG, 0))
	}
}

// relation compiles "l op r" into a test.
func (c *compiler) relation(pos int, l *aexpr, op string, r *aexpr) node {
	if l.kind == aConst && r.kind != aConst {
		l, r = r, l
		switch op {
		case "<":
			op = ">"
		case ">":
			op = "<"
		case "<=":
			op = ">="
		case ">=":
			op = "<="
		}
	}
	var jop uint16
	negate := false
	switch op {
	case ">":
		jop = jmpJGT
	case ">=":
		jop = jmpJGE
	case "=", "==":
		jop = jmpJEQ
	case "!=":
		jop, negate = jmpJEQ, true
	case "<":
		jop, negate = jmpJGE, true
	case "<=":
		jop, negate = jmpJGT, true
	}
	var n node
	switch {
	case l.kind == aConst && r.kind == aConst:
		a, b := l.k, r.k
		var v bool
		switch jop {
		case jmpJGT:
			v = a > b
		case jmpJGE:
			v = a >= b
		default:
			v = a == b
		}
		n = constNode(v)
	case r.kind == aConst:
		k := r.k
		if jop == jmpJEQ && k == 0 && l.kind == aBin && l.alu == aluAND && l.r.kind == aConst {
			// "x & m = 0" is "not (x & m)": one jset.
			l, jop, k, negate = l.l, jmpJSET, l.r.k, !negate
		}
		if v, ok := simple(l); ok {
			n = cmp(v, jop, k)
			break
		}
		g := &arithGen{c: c, pos: pos, next: 1}
		g.gen(l)
		n = atomNode{newAtom(nil, false, g.code, true, jop, k)}
	default:
		g := &arithGen{c: c, pos: pos, next: 1}
		t := g.alloc()
		g.gen(r)
		g.emit(st(t))
		g.gen(l)
		g.emit(ldxMem(t))
		n = atomNode{newAtom(nil, false, g.code, true, jop|srcX, 0)}
	}
	if negate {
		n = not(n)
	}
	return n
}
