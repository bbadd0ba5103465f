package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/registry"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/metrics"
	"github.com/netcap-go/netcap/types"
)

type exportOptions struct {
	read, address string
	replay        bool
	speed         float64
}

func newExportCmd(root *rootOptions) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Serve Prometheus metrics built from record files",
		Long: `export reads record files (a file or every file of a directory) and serves
the metrics net capture -metrics serves live, derived from the records:
records per type, packets and bytes per protocol, TCP flags, HTTP methods,
status classes and content types, DNS question types and response codes,
TLS versions, cipher suites and the top JA3/JA4, connections and their
durations; plus Go runtime and process metrics. Labels are bounded (no
addresses or ports). With -replay the records are fed at the pace of
their timestamps (-speed 10: ten times faster). It serves until Ctrl-C.`,
		Example: `  net export -read traffic_ncap -address 127.0.0.1:7777
  net export -read traffic_ncap -replay -speed 60`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExport(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.read, "read", "r", "", "record file or directory")
	f.StringVar(&o.address, "address", "127.0.0.1:7777", "address to serve /metrics on")
	f.BoolVar(&o.replay, "replay", false, "feed the records at the pace of their timestamps")
	f.Float64Var(&o.speed, "speed", 1, "with -replay: how many times faster than captured")
	return cmd
}

func runExport(cmd *cobra.Command, o *exportOptions) error {
	paths, _, err := recordFiles(o.read)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if o.speed <= 0 {
		return errors.New("export: -speed must be positive")
	}
	reg := metrics.NewRegistry()
	rec := metrics.NewRecorder(reg, registry.PacketLayers())
	srv, err := metrics.Serve(o.address, reg)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer srv.Close()
	fmt.Fprintf(os.Stderr, "net export: serving http://%s/metrics\n", srv.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var n int64
	if o.replay {
		n, err = replay(ctx, paths, rec, o.speed)
	} else {
		n, err = feedAll(paths, rec)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(os.Stderr, "net export: %d records from %d files; serving until interrupted\n", n, len(paths))
	<-ctx.Done()
	return nil
}

func feedAll(paths []string, rec *metrics.Recorder) (int64, error) {
	var n int64
	for _, p := range paths {
		r, err := ncio.Open(p)
		if err != nil {
			return n, err
		}
		m := r.NewRecord()
		for {
			proto.Reset(m)
			err := r.Next(m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return n, err
			}
			rec.Observe(r.Type(), m)
			n++
		}
		r.Close()
	}
	return n, nil
}

// replay feeds the records in record time order at that pace.
func replay(ctx context.Context, paths []string, rec *metrics.Recorder, speed float64) (int64, error) {
	var (
		n     int64
		first int64 = -1
		start       = time.Now()
	)
	errStop := errors.New("stopped")
	err := ncio.EachByTime(paths, func(t types.Type, m proto.Message, ts int64) error {
		if first < 0 {
			first = ts
		}
		if wait := time.Duration(float64(ts-first)/speed) - time.Since(start); wait > 0 {
			select {
			case <-ctx.Done():
				return errStop
			case <-time.After(wait):
			}
		}
		rec.Observe(t, m)
		n++
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return n, err
}
