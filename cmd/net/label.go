package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/label"
	"github.com/netcap-go/netcap/types"
)

type labelOptions struct {
	read, out      string
	alerts         string
	suricataConfig string
	rules          string
	suricataBin    string
	custom         string
	window         time.Duration
	strict         bool
	collect        bool
	parquet        bool
	epoch          bool
	exclude        string
	quiet          bool
}

func newLabelCmd(root *rootOptions) *cobra.Command {
	o := &labelOptions{}
	cmd := &cobra.Command{
		Use:   "label",
		Short: "Label audit records with Suricata alerts (or custom attack windows) for ML datasets",
		Long: `label writes <Type>_labeled.csv for every record file in -out: the record's
CSV columns plus label (alert signature or "normal"), category, severity and
alert_count.

Alerts come from running Suricata on -read (with -rules and optionally
-suricata-config; Community IDs are switched on), or from an existing
-alerts eve.json / fast.log, and/or from -custom labels.yaml (attack windows
by address and time). If -out holds no record files yet, the capture is
decoded into it first (as net capture -read).

The join: on the Community ID where both sides have one, else on the
5-tuple; a Connection/Flow record whose span holds an alert labels every
record of that flow in the span; records without a flow (Ethernet, IPv4, …)
are labelled with the packet they belong to (same timestamp), or by
timestamp and addresses within -window.`,
		Example: `  net label -read traffic.pcap -out traffic_ncap -rules local.rules
  net label -read traffic.pcap -out traffic_ncap -alerts eve.json -collect -parquet
  net label -out traffic_ncap -custom attacks.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLabel(cmd, root, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.read, "read", "r", "", "the pcap/pcapng file (run through Suricata, and decoded if -out has no records)")
	f.StringVarP(&o.out, "out", "o", "", "directory of the record files; the labelled CSV files go there too")
	f.StringVar(&o.alerts, "alerts", "", "use existing alerts: Suricata eve.json or fast.log (instead of running Suricata)")
	f.StringVar(&o.suricataConfig, "suricata-config", "", "suricata.yaml to run Suricata with (default: a minimal alert-only config)")
	f.StringVar(&o.rules, "rules", "", "Suricata rule file")
	f.StringVar(&o.suricataBin, "suricata", "suricata", "the Suricata binary")
	f.StringVar(&o.custom, "custom", "", "YAML file of known attacks (time windows and addresses) to label as well")
	f.DurationVar(&o.window, "window", time.Second, "time tolerance of the join (connection spans, records without a connection)")
	f.BoolVar(&o.strict, "strict", false, "a record matched by alerts with different signatures is labelled \"ambiguous\"")
	f.BoolVar(&o.collect, "collect", false, "label a record with all matching signatures joined by \" | \"")
	f.BoolVar(&o.parquet, "parquet", false, "also write <Type>_labeled.parquet (typed columns)")
	f.BoolVar(&o.epoch, "epoch", false, "timestamps in the CSV as Unix nanoseconds (default: RFC 3339 in UTC)")
	f.StringVar(&o.exclude, "exclude", "", "comma-separated signatures or categories whose alerts are ignored")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no summary")
	return cmd
}

func runLabel(cmd *cobra.Command, root *rootOptions, o *labelOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	alerts, err := o.readAlerts(ctx, root)
	if err != nil {
		return err
	}
	if err := o.decodeIfNeeded(ctx, cmd, root); err != nil {
		return err
	}
	sum, err := label.Run(o.config(alerts))
	if err != nil {
		return fmt.Errorf("label: %w", err)
	}
	if !o.quiet {
		sum.Print(cmd.OutOrStdout())
	}
	return nil
}

// check validates the options (and derives -out from -read).
func (o *labelOptions) check() error {
	if o.out == "" {
		if o.read == "" {
			return errors.New("label: give the record directory with -out DIR (and the capture with -read FILE)")
		}
		o.out = strings.TrimSuffix(o.read, filepath.Ext(o.read)) + "_ncap"
	}
	if o.strict && o.collect {
		return errors.New("label: -strict and -collect exclude each other")
	}
	if o.alerts == "" && o.read == "" && o.custom == "" {
		return errors.New("label: no alerts: give -read FILE (to run Suricata), -alerts eve.json|fast.log or -custom labels.yaml")
	}
	return nil
}

// readAlerts gathers the alerts: from -alerts, or from running Suricata
// on -read, less -exclude, plus the -custom labels.
func (o *labelOptions) readAlerts(ctx context.Context, root *rootOptions) ([]*label.Alert, error) {
	var alerts []*label.Alert
	var err error
	switch {
	case o.alerts != "":
		if alerts, err = readAlertsFile(o.alerts); err != nil {
			return nil, fmt.Errorf("label: -alerts: %w", err)
		}
	case o.read != "" && (o.rules != "" || o.suricataConfig != ""):
		eve, err := label.RunSuricata(ctx, label.SuricataConfig{Binary: o.suricataBin, Config: o.suricataConfig, Rules: o.rules,
			LogDir: filepath.Join(o.out, "suricata"), Pcap: o.read, Verbose: root.debug})
		if err != nil {
			return nil, fmt.Errorf("label: %w", err)
		}
		if alerts, err = readAlertsFile(eve); err != nil {
			return nil, fmt.Errorf("label: %w", err)
		}
	case o.read != "" && o.custom == "":
		return nil, errors.New("label: give Suricata rules with -rules FILE (or -suricata-config), existing alerts with -alerts, or -custom labels")
	}
	if o.exclude != "" {
		drop := splitList(o.exclude)
		alerts = slices.DeleteFunc(alerts, func(a *label.Alert) bool {
			return slices.Contains(drop, a.Signature) || slices.Contains(drop, a.Category)
		})
	}
	if o.custom != "" {
		c, err := label.ReadCustom(o.custom)
		if err != nil {
			return nil, fmt.Errorf("label: -custom: %w", err)
		}
		alerts = append(alerts, c...)
	}
	return alerts, nil
}

// readAlertsFile reads an eve.json or fast.log, saying how many lines it
// skipped.
func readAlertsFile(path string) ([]*label.Alert, error) {
	a, st, err := label.ReadAlertsFile(path)
	if err != nil {
		return nil, err
	}
	if st.Skipped > 0 {
		fmt.Fprintf(os.Stderr, "net: label: %d malformed lines of %s skipped\n", st.Skipped, path)
	}
	return a, nil
}

// decodeIfNeeded runs net capture on -read when -out holds no records.
func (o *labelOptions) decodeIfNeeded(ctx context.Context, cmd *cobra.Command, root *rootOptions) error {
	if label.HasRecords(o.out) {
		return nil
	}
	if o.read == "" {
		return fmt.Errorf("label: no record files in %s (give the capture with -read to decode it)", o.out)
	}
	capture := newCaptureCmd(root)
	capture.SetArgs([]string{"--read", o.read, "--out", o.out, "--quiet"})
	capture.SetOut(cmd.ErrOrStderr())
	capture.SetContext(ctx)
	if err := capture.Execute(); err != nil {
		return fmt.Errorf("label: decoding %s: %w", o.read, err)
	}
	return nil
}

// config is the labelling run's configuration.
func (o *labelOptions) config(alerts []*label.Alert) label.Config {
	mode := label.Best
	switch {
	case o.strict:
		mode = label.Strict
	case o.collect:
		mode = label.Collect
	}
	tm := types.TimeUTC
	if o.epoch {
		tm = types.TimeEpoch
	}
	return label.Config{Dir: o.out, Alerts: alerts, Window: o.window, Mode: mode, Parquet: o.parquet, Time: tm,
		PacketLayers: registry.PacketLayers()}
}
