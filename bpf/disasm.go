package bpf

import (
	"fmt"
	"strings"

	"golang.org/x/net/bpf"
)

// Disassemble lists a program in the style of tcpdump -d, one
// instruction a line (metadata loads show as #ext+N).
func Disassemble(prog []bpf.RawInstruction) string {
	var b strings.Builder
	for i, in := range prog {
		var s string
		size := map[uint16]string{szW: "", szH: "h", szB: "b"}[in.Op&0x18]
		switch in.Op & 0x07 {
		case clsLD:
			switch in.Op & 0xe0 {
			case modeABS:
				if in.K >= extBase {
					s = fmt.Sprintf("%-8s #ext+%d", "ld"+size, in.K-extBase)
				} else {
					s = fmt.Sprintf("%-8s [%d]", "ld"+size, in.K)
				}
			case modeIND:
				s = fmt.Sprintf("%-8s [x + %d]", "ld"+size, in.K)
			case modeIMM:
				s = fmt.Sprintf("ld       #0x%x", in.K)
			case modeMEM:
				s = fmt.Sprintf("ld       M[%d]", in.K)
			case modeLEN:
				s = "ld       #pktlen"
			}
		case clsLDX:
			switch in.Op & 0xe0 {
			case modeMSH:
				s = fmt.Sprintf("ldxb     4*([%d]&0xf)", in.K)
			case modeIMM:
				s = fmt.Sprintf("ldx      #0x%x", in.K)
			case modeMEM:
				s = fmt.Sprintf("ldx      M[%d]", in.K)
			case modeLEN:
				s = "ldx      #pktlen"
			}
		case clsST:
			s = fmt.Sprintf("st       M[%d]", in.K)
		case clsSTX:
			s = fmt.Sprintf("stx      M[%d]", in.K)
		case clsALU:
			name := map[uint16]string{aluADD: "add", aluSUB: "sub", aluMUL: "mul", aluDIV: "div", aluOR: "or", aluAND: "and",
				aluLSH: "lsh", aluRSH: "rsh", aluNEG: "neg", aluMOD: "mod", aluXOR: "xor"}[in.Op&0xf0]
			switch {
			case in.Op&0xf0 == aluNEG:
				s = "neg"
			case in.Op&srcX != 0:
				s = fmt.Sprintf("%-8s x", name)
			default:
				s = fmt.Sprintf("%-8s #0x%x", name, in.K)
			}
		case clsJMP:
			name := map[uint16]string{jmpJA: "ja", jmpJEQ: "jeq", jmpJGT: "jgt", jmpJGE: "jge", jmpJSET: "jset"}[in.Op&0xf0]
			if in.Op&0xf0 == jmpJA {
				s = fmt.Sprintf("ja       %d", i+1+int(in.K))
			} else if in.Op&srcX != 0 {
				s = fmt.Sprintf("%-8s x                jt %d\tjf %d", name, i+1+int(in.Jt), i+1+int(in.Jf))
			} else {
				s = fmt.Sprintf("%-8s #0x%-14x jt %d\tjf %d", name, in.K, i+1+int(in.Jt), i+1+int(in.Jf))
			}
		case clsRET:
			if in.Op&retA != 0 {
				s = "ret      a"
			} else {
				s = fmt.Sprintf("ret      #%d", in.K)
			}
		case clsMISC:
			if in.Op&0xf8 == miscTXA {
				s = "txa"
			} else {
				s = "tax"
			}
		}
		if s == "" {
			s = fmt.Sprintf("unknown   op 0x%02x k 0x%x", in.Op, in.K)
		}
		fmt.Fprintf(&b, "(%03d) %s\n", i, s)
	}
	return b.String()
}
