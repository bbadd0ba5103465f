package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/packet"
	ncio "github.com/netcap-go/netcap/io"
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
				listDecoders(cmd.OutOrStdout())
				return nil
			}
			return runCapture(cmd, root.log, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.read, "read", "r", "", "pcap or pcapng file to read (- for stdin; gzip/zstd-compressed files too)")
	f.StringVarP(&o.out, "out", "o", ".", "directory for the record files")
	f.IntVar(&o.workers, "workers", runtime.NumCPU(), "packet decoding workers")
	f.StringVar(&o.include, "include", "", "comma-separated decoders to run (default: all)")
	f.StringVar(&o.exclude, "exclude", "", "comma-separated decoders not to run")
	f.BoolVar(&o.payload, "payload", false, "keep payload bytes in records that have a Payload field")
	f.BoolVar(&o.entropy, "entropy", false, "compute Shannon entropy of payloads")
	f.BoolVar(&o.compress, "compress", true, "compress record files (-compress=false writes plain .ncap)")
	f.StringVar(&o.compression, "compression", "gzip", "compression when -compress is on: gzip (.ncap.gz) or zstd (.ncap.zst)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no summary")
	f.BoolVar(&o.decoders, "decoders", false, "list the decoders and exit")
	return cmd
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

func runCapture(cmd *cobra.Command, log *zap.Logger, o *captureOptions) error {
	if o.read == "" {
		return errors.New("capture: no input: give a pcap or pcapng file with -read FILE")
	}
	if ncio.IsRecordFile(o.read) {
		return fmt.Errorf("capture: %s is a record file; read it with net dump -read %s", o.read, o.read)
	}
	include, exclude := splitList(o.include), splitList(o.exclude)
	if err := collector.ValidateDecoders(append(slices.Clone(include), exclude...)); err != nil {
		return err
	}
	comp := ncio.None
	if o.compress {
		c, err := ncio.ParseCompression(o.compression)
		if err != nil {
			return err
		}
		comp = c
	}
	src, err := collector.OpenFile(o.read)
	if err != nil {
		return err
	}
	defer src.Close()
	sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: o.out, Compression: comp, Source: o.read, Payloads: o.payload})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := collector.Config{
		Workers: o.workers,
		Include: include,
		Exclude: exclude,
		Options: packet.Options{Payloads: o.payload, Entropy: o.entropy},
		Sink:    sink,
		Log:     log,
	}
	if !o.quiet && term.IsTerminal(int(os.Stderr.Fd())) {
		cfg.Progress = os.Stderr
	}
	log.Debug("capture", zap.String("read", o.read), zap.String("format", src.Format), zap.String("out", o.out), zap.Int("workers", o.workers))
	sum, runErr := collector.Run(ctx, src, o.read, cfg)
	closeErr := sink.Close()
	if sum != nil && !o.quiet {
		sum.Print(cmd.OutOrStdout())
		files := sink.Files()
		fmt.Fprintf(cmd.OutOrStdout(), "\n%d record files in %s\n", len(files), o.out)
	}
	if sum != nil && sum.Warning != nil {
		fmt.Fprintf(os.Stderr, "net: warning: %v\n", sum.Warning)
	}
	if runErr != nil {
		return runErr
	}
	return closeErr
}

// listDecoders prints every decoder by group with its field count, as
// Netcap's capture -decoders does.
func listDecoders(w interface{ Write([]byte) (int, error) }) {
	groups := map[decoder.Group][]decoder.Info{}
	for _, i := range collector.Infos() {
		groups[i.Group] = append(groups[i.Group], i)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	total, fields := 0, 0
	for _, g := range []decoder.Group{decoder.GroupGoPacket, decoder.GroupPacket, decoder.GroupStream, decoder.GroupAbstract} {
		infos := groups[g]
		if len(infos) == 0 {
			continue
		}
		slices.SortFunc(infos, func(a, b decoder.Info) int { return strings.Compare(a.Name, b.Name) })
		gf := 0
		for _, i := range infos {
			gf += i.NumFields()
		}
		fmt.Fprintf(tw, "%s (%d decoders, %d fields)\n", g, len(infos), gf)
		for _, i := range infos {
			fmt.Fprintf(tw, "  %s\t%d fields\t%s\n", i.Name, i.NumFields(), i.Description)
		}
		total += len(infos)
		fields += gf
	}
	fmt.Fprintf(tw, "\n%d decoders, %d fields in total\n", total, fields)
	tw.Flush()
}
