package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync/atomic"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/decoder/stream"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/metrics"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/resolvers"
	"github.com/netcap-go/netcap/source"
)

// runCapture runs net capture (and net agent, with o.newSink): options to
// config, metrics, source, sink, the run, then the summary and exit status.
func runCapture(cmd *cobra.Command, log *zap.Logger, o *captureOptions) error {
	cfg, err := o.collectorConfig(log)
	if err != nil {
		return err
	}
	stop := o.stopContext()
	defer stop.release()
	if o.geoDB != "" {
		geo, err := resolvers.OpenGeoDB(o.geoDB)
		if err != nil {
			return fmt.Errorf("capture: -geodb: %w", err)
		}
		defer stop.closeUnlessAbandoned(geo)()
		cfg.Profiles.GeoDB = geo
	}
	// Metrics are served before the source opens: reading stdin or
	// waiting for an interface may take a while.
	m, err := startCaptureMetrics(o.metrics)
	if err != nil {
		return err
	}
	defer m.close()
	cfg.Monitor = m.monitor
	src, name, err := o.openSource()
	if err != nil {
		return err
	}
	defer stop.closeUnlessAbandoned(src)()
	sink, files, err := o.openSink(name, m)
	if err != nil {
		return err
	}
	cfg.Sink, stop.sink = sink, sink
	log.Debug("capture", zap.String("input", name), zap.String("out", o.out), zap.Int("workers", o.workers))
	return o.run(cmd, log, stop, src, name, cfg, files)
}

// collectorConfig checks the options and turns them into the capture
// engine's configuration (everything but the source and the sink).
func (o *captureOptions) collectorConfig(log *zap.Logger) (collector.Config, error) {
	budget, include, exclude, err := o.check()
	if err != nil {
		return collector.Config{}, err
	}
	communityID := flow.CommunityID{Seed: o.communityIDSeed}
	cfg := collector.Config{
		Workers: o.workers, Include: include, Exclude: exclude, Log: log,
		Options: packet.Options{Payloads: o.payload, Entropy: o.entropy},
		Filter:  o.bpf, Count: o.count, FlushInterval: o.flushEvery,
		// MemoryBudget sets the table limits left at zero.
		MemoryBudget: budget,
		Stream: stream.Options{
			FileStorage: underOut(o.out, o.fileStorage), Payloads: o.payload, MaxBodyBytes: o.maxBodyBytes,
			NVDPath: o.nvd, ExploitDBPath: o.exploitDB, CommunityID: communityID,
		},
		Reassembly: reassembly.Config{
			MaxBytes: o.maxBytes, MaxBytesPerStream: o.maxStreamBytes, MaxConns: o.maxConns,
			IdleTimeout: o.tcpTimeout, UDPTimeout: o.udpTimeout,
		},
		NoReassembly: !o.reassemble,
		Flows: flow.Config{
			TCPTimeout: o.connTimeout, OtherTimeout: o.flowTimeout, MaxFlows: o.maxFlows, CommunityID: communityID,
		},
		Profiles: profile.Config{MaxProfiles: o.maxProfiles,
			ReverseDNS: resolvers.NewReverseDNS(o.reverseDNS, resolvers.DefaultReverseDNSTimeout, resolvers.DefaultReverseDNSMaxEntries)},
	}
	if o.conns {
		cfg.Stream.ConnsDir = o.out
	}
	if !o.quiet && term.IsTerminal(int(os.Stderr.Fd())) {
		cfg.Progress = os.Stderr
	} else if !o.quiet && o.iface != "" {
		cfg.Progress, cfg.ProgressLines, cfg.ProgressInterval = os.Stderr, true, o.statsEvery
	}
	return cfg, nil
}

