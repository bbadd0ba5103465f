package bpf

import (
	"slices"

	"golang.org/x/net/bpf"
)

// The code generator turns a boolean tree into straight-line BPF with
// forward jumps only: each node is compiled knowing where to go when it is
// true and where when it is false (labels placed later). While doing so it
// remembers, for every jump, what A and X hold and what is known of A (equal
// to k, or different from some values): a test whose load is already in A
// does not reload it, and a test whose result is already known is not
// emitted at all (the jumps into it go straight to its outcome).

type label int

type cinsn struct {
	insn
	jump   bool  // conditional jump (jt, jf) or, when op is JA, goto jt
	jt, jf label // targets of a jump
}

// edge is what is known when control arrives somewhere by one jump: the
// computation whose value A holds (akey), the one X holds (xkey), and
// facts learnt on the way about computed values (keyed like akey: every
// key names a pure function of the packet, so facts stay true).
type edge struct {
	akey, xkey string
	facts      []fact // never modified in place: shared between edges
}

// fact: the value of key is one of in (when in is not nil) and none of
// neq.
type fact struct {
	key string
	in  []uint32
	neq []uint32
}

// maxFacts bounds what an edge remembers, maxIn the values of a set.
const (
	maxFacts = 32
	maxIn    = 16
)

func (e edge) lookup(k string) (fact, bool) {
	for _, f := range e.facts {
		if f.key == k {
			return f, true
		}
	}
	return fact{}, false
}

// holds evaluates "v jop k".
func holds(v uint32, jop uint16, k uint32) bool {
	switch jop {
	case jmpJEQ:
		return v == k
	case jmpJGT:
		return v > k
	case jmpJGE:
		return v >= k
	case jmpJSET:
		return v&k != 0
	}
	return false
}

// learn returns e knowing that "value of key jop k" is outcome.
func (e edge) learn(key string, jop uint16, k uint32, outcome bool) edge {
	f, _ := e.lookup(key)
	f.key = key
	switch {
	case f.in != nil:
		var in []uint32
		for _, v := range f.in {
			if holds(v, jop, k) == outcome {
				in = append(in, v)
			}
		}
		f.in = in
		if in == nil {
			f.in = []uint32{} // contradiction: cannot happen at run time
		}
	case jop == jmpJEQ && outcome:
		f.in, f.neq = []uint32{k}, nil
	case jop == jmpJEQ:
		if !slices.Contains(f.neq, k) {
			f.neq = append(slices.Clip(f.neq), k)
		}
	default:
		return e
	}
	facts := make([]fact, 0, len(e.facts)+1)
	for _, g := range e.facts {
		if g.key != key {
			facts = append(facts, g)
		}
	}
	facts = append(facts, f)
	if len(facts) > maxFacts {
		facts = facts[len(facts)-maxFacts:]
	}
	e.facts = facts
	return e
}

// edgeRef is one jump into a label: its own label (the jump instruction
// refers to it, so it can be re-aimed alone) and what it knows.
type edgeRef struct {
	l  label
	st edge
}

type labelInfo struct {
	in    []edgeRef // jumps arriving here
	alias label     // -1, or where this label now leads
	pos   int       // instruction index once bound, else -1
}

type codegen struct {
	code    []cinsn
	labels  []labelInfo
	pending []label // labels of the next instruction
}

func (g *codegen) newLabel() label {
	g.labels = append(g.labels, labelInfo{alias: -1, pos: -1})
	return label(len(g.labels) - 1)
}

func (g *codegen) resolve(l label) label {
	for g.labels[l].alias >= 0 {
		l = g.labels[l].alias
	}
	return l
}

// jumpTo records a jump to target knowing st, and returns the label the
// jump instruction refers to.
func (g *codegen) jumpTo(target label, st edge) label {
	e := g.newLabel()
	g.redirect(edgeRef{e, st}, target)
	return e
}

// redirect makes the jump e arrive at target.
func (g *codegen) redirect(e edgeRef, target label) {
	t := g.resolve(target)
	g.labels[e.l].alias = t
	g.labels[t].in = append(g.labels[t].in, e)
}

