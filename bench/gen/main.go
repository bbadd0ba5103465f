// Command gen writes synthetic captures for the benchmarks and the memory
// tests (pcap, Ethernet):
//
//	go run ./bench/gen -kind halfopen -n 100000 -o halfopen.pcap
//	go run ./bench/gen -kind flows -n 1000000 -o flows.pcap
//
// halfopen: n TCP connections that stay open, each a SYN, a SYN-ACK and a
// client segment past a hole (it waits in the reassembly buffer), from
// distinct client addresses. flows: n distinct UDP flows, one datagram each.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/netcap-go/netcap/internal/pcapgen"
)

func main() {
	kind := flag.String("kind", "halfopen", "halfopen or flows")
	n := flag.Int("n", 100000, "connections or flows")
	out := flag.String("o", "", "output file")
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
	for i := range *n {
		switch *kind {
		case "halfopen":
			w.HalfOpen(i)
		case "flows":
			w.Flow(i)
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
