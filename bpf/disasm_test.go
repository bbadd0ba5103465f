package bpf

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

func disasm(prog []bpf.RawInstruction) string { return Disassemble(prog) }

// TestDump prints the program for $BPF_EXPR (link type $BPF_LINK, default
// Ethernet): a debugging aid, skipped unless set.
func TestDump(t *testing.T) {
	expr, ok := os.LookupEnv("BPF_EXPR")
	if !ok {
		t.Skip("set BPF_EXPR to print a program")
	}
	lt := layers.LinkTypeEthernet
	if s := os.Getenv("BPF_LINK"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		lt = layers.LinkType(n)
	}
	prog, err := Compile(expr, lt, 262144)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Print(disasm(prog))
}
