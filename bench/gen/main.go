// Command gen writes synthetic captures for the benchmarks and the memory
// tests (pcap, Ethernet):
//
//	go run ./bench/gen -kind halfopen -n 100000 -o halfopen.pcap
//	go run ./bench/gen -kind flows -n 1000000 -o flows.pcap
//	go run ./bench/gen -kind pending -n 400000 -o pending.pcap
//
//	go run ./bench/gen -kind distinct -in testdata/mixed.pcap -n 1000 -o big.pcap
//
// halfopen: n TCP connections that stay open, each a SYN, a SYN-ACK and a
// client segment past a hole (it waits in the reassembly buffer), from
// distinct client addresses. flows: n distinct UDP flows, one datagram each.
// pending: n HTTP connections that fill every table at once (pcapgen's
// Writer.Pending: distinct clients, MACs and servers, a request waiting
// for its response, server bytes behind a hole).
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

	"github.com/netcap-go/netcap/internal/pcapgen"
	"github.com/netcap-go/netcap/source"
)

func main() {
	kind := flag.String("kind", "halfopen", "halfopen, flows, pending or distinct")
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
		case "pending":
			w.Pending(i)
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
	src, err := source.OpenFile(in)
	if err != nil {
		return err
	}
	var frames []pcapgen.Frame
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
		frames = append(frames, pcapgen.Frame{TS: ci.Timestamp / 1000, Data: append([]byte(nil), data...)})
	}
	src.Close()
	if len(frames) == 0 {
		return fmt.Errorf("%s: no packets", in)
	}
	w.WriteDistinct(frames, n)
	return nil
}
