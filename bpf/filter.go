package bpf

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// DefaultSnaplen is the value accepting instructions return when Compile
// is given a snaplen of zero or less.
const DefaultSnaplen = 262144

// Compile compiles a pcap-filter(7) expression into classic BPF for frames
// of the given link type: Ethernet (1), raw IP (101, 12, 14), raw IPv4
// (228), raw IPv6 (229), Linux cooked v1 (113) and v2 (276), BSD loopback
// (0, 108). Accepting instructions return snaplen. The program can be
// attached to a Linux socket (after a vlan keyword it reads the tag from
// metadata when the kernel has taken it out of the packet) or run with a
// Filter. An empty expression accepts every frame.
//
// Errors are *Error values with the position of the offending token; those
// for valid pcap-filter syntax this compiler does not implement wrap
// ErrUnsupported.
func Compile(expr string, linkType layers.LinkType, snaplen int) ([]bpf.RawInstruction, error) {
	lk, name, ok := linkOf(linkType)
	if !ok {
		return nil, fmt.Errorf("bpf: link type %s (%d): %w", linkType, int(linkType), ErrUnsupported)
	}
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	c := &compiler{expr: expr, link: lk, linkName: name}
	root, err := c.parse(toks)
	if err != nil {
		return nil, err
	}
	var prologue []insn
	if c.vlanUsed {
		prologue = vlanPrologue()
	}
	prog, err := program(root, prologue, uint32(snaplen))
	if errors.Is(err, errTooLong) {
		return nil, &Error{Expr: expr, Pos: 0, Msg: "the compiled program is longer than 4096 instructions", Unsupported: true}
	}
	return prog, err
}

func (c *compiler) parse(toks []token) (n node, err error) {
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(compileError)
			if !ok {
				panic(r)
			}
			n, err = nil, ce.err
		}
	}()
	p := &parser{c: c, toks: toks}
	if p.peek().kind == tEOF {
		return nTrue, nil
	}
	n = p.parseExpr()
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			c.fail(t.pos, "unbalanced ')'")
		}
		c.fail(t.pos, "expected 'and', 'or' or the end of the expression, got %s", describe(t))
	}
	return n, nil
}

// Filter runs a compiled program in Go: the same instructions Compile
// returns, so that live and file filtering agree. It is safe for
// concurrent use; Match neither allocates nor panics.
type Filter struct {
	prog []bpf.RawInstruction
}

// NewFilter compiles expr (see Compile).
func NewFilter(expr string, linkType layers.LinkType, snaplen int) (*Filter, error) {
	prog, err := Compile(expr, linkType, snaplen)
	if err != nil {
		return nil, err
	}
	return NewFilterProgram(prog)
}

// NewFilterProgram wraps a program, after checking that it is well formed:
// known instructions, jumps inside the program, scratch slots in range,
// ending with a return.
func NewFilterProgram(prog []bpf.RawInstruction) (*Filter, error) {
	if err := validate(prog); err != nil {
		return nil, err
	}
	return &Filter{prog: prog}, nil
}

// Program returns the instructions (not a copy: do not modify them).
func (f *Filter) Program() []bpf.RawInstruction {
	if f == nil {
		return nil
	}
	return f.prog
}

// Match reports whether the frame (the captured bytes) passes the filter.
// The packet length that len, less and greater see is len(frame); use
// MatchLen when the frame was cut by a snap length.
func (f *Filter) Match(frame []byte) bool {
	if f == nil {
		return false
	}
	return run(f.prog, frame, uint32(len(frame)), ancillary{}) != 0
}

// MatchLen is Match with the length of the packet on the wire.
func (f *Filter) MatchLen(frame []byte, wireLen int) bool {
	if f == nil {
		return false
	}
	if wireLen < len(frame) {
		wireLen = len(frame)
	}
	return run(f.prog, frame, uint32(wireLen), ancillary{}) != 0
}

// Run returns what the program returns for the frame (0: rejected).
func (f *Filter) Run(frame []byte, wireLen int) uint32 {
	if f == nil {
		return 0
	}
	return run(f.prog, frame, uint32(wireLen), ancillary{})
}

