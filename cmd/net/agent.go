package main

import (
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/netcap-go/netcap/dist"
	ncio "github.com/netcap-go/netcap/io"
)

type agentOptions struct {
	capture      captureOptions
	collector    string
	id           string
	spool        string
	buffer       string
	spoolMax     string
	batchBytes   string
	drainTimeout time.Duration
	auth         dist.ClientAuth
}

func newAgentCmd(root *rootOptions) *cobra.Command {
	o := &agentOptions{}
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Capture like net capture and publish the records to a collector (NATS JetStream)",
		Long: `agent runs the capture pipeline of net capture (-iface for live traffic, -read
to replay a file; the same decoder flags) and publishes the records to
net collect over NATS JetStream: batches of one record type (about
-batch-size framed bytes, and at least once a second live), zstd-compressed,
with the agent id, a sequence number and the type in headers.

Every batch has a message ID, so a batch sent again after a lost
acknowledgement is stored once. When the collector or the network is down
the agent keeps capturing and buffers: -buffer in memory, then -spool on
disk (-spool-max), then drops and counts. At the end it waits up to
-drain-timeout for the collector; what is left stays in the spool for the
next run with the same -spool.`,
		Example: `  net agent -iface eth0 -collector nats://collector:4222 -id sensor1
  net agent -read traffic.pcap -collector nats://127.0.0.1:4222 -id replay -spool /var/spool/netcap
  net agent -i eth0 -collector nats://c:4222 -tls-ca ca.pem -tls-cert agent.pem -tls-key agent-key.pem -nkey agent.nk`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAgent(cmd, root, o) },
	}
	o.capture.addFlags(cmd)
	cmd.Flags().MarkHidden("out")
	f := cmd.Flags()
	host, _ := os.Hostname()
	f.StringVar(&o.collector, "collector", "nats://127.0.0.1:4222", "NATS URL(s) of the collector (comma-separated for a cluster)")
	f.StringVar(&o.id, "id", agentIDFrom(host), "agent id: the collector's directory for this agent (letters, digits, - and _)")
	f.StringVar(&o.spool, "spool", "", "directory for batches the collector has not taken when memory is full or at exit (none: drop and count)")
	f.StringVar(&o.buffer, "buffer", "64MB", "memory for batches while the collector is unreachable")
	f.StringVar(&o.spoolMax, "spool-max", "1GB", "disk for the spool")
	f.StringVar(&o.batchBytes, "batch-size", "256KB", "framed bytes of one batch")
	f.DurationVar(&o.drainTimeout, "drain-timeout", time.Minute, "at the end, how long to wait for the collector to take what is buffered")
	f.StringVar(&o.auth.CA, "tls-ca", "", "CA certificate that signed the collector's certificate (TLS)")
	f.StringVar(&o.auth.Cert, "tls-cert", "", "client certificate (mutual TLS)")
	f.StringVar(&o.auth.Key, "tls-key", "", "key of the client certificate")
	f.StringVar(&o.auth.NKeySeed, "nkey", "", "file with the agent's nkey seed (net collect -gen-keys writes agent.nk)")
	f.StringVar(&o.auth.User, "user", "", "NATS user name")
	f.StringVar(&o.auth.Password, "password", "", "NATS password (or NC_PASSWORD in the environment)")
	return cmd
}

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func agentIDFrom(host string) string {
	id := notIDChar.ReplaceAllString(host, "-")
	if len(id) > 64 {
		id = id[:64]
	}
	if id == "" {
		id = "agent"
	}
	return id
}

func runAgent(cmd *cobra.Command, root *rootOptions, o *agentOptions) error {
	if err := dist.ValidAgentID(o.id); err != nil {
		return fmt.Errorf("agent: -id: %w", err)
	}
	if o.auth.Password == "" {
		o.auth.Password = os.Getenv("NC_PASSWORD")
	}
	var buffer, spoolMax, batch int64
	for _, kv := range []struct {
		flag, val string
		dst       *int64
	}{{"-buffer", o.buffer, &buffer}, {"-spool-max", o.spoolMax, &spoolMax}, {"-batch-size", o.batchBytes, &batch}} {
		n, err := parseSize(kv.val)
		if err != nil || n <= 0 {
			return fmt.Errorf("agent: %s %q: want a size such as 64MB", kv.flag, kv.val)
		}
		*kv.dst = n
	}
	if batch > dist.MaxBatchBytes/2 {
		return fmt.Errorf("agent: -batch-size at most %d bytes", dist.MaxBatchBytes/2)
	}
	opts, err := o.auth.Options()
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	var pub *dist.Publisher
	refused := make(chan struct{})
	o.capture.stop = refused
	o.capture.newSink = func(source string) (ncio.RecordSink, error) {
		p, err := dist.NewPublisher(dist.PublisherConfig{
			URL: o.collector, Agent: o.id, Source: source, Payloads: o.capture.payload, Options: opts,
			BufferBytes: buffer, SpoolDir: o.spool, SpoolBytes: spoolMax, BatchBytes: int(batch),
			DrainTimeout: o.drainTimeout, Log: root.log,
		})
		if err != nil {
			return nil, err
		}
		pub = p
		go func() {
			<-p.Refused()
			close(refused)
		}()
		return p, nil
	}
	capErr := runCapture(cmd, root.log, &o.capture)
	if pub == nil {
		return capErr
	}
	st := pub.Stats()
	fmt.Fprintf(cmd.OutOrStdout(), "agent %s: %s\n", o.id, st)
	if err := pub.Err(); err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if capErr != nil {
		return fmt.Errorf("agent: %w", capErr)
	}
	return nil
}
