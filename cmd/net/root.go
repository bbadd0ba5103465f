package main

import (
	"os"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/netcap-go/netcap/types"
)

type rootOptions struct {
	debug     bool
	log       *zap.Logger
	config    string
	genConfig bool
}

func newRootCmd() *cobra.Command {
	opts := &rootOptions{log: zap.NewNop()}
	root := &cobra.Command{
		Use:   "net",
		Short: "netcap: network packets to typed audit records",
		Long: `netcap turns packets from pcap/pcapng files into typed audit records, one
file per protocol or abstraction (length-delimited protobuf, gzip), and reads
them back as CSV, TSV, JSON or tables.

Long flags take one dash or two: -read and --read are the same.`,
		Version:       types.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if opts.genConfig {
				writeConfig(cmd.OutOrStdout(), cmd)
				return errDone
			}
			if err := applyConfig(cmd, opts.config, os.Getenv); err != nil {
				return err
			}
			opts.log = newLogger(opts.debug)
			return nil
		},
	}
	root.PersistentFlags().BoolVar(&opts.debug, "debug", false, "verbose logging to stderr")
	root.PersistentFlags().StringVar(&opts.config, "config", "", "read flags from this file of \"name value\" lines (see -gen-config); flags also come from NC_<FLAG> environment variables")
	root.PersistentFlags().BoolVar(&opts.genConfig, "gen-config", false, "print the command's flags with their defaults as a -config file and exit")
	root.AddCommand(newCaptureCmd(opts), newDumpCmd(opts), newLabelCmd(opts), newAgentCmd(opts), newCollectCmd(opts), newProxyCmd(opts), newExportCmd(opts), newTransformCmd(opts), newUtilCmd(opts))
	root.AddCommand(newGenDocsCmd(root))
	return root
}

// newLogger logs to stderr only, so stdout carries nothing but output.
func newLogger(debug bool) *zap.Logger {
	level := zapcore.WarnLevel
	if debug {
		level = zapcore.DebugLevel
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(os.Stderr), level)
	return zap.New(core)
}
