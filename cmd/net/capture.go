package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/registry"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
)

type captureOptions struct {
	read        string
	out         string
	workers     int
	include     string
	exclude     string
	payload     bool
	entropy     bool
	compress    bool
	compression string
	quiet       bool
	decoders    bool

	reassemble     bool
	maxBytes       int
	maxStreamBytes int
	maxConns       int
	tcpTimeout     time.Duration
	udpTimeout     time.Duration
	fileStorage    string
	conns          bool
	maxBodyBytes   int
	nvd            string
	exploitDB      string

	connTimeout     time.Duration
	flowTimeout     time.Duration
	maxFlows        int
	maxMemory       string
	communityIDSeed uint16
	geoDB           string
	maxProfiles     int
	reverseDNS      bool

	iface      string
	promisc    bool
	snaplen    int
	bpf        string
	interfaces bool
	duration   time.Duration
	count      int64
	rotate     time.Duration
	rotateSize string
	statsEvery time.Duration
	cpuProfile string
	memProfile string
	metrics    string
	parquet    bool
	flushEvery time.Duration
	force      bool

	// newSink replaces the record files (net agent publishes instead);
	// stop ends the capture early (the collector refused the agent).
	newSink func(source string) (ncio.RecordSink, error)
	stop    <-chan struct{}
}

func newCaptureCmd(root *rootOptions) *cobra.Command {
	o := &captureOptions{}
	cmd := &cobra.Command{
		Use:   "capture",
		Short: "Decode a pcap/pcapng file into audit record files",
		Example: `  net capture -read traffic.pcap -out traffic_ncap
  net capture -r traffic.pcapng -o out -include TCP,UDP -workers 4
  tcpdump -w - | net capture -read - -out live`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.decoders {
				registry.List(cmd.OutOrStdout())
				return nil
			}
			if o.interfaces {
				return listInterfaces(cmd.OutOrStdout())
			}
			return runCapture(cmd, root.log, o)
		},
	}
	o.addFlags(cmd)
	return cmd
}

// addFlags registers the capture flags (net capture, net agent).
func (o *captureOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.read, "read", "r", "", "pcap or pcapng file to read (- for stdin; gzip/zstd-compressed files too)")
	f.StringVarP(&o.iface, "iface", "i", "", "capture live from this interface (AF_PACKET on Linux; libpcap in builds with -tags pcap)")
	f.BoolVar(&o.promisc, "promisc", true, "put the interface in promiscuous mode (-promisc=false to keep it as it is)")
	f.IntVar(&o.snaplen, "snaplen", 262144, "bytes kept of each live packet")
	f.StringVar(&o.bpf, "bpf", "", "pcap-filter expression (as tcpdump): only matching packets are decoded, live or from a file")
	f.BoolVar(&o.interfaces, "interfaces", false, "list the network interfaces and exit")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long (e.g. 30s, 2h)")
	f.Int64Var(&o.count, "count", 0, "stop after this many packets")
	f.DurationVar(&o.rotate, "rotate", 0, "start new record files this often (e.g. 1h); rotated files are named Type-<start time>.ncap.gz")
	f.StringVar(&o.rotateSize, "rotate-size", "", "start a new record file of a type when it reaches this size (e.g. 1GB, 500MB)")
	f.BoolVar(&o.parquet, "parquet", false, "also write every record file as <Type>.parquet at the end (typed columns)")
	f.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics on this address (/metrics) while capturing, e.g. 127.0.0.1:7777")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	f.StringVar(&o.memProfile, "memprofile", "", "write a heap profile (pprof) at the end of the run to this file")
	f.DurationVar(&o.statsEvery, "stats-interval", 10*time.Second, "live capture: how often a stats line (packets, rate, drops) goes to stderr when it is not a terminal")
	f.StringVarP(&o.out, "out", "o", ".", "directory for the record files (refused when it holds record files already, unless -force)")
	f.BoolVar(&o.force, "force", false, "remove the record files of an earlier run in -out (every type) before writing")
	f.BoolVar(&o.force, "noprompt", false, "the same as -force (Netcap's name)")
	f.DurationVar(&o.flushEvery, "flush-interval", 5*time.Second, "push every record file to disk this often, so a killed run leaves readable files (0: only at the end)")
	f.IntVar(&o.workers, "workers", runtime.NumCPU(), "packet decoding workers")
	f.StringVar(&o.include, "include", "", "comma-separated decoders to run (default: all)")
	f.StringVar(&o.exclude, "exclude", "", "comma-separated decoders not to run")
	f.BoolVar(&o.payload, "payload", false, "keep payload bytes in records that have a Payload field")
	f.BoolVar(&o.entropy, "entropy", false, "compute Shannon entropy of payloads")
	f.BoolVar(&o.compress, "compress", true, "compress record files (-compress=false writes plain .ncap)")
	f.StringVar(&o.compression, "compression", "gzip", "compression when -compress is on: gzip (.ncap.gz) or zstd (.ncap.zst)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no summary")
	f.BoolVar(&o.decoders, "decoders", false, "list the decoders and exit")
	f.BoolVar(&o.reassemble, "reassemble-connections", true, "reassemble TCP streams and UDP conversations for the stream decoders (HTTP, SSH, SMTP, POP3, files, credentials, …)")
	f.StringVar(&o.maxMemory, "max-memory", "1GB", "memory of the run (e.g. 512MB, 4GiB): sets the limit of every table that grows with traffic (flows, reassembly, profiles, services, defragmentation) from the cost of one entry, unless its own flag is given, and the Go runtime's soft memory limit")
	f.IntVar(&o.maxBytes, "reassembly-max-bytes", 0, "out-of-order TCP bytes buffered at most, for the whole run (default: from -max-memory); past it the oldest holes are skipped (counted)")
	f.IntVar(&o.maxStreamBytes, "reassembly-max-stream-bytes", 4<<20, "out-of-order bytes buffered at most per direction of a connection")
	f.IntVar(&o.maxConns, "reassembly-max-conns", 0, "connections reassembled at most (default: from -max-memory); past it the least recently active is closed (counted)")
	f.DurationVar(&o.tcpTimeout, "tcp-timeout", 5*time.Minute, "a TCP connection without a packet for this long (capture time) ends")
	f.DurationVar(&o.udpTimeout, "udp-timeout", time.Minute, "a UDP conversation without a datagram for this long ends")
	f.StringVar(&o.fileStorage, "fileStorage", "", "write files extracted from HTTP, SMTP and POP3 into this directory (a relative path is under -out, as in Netcap); symlinks in it are never followed, existing files never overwritten")
	f.BoolVar(&o.conns, "conns", false, "write every reassembled conversation to <out>/tcp|udp/<service>/<flow>.bin")
	f.IntVar(&o.maxBodyBytes, "max-body-bytes", 16<<20, "bytes of one message body kept in memory (hashing and file extraction see all of it)")
	f.StringVar(&o.nvd, "nvd", "", "NVD CVE feed (JSON: 1.1 \"CVE_Items\" feed or API 2.0 \"vulnerabilities\", may be gzipped) to look the software seen up in: Vulnerability records")
	f.StringVar(&o.exploitDB, "exploitdb", "", "exploit-db's files_exploits.csv to look the software seen up in: Exploit records")
	f.DurationVar(&o.connTimeout, "conn-timeout", flow.DefaultTCPTimeout, "a TCP connection without a packet for this long (capture time) is written as a Connection record")
	f.DurationVar(&o.flowTimeout, "flow-timeout", flow.DefaultOtherTimeout, "a UDP, ICMP or other IP flow without a packet for this long is written")
	f.IntVar(&o.maxFlows, "max-flows", 0, "connections tracked at most (default: from -max-memory); past it the least recently active is written early (counted as evicted)")
	f.Uint16Var(&o.communityIDSeed, "community-id-seed", 0, "seed of the Community ID (records carry it to join with Zeek and Suricata output)")
	f.StringVar(&o.geoDB, "geodb", "", "MaxMind GeoLite2/GeoIP2 City, Country or ASN database (.mmdb) for IPProfile geolocation (optional; no network lookups)")
	f.BoolVar(&o.reverseDNS, "reverse-dns", false, "look up the PTR name of each profiled address with the system resolver (network I/O; off by default)")
	f.IntVar(&o.maxProfiles, "max-profiles", 0, "device and IP profiles kept at most, each (default: from -max-memory); past it the least recently updated is written early")
}

