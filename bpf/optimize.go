package bpf

import (
	"slices"

	"golang.org/x/net/bpf"
)

// ins is an instruction whose jumps hold absolute instruction indexes.
type ins struct {
	op     uint16
	k      uint32
	jump   bool // jt (and jf for a conditional jump) are set
	jt, jf int
}

func (in ins) isJA() bool   { return in.jump && in.op == clsJMP|jmpJA }
func (in ins) isCond() bool { return in.jump && in.op != clsJMP|jmpJA }

// Register and scratch-memory use, for liveness.
const (
	useA = 1 << 16
	useX = 1 << 17
)

// reads and writes return the registers (useA, useX) and scratch slots
// (bits 0-15) an instruction reads and writes.
func (in ins) reads() uint32 {
	switch in.op & 0x07 {
	case clsLD:
		switch in.op & 0xe0 {
		case modeIND:
			return useX
		case modeMEM:
			return 1 << (in.k & (memWords - 1))
		}
	case clsLDX:
		if in.op&0xe0 == modeMEM {
			return 1 << (in.k & (memWords - 1))
		}
	case clsST:
		return useA
	case clsSTX:
		return useX
	case clsALU:
		if in.op&0xf0 != aluNEG && in.op&srcX != 0 {
			return useA | useX
		}
		return useA
	case clsJMP:
		if in.isJA() {
			return 0
		}
		if in.op&srcX != 0 {
			return useA | useX
		}
		return useA
	case clsRET:
		if in.op&retA != 0 {
			return useA
		}
	case clsMISC:
		if in.op&0xf8 == miscTXA {
			return useX
		}
		return useA
	}
	return 0
}

func (in ins) writes() uint32 {
	switch in.op & 0x07 {
	case clsLD, clsALU:
		return useA
	case clsLDX:
		return useX
	case clsST, clsSTX:
		return 1 << (in.k & (memWords - 1))
	case clsMISC:
		if in.op&0xf8 == miscTXA {
			return useA
		}
		return useX
	}
	return 0
}

// optimize simplifies a program the way libpcap's optimizer does in the
// cases that matter here: a conditional jump whose two targets are the
// same becomes a goto, jumps to gotos go straight to their targets,
// computations whose result is never used are dropped, and so are
// unreachable instructions. (Dropping an unused load also drops its
// "outside the packet: reject" effect, as libpcap does.)
func optimize(code []ins) []ins {
	for range 8 {
		next, changed := optimizeOnce(code)
		code = next
		if !changed {
			break
		}
	}
	return code
}

func optimizeOnce(code []ins) ([]ins, bool) {
	n := len(code)
	fwd := make([]int, n+1)     // where a jump to i lands once gotos and dead code are skipped
	live := make([]uint32, n+1) // registers and slots live before i
	dead := make([]bool, n+1)
	fwd[n] = n
	changed := false
	// Jumps only go forward: one backward sweep sees every target done.
	for i := n - 1; i >= 0; i-- {
		in := code[i]
		if in.jump {
			jt, jf := fwd[in.jt], in.jf
			if in.isCond() {
				jf = fwd[in.jf]
			}
			if jt != in.jt || jf != in.jf {
				changed = true
			}
			in.jt, in.jf = jt, jf
			if in.isCond() && in.jt == in.jf {
				in = ins{op: clsJMP | jmpJA, jump: true, jt: in.jt}
				changed = true
			}
			code[i] = in
		}
		if in.isJA() {
			// Jumps to a goto go to its target; the goto itself stays only
			// if an instruction falls through into it.
			fwd[i] = in.jt
			live[i] = live[in.jt]
			continue
		}
		var out uint32
		switch {
		case in.op&0x07 == clsRET:
		case in.isCond():
			out = live[in.jt] | live[in.jf]
		default:
			out = live[i+1]
		}
		if w := in.writes(); w != 0 && out&w == 0 {
			dead[i] = true
			fwd[i] = fwd[i+1]
			live[i] = out
			changed = true
			continue
		}
		fwd[i] = i
		live[i] = out&^in.writes() | in.reads()
	}
	// Forward: what is reached, and which gotos are fallen into.
	keep := make([]bool, n)
	reach := make([]bool, n+1)
	reach[0] = true
	for i, in := range code {
		if !reach[i] {
			if in.isJA() || !dead[i] {
				changed = true
			}
			continue
		}
		switch {
		case dead[i]:
			reach[i+1] = true
		case in.op&0x07 == clsRET:
			keep[i] = true
		case in.isJA():
			if in.jt == i+1 {
				reach[i+1] = true
				changed = true
			} else {
				keep[i] = true
				reach[in.jt] = true
			}
		case in.isCond():
			keep[i] = true
			reach[in.jt], reach[in.jf] = true, true
		default:
			keep[i] = true
			reach[i+1] = true
		}
	}
	// Compact.
	idx := make([]int, n+1)
	m := 0
	for i := range code {
		idx[i] = m
		if keep[i] {
			m++
		}
	}
	idx[n] = m
	out := make([]ins, 0, m)
	for i, in := range code {
		if !keep[i] {
			continue
		}
		if in.jump {
			in.jt = idx[in.jt]
			if in.isCond() {
				in.jf = idx[in.jf]
			}
		}
		out = append(out, in)
	}
	return out, changed
}

// encode turns indexes into offsets, routing conditional jumps longer than
// 255 instructions through gotos placed right after them.
func encode(code []ins) ([]bpf.RawInstruction, error) {
	for {
		changed := false
		for i := 0; i < len(code); i++ {
			in := code[i]
			if !in.isCond() {
				continue
			}
			farT, farF := in.jt-i-1 > 255, in.jf-i-1 > 255
			if !farT && !farF {
				continue
			}
			var extra []ins
			if farT {
				extra = append(extra, ins{op: clsJMP | jmpJA, jump: true, jt: in.jt})
			}
			if farF {
				extra = append(extra, ins{op: clsJMP | jmpJA, jump: true, jt: in.jf})
			}
			// Shift every target past i, then aim i at the gotos.
			for j := range code {
				c := &code[j]
				if !c.jump {
					continue
				}
				if c.jt > i {
					c.jt += len(extra)
				}
				if c.isCond() && c.jf > i {
					c.jf += len(extra)
				}
			}
			for j := range extra {
				if extra[j].jt > i {
					extra[j].jt += len(extra)
				}
			}
			if farT {
				code[i].jt = i + 1
			}
			if farF {
				code[i].jf = i + len(extra)
			}
			code = slices.Insert(code, i+1, extra...)
			changed = true
		}
		if !changed {
			break
		}
	}
	if len(code) > maxInstructions {
		return nil, errTooLong
	}
	out := make([]bpf.RawInstruction, len(code))
	for i, in := range code {
		r := bpf.RawInstruction{Op: in.op, K: in.k}
		switch {
		case in.isJA():
			r.K = uint32(in.jt - i - 1)
		case in.isCond():
			r.Jt = uint8(in.jt - i - 1)
			r.Jf = uint8(in.jf - i - 1)
		}
		out[i] = r
	}
	return out, nil
}