// place makes l the label of the next instruction.
func (g *codegen) place(l label) {
	g.pending = append(g.pending, l)
}

// arriving takes the jumps into the current position.
func (g *codegen) arriving() []edgeRef {
	var all []edgeRef
	for _, l := range g.pending {
		all = append(all, g.labels[l].in...)
		g.labels[l].in = nil
	}
	g.pending = g.pending[:0]
	return all
}

// bindHere makes the jumps es arrive at the next instruction.
func (g *codegen) bindHere(es []edgeRef) {
	for _, e := range es {
		if e.l < 0 {
			continue // a state, not a jump
		}
		g.labels[e.l].alias = -1
		g.labels[e.l].pos = len(g.code)
	}
}

// aliasPending sends every jump into the current position to t instead.
func (g *codegen) aliasPending(t label) {
	for _, e := range g.arriving() {
		g.redirect(e, t)
	}
}

func (g *codegen) emit(in insn) {
	g.code = append(g.code, cinsn{insn: in})
}

// merge returns what holds on every one of es.
func merge(es []edge) edge {
	if len(es) == 0 {
		return edge{}
	}
	m := edge{akey: es[0].akey, xkey: es[0].xkey}
	for _, e := range es[1:] {
		if e.akey != m.akey {
			m.akey = ""
		}
		if e.xkey != m.xkey {
			m.xkey = ""
		}
	}
	if len(es) == 1 {
		m.facts = es[0].facts
		return m
	}
	for _, f := range es[0].facts {
		all := []fact{f}
		for _, e := range es[1:] {
			g, ok := e.lookup(f.key)
			if !ok {
				all = nil
				break
			}
			all = append(all, g)
		}
		if all == nil {
			continue
		}
		mf := fact{key: f.key}
		// The value is in the union of the sets when every path has one.
		var union []uint32
		for _, g := range all {
			if g.in == nil {
				union = nil
				break
			}
			union = append(union, g.in...)
			if union == nil {
				union = []uint32{}
			}
		}
		if union != nil {
			slices.Sort(union)
			mf.in = slices.Compact(union)
			if len(mf.in) > maxIn {
				mf.in = nil
			}
		}
		if mf.in == nil {
			// It differs from v when every path says so.
			for _, v := range f.neq {
				known := true
				for _, g := range all[1:] {
					if !(g.in != nil && !slices.Contains(g.in, v) || g.in == nil && slices.Contains(g.neq, v)) {
						known = false
						break
					}
				}
				if known {
					mf.neq = append(mf.neq, v)
				}
			}
			for _, v := range f.in {
				known := true
				for _, g := range all {
					if !(g.in != nil && !slices.Contains(g.in, v) || g.in == nil && slices.Contains(g.neq, v)) {
						known = false
						break
					}
				}
				if known && !slices.Contains(mf.neq, v) {
					mf.neq = append(mf.neq, v)
				}
			}
			if len(mf.neq) == 0 {
				continue
			}
		}
		m.facts = append(m.facts, mf)
	}
	return m
}

// decide returns the outcome of "value jop k" when f tells it.
func decide(f fact, jop uint16, k uint32) (result, known bool) {
	if jop&srcX != 0 {
		return false, false
	}
	if f.in != nil {
		if len(f.in) == 0 {
			return false, true // unreachable: any answer will do
		}
		r := holds(f.in[0], jop, k)
		for _, v := range f.in[1:] {
			if holds(v, jop, k) != r {
				return false, false
			}
		}
		return r, true
	}
	if jop == jmpJEQ && slices.Contains(f.neq, k) {
		return false, true
	}
	return false, false
}