func validate(prog []bpf.RawInstruction) error {
	if len(prog) == 0 || len(prog) > maxInstructions {
		return fmt.Errorf("bpf: program of %d instructions (want 1 to %d)", len(prog), maxInstructions)
	}
	for i, in := range prog {
		rest := uint64(len(prog) - i - 1)
		switch in.Op & 0x07 {
		case clsLD, clsLDX:
			if in.Op&0xe0 == modeMEM && in.K >= memWords {
				return fmt.Errorf("bpf: instruction %d: scratch slot %d out of range", i, in.K)
			}
		case clsST, clsSTX:
			if in.K >= memWords {
				return fmt.Errorf("bpf: instruction %d: scratch slot %d out of range", i, in.K)
			}
		case clsJMP:
			if in.Op&0xf0 == jmpJA {
				if uint64(in.K) >= rest {
					return fmt.Errorf("bpf: instruction %d: jump out of the program", i)
				}
			} else if uint64(in.Jt) >= rest || uint64(in.Jf) >= rest {
				return fmt.Errorf("bpf: instruction %d: jump out of the program", i)
			}
		}
		if !known(in.Op) {
			return fmt.Errorf("bpf: instruction %d: unknown opcode 0x%02x", i, in.Op)
		}
	}
	if last := prog[len(prog)-1].Op; last&0x07 != clsRET {
		return errors.New("bpf: program does not end with a return")
	}
	return nil
}

func known(op uint16) bool {
	switch op {
	case clsLD | szW | modeABS, clsLD | szH | modeABS, clsLD | szB | modeABS,
		clsLD | szW | modeIND, clsLD | szH | modeIND, clsLD | szB | modeIND,
		clsLD | modeIMM, clsLD | modeMEM, clsLD | szW | modeLEN,
		clsLDX | modeIMM, clsLDX | modeMEM, clsLDX | szW | modeLEN, clsLDX | szB | modeMSH,
		clsST, clsSTX,
		clsRET | retK, clsRET | retA,
		clsMISC | miscTAX, clsMISC | miscTXA,
		clsALU | aluNEG,
		clsJMP | jmpJA:
		return true
	}
	switch op & 0x07 {
	case clsALU:
		switch op &^ srcX {
		case clsALU | aluADD, clsALU | aluSUB, clsALU | aluMUL, clsALU | aluDIV, clsALU | aluOR,
			clsALU | aluAND, clsALU | aluLSH, clsALU | aluRSH, clsALU | aluMOD, clsALU | aluXOR:
			return true
		}
	case clsJMP:
		switch op &^ srcX {
		case clsJMP | jmpJEQ, clsJMP | jmpJGT, clsJMP | jmpJGE, clsJMP | jmpJSET:
			return true
		}
	}
	return false
}