// underOut resolves a relative output path of a flag under -out, as
// Netcap did (an absolute one, or "" for off, stays as it is).
func underOut(out, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(out, path)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// unwrapJoined lists the errors errors.Join put together (err alone
// otherwise).
func unwrapJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// describeStop fills in why a run stopped early and how far it got, says
// so on stderr, and returns the exit status it calls for: 130/143 for a
// file or stdin not read to its end because of SIGINT/SIGTERM (a live
// capture ends that way normally: 0).
func describeStop(sum *collector.Summary, o *captureOptions, runErr error, sig os.Signal, ctx context.Context) int {
	if sum == nil || !sum.Stopped {
		return 0
	}
	switch {
	case runErr != nil:
		sum.StopReason = "stopped by an error"
	case sig != nil:
		sum.StopReason = "interrupted by " + signalName(sig)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		sum.StopReason = "stopped by -duration"
	default:
		sum.StopReason = "stopped"
	}
	if runErr != nil {
		return 1 // the error says the rest
	}
	if o.read != "" {
		if n, ok := source.CountPackets(o.read, time.Second); ok {
			sum.InputPackets = n
		}
	}
	fmt.Fprintf(os.Stderr, "net capture: %s: the record files hold the records of those packets\n", sum.StopLine())
	if sig != nil && o.iface == "" {
		return signalStatus(sig)
	}
	return 0
}

// prepareOut refuses an output directory that holds files of an earlier
// run, or with force removes them (collector.PrepareOut) and says so.
func prepareOut(dir string, force, conns bool) error {
	removed, err := collector.PrepareOut(dir, force, conns)
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	if removed > 0 {
		fmt.Fprintf(os.Stderr, "net capture: -force: removed %d files of an earlier run from %s\n", removed, dir)
	}
	return nil
}

// parseSize reads a size such as 1GB, 500MB, 64KiB or 1048576 ("" is 0).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	}
	up := strings.ToUpper(s)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(up, u.suffix) {
			up, mult = strings.TrimSpace(strings.TrimSuffix(up, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(up, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 1GB, 500MB)", s)
	}
	return int64(v * float64(mult)), nil
}

// listInterfaces prints the network interfaces for -interfaces.
func listInterfaces(w interface{ Write([]byte) (int, error) }) error {
	ifs, err := source.Interfaces()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tNAME\tMAC\tFLAGS\tADDRESSES")
	for _, i := range ifs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i.Index, i.Name, i.MAC, i.Flags, strings.Join(i.Addrs, " "))
	}
	return tw.Flush()
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