// check validates the options that need more than their type: one input,
// sizes, the filter, decoder names and the lookup files. It returns the
// memory budget and the decoder lists.
func (o *captureOptions) check() (budget int64, include, exclude []string, err error) {
	switch {
	case o.read == "" && o.iface == "":
		return 0, nil, nil, errors.New("capture: no input: give a pcap or pcapng file with -read FILE or an interface with -iface NAME")
	case o.read != "" && o.iface != "":
		return 0, nil, nil, errors.New("capture: -read and -iface exclude each other")
	case o.read != "" && ncio.IsRecordFile(o.read):
		return 0, nil, nil, fmt.Errorf("capture: %s is a record file; read it with net dump -read %s", o.read, o.read)
	}
	if _, err := parseSize(o.rotateSize); err != nil {
		return 0, nil, nil, fmt.Errorf("capture: -rotate-size: %w", err)
	}
	budget, err = parseSize(o.maxMemory)
	if err != nil || budget == 0 {
		return 0, nil, nil, fmt.Errorf("capture: -max-memory: %q is not a size (e.g. 1GB, 512MB)", o.maxMemory)
	}
	if o.bpf != "" && o.iface == "" {
		if err := collector.CheckFilter(o.bpf); err != nil {
			return 0, nil, nil, fmt.Errorf("capture: -bpf: %w", err)
		}
	}
	include, exclude = splitList(o.include), splitList(o.exclude)
	if err := registry.Validate(append(append([]string{}, include...), exclude...)); err != nil {
		return 0, nil, nil, err
	}
	if _, err := compressionFlag(o.compress, o.compression); err != nil {
		return 0, nil, nil, err
	}
	return budget, include, exclude, checkLookupFiles(map[string]string{"-nvd": o.nvd, "-exploitdb": o.exploitDB})
}

// checkLookupFiles checks that each flag's file (when given) is a file.
func checkLookupFiles(files map[string]string) error {
	for _, flag := range []string{"-nvd", "-exploitdb"} {
		path := files[flag]
		if path == "" {
			continue
		}
		if st, err := os.Stat(path); err != nil {
			return fmt.Errorf("capture: %s: %w", flag, err)
		} else if st.IsDir() {
			return fmt.Errorf("capture: %s: %s is a directory, not a file", flag, path)
		}
	}
	return nil
}

// captureMetrics is -metrics: the monitor the run feeds, the recorder of
// records written, and the server. Without -metrics every field is nil.
type captureMetrics struct {
	monitor  *collector.Monitor
	recorder *metrics.Recorder
	server   *metrics.Server
	// files is the file sink the scrape reads, set once it exists.
	files atomic.Pointer[ncio.FileSink]
}

// startCaptureMetrics serves the run's metrics on addr ("" for none).
func startCaptureMetrics(addr string) (*captureMetrics, error) {
	m := &captureMetrics{}
	if addr == "" {
		return m, nil
	}
	reg := metrics.NewRegistry()
	m.monitor = collector.NewMonitor()
	metrics.NewPipeline(reg, func() metrics.PipelineState { return metrics.PipelineState(m.monitor.Snapshot()) }, func() int64 {
		if f := m.files.Load(); f != nil {
			return f.BytesWritten()
		}
		return 0
	})
	m.recorder = metrics.NewRecorder(reg, registry.PacketLayers())
	srv, err := metrics.Serve(addr, reg)
	if err != nil {
		return nil, fmt.Errorf("capture: -metrics: %w", err)
	}
	m.server = srv
	fmt.Fprintf(os.Stderr, "net capture: metrics on http://%s/metrics\n", srv.Addr())
	return m, nil
}

func (m *captureMetrics) close() {
	if m.server != nil {
		m.server.Close()
	}
}

// openSource opens the interface or the file; name is what the records'
// headers and the summary call it.
func (o *captureOptions) openSource() (src interface {
	source.PacketSource
	Close() error
}, name string, err error) {
	if o.iface != "" {
		l, err := source.OpenLive(source.LiveConfig{Interface: o.iface, Promisc: o.promisc, Snaplen: o.snaplen, Filter: o.bpf})
		if err != nil {
			return nil, "", fmt.Errorf("capture: %w", err)
		}
		return l, o.iface, nil
	}
	f, err := source.OpenFile(o.read)
	if err != nil {
		return nil, "", err
	}
	return f, o.read, nil
}