func (g *codegen) gen(n node, t, f label) {
	switch v := n.(type) {
	case constNode:
		if v {
			g.aliasPending(t)
		} else {
			g.aliasPending(f)
		}
	case andNode:
		l := g.newLabel()
		g.gen(v.l, l, f)
		g.place(l)
		g.gen(v.r, t, f)
	case orNode:
		l := g.newLabel()
		g.gen(v.l, t, l)
		g.place(l)
		g.gen(v.r, t, f)
	case notNode:
		g.gen(v.x, f, t)
	case ifNode:
		lt, le := g.newLabel(), g.newLabel()
		g.gen(v.cond, lt, le)
		g.place(lt)
		g.gen(v.then, t, f)
		g.place(le)
		g.gen(v.els, t, f)
	case atomNode:
		g.atom(v.a, t, f)
	case mergeable:
		g.gen(v.build(v.items), t, f)
	}
}

// atom emits a test. Each arriving jump enters where it needs to: before
// the X set-up, before the load, or right at the comparison when A already
// holds the value; a jump for which the outcome is known goes straight to
// it.
func (g *codegen) atom(a *atom, t, f label) {
	cmpX := a.jop&srcX != 0
	var toXS, toAS, toJ []edgeRef
	for _, e := range g.arriving() {
		if !cmpX {
			if fa, ok := e.st.lookup(a.akey); ok {
				if r, ok := decide(fa, a.jop, a.k); ok {
					if r {
						g.redirect(e, t)
					} else {
						g.redirect(e, f)
					}
					continue
				}
			}
			if e.st.akey == a.akey {
				toJ = append(toJ, e)
				continue
			}
		}
		if len(a.xs) > 0 && e.st.xkey != a.xkey {
			toXS = append(toXS, e)
		} else {
			toAS = append(toAS, e)
		}
	}
	if len(toXS)+len(toAS)+len(toJ) == 0 {
		return
	}
	var at []edge // states at the comparison
	if len(toXS) > 0 {
		g.bindHere(toXS)
		for _, in := range a.xs {
			g.emit(in)
		}
	}
	if len(toXS)+len(toAS) > 0 {
		g.bindHere(toAS)
		for _, in := range a.as {
			g.emit(in)
		}
		for _, e := range toXS {
			st := e.st
			st.akey, st.xkey = a.akey, a.xkey
			if a.asClobX {
				st.xkey = ""
			}
			at = append(at, st)
		}
		for _, e := range toAS {
			st := e.st
			st.akey = a.akey
			if a.asClobX {
				st.xkey = ""
			}
			at = append(at, st)
		}
	}
	g.bindHere(toJ)
	for _, e := range toJ {
		at = append(at, e.st)
	}
	st := merge(at)
	et, ef := st, st
	if cmpX {
		et.akey, ef.akey = "", ""
	} else {
		et = st.learn(a.akey, a.jop, a.k, true)
		ef = st.learn(a.akey, a.jop, a.k, false)
	}
	i := len(g.code)
	g.code = append(g.code, cinsn{insn: insn{clsJMP | a.jop, a.k}, jump: true})
	g.code[i].jt = g.jumpTo(t, et)
	g.code[i].jf = g.jumpTo(f, ef)
}

// program compiles root into instructions returning snaplen on a match
// and 0 otherwise; prologue runs first.
func program(root node, prologue []insn, snaplen uint32) ([]bpf.RawInstruction, error) {
	g := &codegen{}
	for _, in := range prologue {
		g.emit(in)
	}
	start, lt, lf := g.newLabel(), g.newLabel(), g.newLabel()
	g.jumpTo(start, edge{})
	g.place(start)
	g.gen(root, lt, lf)
	for _, l := range []label{lt, lf} {
		g.place(l)
		if es := g.arriving(); len(es) > 0 {
			g.bindHere(es)
			k := uint32(0)
			if l == lt {
				k = snaplen
			}
			g.emit(insn{clsRET | retK, k})
		}
	}
	return g.assemble()
}

// assemble resolves labels into instruction indexes, optimizes, and
// encodes.
func (g *codegen) assemble() ([]bpf.RawInstruction, error) {
	code := make([]ins, len(g.code))
	for i, c := range g.code {
		code[i] = ins{op: c.op, k: c.k, jump: c.jump}
		if c.jump {
			code[i].jt = g.labels[g.resolve(c.jt)].pos
			code[i].jf = g.labels[g.resolve(c.jf)].pos
		}
	}
	return encode(optimize(code))
}
