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
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/collector"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/metrics"
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
	paths, err := recordFiles(o.read)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if o.speed <= 0 {
		return errors.New("export: -speed must be positive")
	}
	reg := metrics.NewRegistry()
	rec := metrics.NewRecorder(reg, collector.PacketLayerTypes())
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

// replay merges the files by record time and feeds them at that pace.
func replay(ctx context.Context, paths []string, rec *metrics.Recorder, speed float64) (int64, error) {
	type head struct {
		r  *ncio.Reader
		m  proto.Message
		ts int64
		fd protoreflect.FieldDescriptor
	}
	var heads []*head
	defer func() {
		for _, h := range heads {
			h.r.Close()
		}
	}()
	next := func(h *head) (bool, error) {
		proto.Reset(h.m)
		err := h.r.Next(h.m)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if h.fd != nil {
			h.ts = h.m.ProtoReflect().Get(h.fd).Int()
		}
		return true, nil
	}
	for _, p := range paths {
		r, err := ncio.Open(p)
		if err != nil {
			return 0, err
		}
		h := &head{r: r, m: r.NewRecord()}
		fields := h.m.ProtoReflect().Descriptor().Fields()
		for _, name := range []protoreflect.Name{"Timestamp", "TimestampFirst"} {
			if fd := fields.ByName(name); fd != nil && fd.Kind() == protoreflect.Int64Kind {
				h.fd = fd
				break
			}
		}
		ok, err := next(h)
		if err != nil {
			r.Close()
			return 0, err
		}
		if ok {
			heads = append(heads, h)
		} else {
			r.Close()
		}
	}
	var (
		n       int64
		first   int64 = -1
		started       = time.Now()
	)
	for len(heads) > 0 {
		i := 0
		for j, h := range heads {
			if h.ts < heads[i].ts {
				i = j
			}
		}
		h := heads[i]
		if first < 0 {
			first = h.ts
		}
		if wait := time.Duration(float64(h.ts-first)/speed) - time.Since(started); wait > 0 {
			select {
			case <-ctx.Done():
				return n, nil
			case <-time.After(wait):
			}
		}
		rec.Observe(h.r.Type(), h.m)
		n++
		ok, err := next(h)
		if err != nil {
			return n, err
		}
		if !ok {
			h.r.Close()
			heads = append(heads[:i], heads[i+1:]...)
		}
	}
	return n, nil
}