// openSink returns where the records go: the record files in -out (files,
// nil otherwise) or o.newSink's, counted for -metrics.
func (o *captureOptions) openSink(name string, m *captureMetrics) (sink ncio.RecordSink, files *ncio.FileSink, err error) {
	if o.newSink != nil {
		sink, err = o.newSink(name)
	} else {
		sink, files, err = o.openFiles(name)
	}
	if err != nil {
		return nil, nil, err
	}
	if files != nil {
		m.files.Store(files)
	}
	if m.recorder != nil {
		sink = metrics.NewSink(sink, m.recorder)
	}
	return sink, files, nil
}

// openFiles prepares -out and returns the record file sink.
func (o *captureOptions) openFiles(name string) (ncio.RecordSink, *ncio.FileSink, error) {
	if err := prepareOut(o.out, o.force, o.conns); err != nil {
		return nil, nil, err
	}
	comp, _ := compressionFlag(o.compress, o.compression)
	rotateSize, _ := parseSize(o.rotateSize)
	files, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: o.out, Compression: comp, Source: name, Payloads: o.payload, Rotate: o.rotate, RotateSize: rotateSize})
	if err != nil {
		return nil, nil, err
	}
	return files, files, nil
}

// run runs the capture with interrupt handling and profiling, closes the
// sink, and reports: the summary, -parquet, and the exit status.
func (o *captureOptions) run(cmd *cobra.Command, log *zap.Logger, stop *captureStop, src source.PacketSource, name string, cfg collector.Config, files *ncio.FileSink) error {
	if o.cpuProfile != "" {
		done, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer done()
	}
	sum, runErr, forced := stop.run(func(ctx context.Context) (*collector.Summary, error) {
		return collector.Run(ctx, src, name, cfg)
	})
	if forced != nil {
		return forced
	}
	if o.memProfile != "" {
		if err := writeHeapProfile(o.memProfile); err != nil {
			return fmt.Errorf("capture: -memprofile: %w", err)
		}
	}
	closeErr := cfg.Sink.Close()
	status := describeStop(sum, o, runErr, stop.signals.Signal(), stop.ctx)
	if sum != nil && !o.quiet {
		sum.Print(cmd.OutOrStdout())
		if files != nil {
			fmt.Fprintf(cmd.OutOrStdout(), "\n%d record files in %s\n", len(files.Files()), o.out)
		}
	}
	if err := o.writeParquet(files, closeErr); err != nil {
		return err
	}
	if sum != nil && sum.Warning != nil {
		fmt.Fprintf(os.Stderr, "net: warning: %v\n", sum.Warning)
	}
	return captureResult(log, runErr, closeErr, status)
}

// writeParquet converts every record file to Parquet (-parquet) once the
// files are complete.
func (o *captureOptions) writeParquet(files *ncio.FileSink, closeErr error) error {
	if !o.parquet || files == nil || closeErr != nil {
		return nil
	}
	for _, f := range files.Files() {
		if _, err := ncio.ConvertToParquet(f.Path, filepath.Join(filepath.Dir(f.Path), parquetName(f.Path))); err != nil {
			return fmt.Errorf("capture: -parquet: %w", err)
		}
	}
	return nil
}

// captureResult is the command's error for what the run and closing the
// files returned, and the exit status describeStop chose.
func captureResult(log *zap.Logger, runErr, closeErr error, status int) error {
	if runErr != nil {
		if closeErr != nil {
			// Mostly the same cause (a full disk): one line says it.
			log.Debug("closing the other record files", zap.Error(closeErr))
			return fmt.Errorf("capture stopped: %w (%d record files could not be completed: net util -check -repair recovers what they hold)", runErr, len(unwrapJoined(closeErr)))
		}
		return fmt.Errorf("capture stopped: %w", runErr)
	}
	if closeErr != nil {
		return closeErr
	}
	if status != 0 {
		return &exitError{code: status}
	}
	return nil
}

// startCPUProfile starts -cpuprofile; done stops it and closes the file.
func startCPUProfile(path string) (done func(), err error) {
	pf, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("capture: -cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, fmt.Errorf("capture: -cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		pf.Close()
	}, nil
}
