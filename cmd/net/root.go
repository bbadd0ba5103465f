package main

import (
	"os"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/netcap-go/netcap/types"
)

type rootOptions struct {
	debug bool
	log   *zap.Logger
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
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			opts.log = newLogger(opts.debug)
		},
	}
	root.PersistentFlags().BoolVar(&opts.debug, "debug", false, "verbose logging to stderr")
	root.AddCommand(newCaptureCmd(opts), newDumpCmd(opts), newLabelCmd(opts), newAgentCmd(opts), newCollectCmd(opts), newProxyCmd(opts), newExportCmd(opts), newTransformCmd(opts))
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
