package bpf

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	xbpf "golang.org/x/net/bpf"
)

var fuzzLinks = []layers.LinkType{
	layers.LinkTypeEthernet, layers.LinkTypeRaw, layers.LinkTypeLinuxSLL, linkSLL2Type,
	layers.LinkTypeNull, layers.LinkTypeIPv4, layers.LinkTypeIPv6,
}

// seedFrames are frames of every link type the fuzz targets run programs on.
func seedFrames(t testing.TB) [][]byte {
	tcp80 := ipv4TCP(t, 40000, 80, true)
	udp53 := ipv4UDP(t, 53, 40001)
	v6 := ipv6UDP(t, 5353, 53)
	return [][]byte{
		nil,
		{0x45},
		etherFrame(0x0800, tcp80),
		etherFrame(0x0800, withOptions(udp53)),
		etherFrame(0x0800, fragment(tcp80, 3, false)),
		etherFrame(0x86dd, ipv6Frag(v6)),
		etherFrame(0x0806, arpPacket(t)),
		tagged(tagged(etherFrame(0x0800, udp53), 0x8100, 20), 0x88a8, 10),
		etherFrame(0x0800, tcp80)[:40],
		tcp80, v6,
		sll(0x0800, udp53), sll2(0x86dd, 4, v6),
		null(2, false, tcp80), null(30, true, v6),
	}
}

// vmAgrees checks our interpreter against golang.org/x/net/bpf's VM (for
// programs without Linux metadata loads, which that VM does not know).
func vmAgrees(t *testing.T, prog []xbpf.RawInstruction, frame []byte) {
	insts, ok := xbpf.Disassemble(prog)
	if !ok {
		return
	}
	vm, err := xbpf.NewVM(insts)
	if err != nil {
		return // metadata loads
	}
	want, err := vm.Run(frame)
	if err != nil {
		t.Fatalf("x/net/bpf VM: %v", err)
	}
	if got := run(prog, frame, uint32(len(frame)), ancillary{}); int(got) != want {
		t.Fatalf("our interpreter returns %d, x/net/bpf %d on % x\n%s", got, want, frame, disasm(prog))
	}
}

// FuzzCompile compiles random expressions: no panic, no hang; a compiled
// program is well formed and runs on the seed frames without panicking,
// with the verdicts of x/net/bpf's VM.
func FuzzCompile(f *testing.F) {
	for _, e := range append(append([]string{}, kernelExprs...),
		"host 1.2.3.4 or 5.6.7.8", "tcp and (port 80 or 443)", "vlan 10 and vlan 20 and udp",
		"len - 14 > 100 - 1", "ip[ip[0]&0xf:2] = 1", "1 ^ 2 & 3 = len", "((tcp))", "not not ip",
		"ether host 01.02.03.04.05.06", "net 10.1/16 or 192.168", "portrange ftp-data-ssh",
		"(", "tcp[", "host 1.2.3.4 &", `\`, "port 99999", "ip6 net ::/0") {
		f.Add(e, uint8(0))
	}
	frames := seedFrames(f)
	f.Fuzz(func(t *testing.T, expr string, link uint8) {
		lt := fuzzLinks[int(link)%len(fuzzLinks)]
		prog, err := Compile(expr, lt, 0)
		if err != nil {
			return
		}
		flt, err := NewFilterProgram(prog)
		if err != nil {
			t.Fatalf("%q: compiled program is not valid: %v\n%s", expr, err, disasm(prog))
		}
		for _, fr := range frames {
			flt.Match(fr)
			vmAgrees(t, prog, fr)
		}
	})
}

// FuzzFilter runs programs on random frames: no panic, the verdict of
// x/net/bpf's VM, and, for Ethernet, the same verdict when the frame's
// VLAN tag is in metadata (a live capture) as in the packet.
func FuzzFilter(f *testing.F) {
	exprs := []string{
		"tcp port 80 or udp port 53", "host 192.168.1.10 or net 2001:db8::/32", "vlan 10 and vlan 20 and udp",
		"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and ip[6:2] & 0x1fff = 0", "arp or rarp or ip6 multicast",
		"udp[udp[0] & 3 : 2] / (len - 3) % 7 ^ 2 > tcp[ip[0] * 2 : 4] - 1", "less 60 or greater 1000",
		"portrange 1-1023 and not src net 10.0.0.0/8", "icmp6[icmp6type] = icmp6-echo or icmp[icmptype] = icmp-echo",
	}
	type compiled struct {
		lt   layers.LinkType
		prog []xbpf.RawInstruction
		flt  *Filter
		vm   *xbpf.VM // nil for programs with metadata loads
	}
	var progs []compiled
	for _, e := range exprs {
		for _, lt := range fuzzLinks {
			if prog, err := Compile(e, lt, 0); err == nil {
				c := compiled{lt: lt, prog: prog}
				if c.flt, err = NewFilterProgram(prog); err != nil {
					f.Fatal(err)
				}
				if insts, ok := xbpf.Disassemble(prog); ok {
					c.vm, _ = xbpf.NewVM(insts)
				}
				progs = append(progs, c)
			}
		}
	}
	for _, fr := range seedFrames(f) {
		f.Add(fr)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		for _, c := range progs {
			got := c.flt.Match(frame)
			if c.vm != nil {
				if want, err := c.vm.Run(frame); err != nil || (want != 0) != got {
					t.Fatalf("x/net/bpf VM: %d, %v; we: %v on % x\n%s", want, err, got, frame, disasm(c.prog))
				}
			}
			_ = c.flt.MatchLen(frame, len(frame)+100)
			if c.lt == layers.LinkTypeEthernet && len(frame) >= 18 {
				switch uint32(frame[12])<<8 | uint32(frame[13]) {
				case etherVLAN, etherQinQ, etherQinQOld:
					stripped, tci := untag(frame)
					live := run(c.prog, stripped, uint32(len(stripped)), ancillary{vlanPresent: true, vlanTCI: tci}) != 0
					if live != got && hasVLAN(c.prog) {
						t.Fatalf("verdict %v from a file, %v live on % x\n%s", got, live, frame, disasm(c.prog))
					}
				}
			}
		}
	})
}

// hasVLAN reports whether a program starts with the VLAN prologue (the
// expression tests a VLAN tag before anything else reads the frame).
func hasVLAN(prog []xbpf.RawInstruction) bool {
	return len(prog) > 0 && prog[0].Op == clsLD|szW|modeABS && prog[0].K == extVLANTagPresent
}
