// Command gen writes synthetic captures for the benchmarks and the memory
// tests (pcap, Ethernet):
//
//	go run ./bench/gen -kind halfopen -n 100000 -o halfopen.pcap
//	go run ./bench/gen -kind flows -n 1000000 -o flows.pcap
//
//	go run ./bench/gen -kind distinct -in testdata/mixed.pcap -n 1000 -o big.pcap
//
// halfopen: n TCP connections that stay open, each a SYN, a SYN-ACK and a
// client segment past a hole (it waits in the reassembly buffer), from
// distinct client addresses. flows: n distinct UDP flows, one datagram each.
// distinct: n copies of a real Ethernet capture one after the other, each
// shifted in time by the capture's span plus a second and with its IP
// addresses rewritten (pcapgen.Distinct), so every copy's flows are new
// flows: a large capture of real traffic with realistic flow counts.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/collector"

	"github.com/netcap-go/netcap/internal/pcapgen"
)

func main() {
	kind := flag.String("kind", "halfopen", "halfopen or flows")
	n := flag.Int("n", 100000, "connections or flows")
	out := flag.String("o", "", "output file")
	in := flag.String("in", "testdata/mixed.pcap", "capture to copy (-kind distinct)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -o FILE required")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	w := pcapgen.NewWriter(f)
	if *kind == "distinct" {
		if err := distinct(w, *in, *n); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		*n = 0
	}
	for i := range *n {
		switch *kind {
		case "halfopen":
			w.HalfOpen(i)
		case "flows":
			w.Flow(i)
		case "distinct":
		default:
			fmt.Fprintln(os.Stderr, "gen: unknown kind", *kind)
			os.Exit(2)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	f.Close()
}

// distinct writes n rewritten copies of the Ethernet capture in.
func distinct(w *pcapgen.Writer, in string, n int) error {
	type pkt struct {
		ts   int64 // µs
		data []byte
	}
	src, err := collector.OpenFile(in)
	if err != nil {
		return err
	}
	var pkts []pkt
	for {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if ci.LinkType != layers.LinkTypeEthernet {
			return fmt.Errorf("%s: link type %s, want Ethernet", in, ci.LinkType)
		}
		pkts = append(pkts, pkt{ci.Timestamp / 1000, append([]byte(nil), data...)})
	}
	src.Close()
	if len(pkts) == 0 {
		return fmt.Errorf("%s: no packets", in)
	}
	first, last := pkts[0].ts, pkts[0].ts
	for _, p := range pkts {
		first, last = min(first, p.ts), max(last, p.ts)
	}
	span := last - first + 1_000_000
	w.Step = 0
	buf := make([]byte, 0, 65536)
	for c := range n {
		for _, p := range pkts {
			buf = append(buf[:0], p.data...)
			pcapgen.Distinct(buf, c)
			w.TS = p.ts + int64(c)*span
			w.Packet(buf)
		}
	}
	return nil
}