// run interprets a validated program. Loads outside the frame stop the
// program with 0, as division by zero does (the kernel's rule). Metadata
// loads see a frame from a file: no VLAN tag in metadata.
func run(prog []bpf.RawInstruction, pkt []byte, wireLen uint32, anc ancillary) uint32 {
	var a, x uint32
	var mem [memWords]uint32
	n := uint64(len(pkt))
	for pc := 0; pc < len(prog); pc++ {
		in := &prog[pc]
		switch in.Op {
		case clsLD | szW | modeABS:
			k := uint64(in.K)
			if k >= extBase {
				a = anc.load(in.K)
				continue
			}
			if k+4 > n {
				return 0
			}
			a = binary.BigEndian.Uint32(pkt[k:])
		case clsLD | szH | modeABS:
			k := uint64(in.K)
			if k >= extBase {
				a = anc.load(in.K)
				continue
			}
			if k+2 > n {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(pkt[k:]))
		case clsLD | szB | modeABS:
			k := uint64(in.K)
			if k >= extBase {
				a = anc.load(in.K)
				continue
			}
			if k >= n {
				return 0
			}
			a = uint32(pkt[k])
		case clsLD | szW | modeIND:
			k := uint64(in.K) + uint64(x)
			if k+4 > n {
				return 0
			}
			a = binary.BigEndian.Uint32(pkt[k:])
		case clsLD | szH | modeIND:
			k := uint64(in.K) + uint64(x)
			if k+2 > n {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(pkt[k:]))
		case clsLD | szB | modeIND:
			k := uint64(in.K) + uint64(x)
			if k >= n {
				return 0
			}
			a = uint32(pkt[k])
		case clsLD | modeIMM:
			a = in.K
		case clsLD | modeMEM:
			a = mem[in.K&(memWords-1)]
		case clsLD | szW | modeLEN:
			a = wireLen
		case clsLDX | modeIMM:
			x = in.K
		case clsLDX | modeMEM:
			x = mem[in.K&(memWords-1)]
		case clsLDX | szW | modeLEN:
			x = wireLen
		case clsLDX | szB | modeMSH:
			k := uint64(in.K)
			if k >= n {
				return 0
			}
			x = uint32(pkt[k]&0xf) << 2
		case clsST:
			mem[in.K&(memWords-1)] = a
		case clsSTX:
			mem[in.K&(memWords-1)] = x
		case clsALU | aluADD | srcK:
			a += in.K
		case clsALU | aluSUB | srcK:
			a -= in.K
		case clsALU | aluMUL | srcK:
			a *= in.K
		case clsALU | aluDIV | srcK:
			if in.K == 0 {
				return 0
			}
			a /= in.K
		case clsALU | aluMOD | srcK:
			if in.K == 0 {
				return 0
			}
			a %= in.K
		case clsALU | aluAND | srcK:
			a &= in.K
		case clsALU | aluOR | srcK:
			a |= in.K
		case clsALU | aluXOR | srcK:
			a ^= in.K
		case clsALU | aluLSH | srcK:
			a <<= in.K
		case clsALU | aluRSH | srcK:
			a >>= in.K
		case clsALU | aluADD | srcX:
			a += x
		case clsALU | aluSUB | srcX:
			a -= x
		case clsALU | aluMUL | srcX:
			a *= x
		case clsALU | aluDIV | srcX:
			if x == 0 {
				return 0
			}
			a /= x
		case clsALU | aluMOD | srcX:
			if x == 0 {
				return 0
			}
			a %= x
		case clsALU | aluAND | srcX:
			a &= x
		case clsALU | aluOR | srcX:
			a |= x
		case clsALU | aluXOR | srcX:
			a ^= x
		case clsALU | aluLSH | srcX:
			a <<= x
		case clsALU | aluRSH | srcX:
			a >>= x
		case clsALU | aluNEG:
			a = -a
		case clsJMP | jmpJA:
			if uint64(in.K) >= uint64(len(prog)-pc) {
				return 0
			}
			pc += int(in.K)
		case clsJMP | jmpJEQ | srcK:
			pc += jump(a == in.K, in)
		case clsJMP | jmpJGT | srcK:
			pc += jump(a > in.K, in)
		case clsJMP | jmpJGE | srcK:
			pc += jump(a >= in.K, in)
		case clsJMP | jmpJSET | srcK:
			pc += jump(a&in.K != 0, in)
		case clsJMP | jmpJEQ | srcX:
			pc += jump(a == x, in)
		case clsJMP | jmpJGT | srcX:
			pc += jump(a > x, in)
		case clsJMP | jmpJGE | srcX:
			pc += jump(a >= x, in)
		case clsJMP | jmpJSET | srcX:
			pc += jump(a&x != 0, in)
		case clsRET | retK:
			return in.K
		case clsRET | retA:
			return a
		case clsMISC | miscTAX:
			x = a
		case clsMISC | miscTXA:
			a = x
		default:
			return 0
		}
	}
	return 0
}

func jump(cond bool, in *bpf.RawInstruction) int {
	if cond {
		return int(in.Jt)
	}
	return int(in.Jf)
}

// ancillary is the packet metadata a Linux socket filter can read. A
// frame from a file has none (in particular no VLAN tag taken out of it);
// tests set it to play a live capture.
type ancillary struct {
	vlanPresent bool
	vlanTCI     uint32
}

func (m ancillary) load(k uint32) uint32 {
	switch k {
	case extVLANTagPresent:
		if m.vlanPresent {
			return 1
		}
	case extVLANTag:
		return m.vlanTCI
	}
	return 0
}
