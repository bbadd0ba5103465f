package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/dist"
	"github.com/netcap-go/netcap/metrics"
)

type collectOptions struct {
	addr, store, out string
	merge            bool
	natsURL          string
	compress         bool
	compression      string
	tlsCert, tlsKey  string
	tlsCA            string
	nkeys, users     string
	clientAuth       dist.ClientAuth
	genKeys          string
	hosts            []string
	commitInterval   time.Duration
	commitBatches    int
	maxStore         string
	quiet            bool
	metrics          string
}

func newCollectCmd(root *rootOptions) *cobra.Command {
	o := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect records from agents over NATS JetStream into record files",
		Long: `collect starts an embedded NATS server with JetStream (file store under
-store) on -addr, or with -nats uses an existing NATS cluster, and writes the
batches agents publish (net agent) into the same record files as net
capture: -out/<agent id>/<Type>.ncap.gz, or -out/<Type>.ncap.gz with -merge.

Records are acknowledged only once durable in the files (a checkpoint every
-commit-interval); after a crash the files are cut back to the last
checkpoint and the unacknowledged batches come again, so every record is
stored exactly once. Record files the collector did not write are left
alone; a file that does not match its checkpoint is set aside as
<file>.damaged-<UTC>, untouched, and its type starts a new file.

Security (embedded server): -tls-cert/-tls-key for TLS, -tls-ca to require
agent certificates signed by that CA (mutual TLS), -nkeys FILE (public nkeys)
and/or -users FILE (user:password lines) to require credentials. With -nats
the -tls-* flags, -nkey, -user and -password are this client's own.
-gen-keys DIR writes a CA, server and agent certificates and an agent nkey.`,
		Example: `  net collect -store /var/lib/netcap/store -out /var/lib/netcap/records
  net collect -gen-keys keys -hosts collector.example.org
  net collect -addr 0.0.0.0:4222 -tls-cert keys/server.pem -tls-key keys/server-key.pem -tls-ca keys/ca.pem -nkeys keys/agents.nkeys
  net collect -nats nats://n1:4222,nats://n2:4222 -out records`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runCollect(cmd, root, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:4222", "address the embedded NATS server listens on")
	f.StringVar(&o.store, "store", "netcap-store", "JetStream file store of the embedded server")
	f.StringVarP(&o.out, "out", "o", "collected", "directory for the record files")
	f.BoolVar(&o.merge, "merge", false, "one file per type for all agents instead of a directory per agent")
	f.StringVar(&o.natsURL, "nats", "", "use this NATS cluster (URLs, comma-separated) instead of the embedded server")
	f.BoolVar(&o.compress, "compress", true, "compress record files (-compress=false writes plain .ncap)")
	f.StringVar(&o.compression, "compression", "gzip", "gzip (.ncap.gz) or zstd (.ncap.zst)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "certificate (server: the collector's; with -nats: this client's)")
	f.StringVar(&o.tlsKey, "tls-key", "", "key of -tls-cert")
	f.StringVar(&o.tlsCA, "tls-ca", "", "CA (server: agents must present a certificate it signed; with -nats: verifies the cluster)")
	f.StringVar(&o.nkeys, "nkeys", "", "file of public nkeys agents may sign in with (one per line)")
	f.StringVar(&o.users, "users", "", "file of user:password lines agents may sign in with")
	f.StringVar(&o.clientAuth.NKeySeed, "nkey", "", "with -nats: nkey seed file of this client")
	f.StringVar(&o.clientAuth.User, "user", "", "with -nats: user name")
	f.StringVar(&o.clientAuth.Password, "password", "", "with -nats: password (or NC_PASSWORD)")
	f.StringVar(&o.genKeys, "gen-keys", "", "write a CA, server/agent certificates and an agent nkey into this directory and exit")
	f.StringSliceVar(&o.hosts, "hosts", nil, "with -gen-keys: host names/addresses of the collector for its certificate")
	f.DurationVar(&o.commitInterval, "commit-interval", time.Second, "how often written records are made durable and acknowledged")
	f.IntVar(&o.commitBatches, "commit-batches", 512, "also checkpoint after this many batches")
	f.StringVar(&o.maxStore, "max-store", "10GB", "disk the embedded JetStream store may use (full: agents buffer)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no summary")
	f.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics of the records collected on this address (/metrics)")
	return cmd
}

func runCollect(cmd *cobra.Command, root *rootOptions, o *collectOptions) error {
	if o.genKeys != "" {
		return genKeys(cmd, o)
	}
	cfg, err := o.collectorConfig(root)
	if err != nil {
		return err
	}
	if o.metrics != "" {
		reg := metrics.NewRegistry()
		rec := metrics.NewRecorder(reg, registry.PacketLayers())
		cfg.Observe = rec.Observe
		srv, err := metrics.Serve(o.metrics, reg)
		if err != nil {
			return fmt.Errorf("collect: -metrics: %w", err)
		}
		defer srv.Close()
		fmt.Fprintf(os.Stderr, "net collect: metrics on http://%s/metrics\n", srv.Addr())
	}
	cfg.Ready = func(url string) {
		fmt.Fprintf(os.Stderr, "net collect: consuming from %s; records to %s\n", url, o.out)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := dist.RunCollector(ctx, cfg)
	if st != nil && !o.quiet {
		printCollectSummary(cmd.OutOrStdout(), st)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("collect: %w", err)
	}
	return nil
}

// genKeys writes the keys and certificates of -gen-keys and says how to
// use them.
func genKeys(cmd *cobra.Command, o *collectOptions) error {
	k, err := dist.GenKeys(o.genKeys, o.hosts)
	if err != nil {
		return fmt.Errorf("collect: -gen-keys: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), `wrote into %s:
  CA                  %s
  collector (server)  %s, %s
  agent (client)      %s, %s
  agent nkey seed     %s (public %s, listed in %s)

collector: net collect -addr 0.0.0.0:4222 -tls-cert %s -tls-key %s -tls-ca %s -nkeys %s
agent:     net agent -collector nats://HOST:4222 -tls-ca %s -tls-cert %s -tls-key %s -nkey %s -iface eth0
`, o.genKeys, k.CA, k.ServerCert, k.ServerKey, k.AgentCert, k.AgentKey, k.AgentSeed, k.AgentPublic, k.AgentsFile,
		k.ServerCert, k.ServerKey, k.CA, k.AgentsFile, k.CA, k.AgentCert, k.AgentKey, k.AgentSeed)
	return nil
}

// collectorConfig turns the options into the collector's configuration:
// a NATS server to join (-nats) or the embedded one.
func (o *collectOptions) collectorConfig(root *rootOptions) (dist.CollectorConfig, error) {
	comp, err := compressionFlag(o.compress, o.compression)
	if err != nil {
		return dist.CollectorConfig{}, err
	}
	maxStore, err := parseSize(o.maxStore)
	if err != nil {
		return dist.CollectorConfig{}, fmt.Errorf("collect: -max-store: %w", err)
	}
	cfg := dist.CollectorConfig{Out: o.out, Merge: o.merge, Compression: comp, CommitInterval: o.commitInterval,
		CommitBatches: o.commitBatches, Log: root.log}
	if o.natsURL != "" {
		if o.clientAuth.Password == "" {
			o.clientAuth.Password = os.Getenv("NC_PASSWORD")
		}
		a := o.clientAuth
		a.CA, a.Cert, a.Key = o.tlsCA, o.tlsCert, o.tlsKey
		if cfg.Options, err = a.Options(); err != nil {
			return cfg, fmt.Errorf("collect: %w", err)
		}
		cfg.URL = o.natsURL
		return cfg, nil
	}
	cfg.Server, err = o.serverConfig(root, maxStore)
	return cfg, err
}

// serverConfig configures the embedded NATS server.
func (o *collectOptions) serverConfig(root *rootOptions, maxStore int64) (dist.ServerConfig, error) {
	tlsConf, verify, err := dist.ServerTLS(o.tlsCert, o.tlsKey, o.tlsCA)
	if err != nil {
		return dist.ServerConfig{}, fmt.Errorf("collect: TLS: %w", err)
	}
	sc := dist.ServerConfig{Addr: o.addr, StoreDir: o.store, MaxStore: maxStore, TLS: tlsConf, VerifyClients: verify, Log: root.log}
	if o.nkeys != "" {
		if sc.NKeys, err = dist.ReadNKeys(o.nkeys); err != nil {
			return sc, fmt.Errorf("collect: -nkeys: %w", err)
		}
	}
	if o.users != "" {
		if sc.Users, err = dist.ReadUsers(o.users); err != nil {
			return sc, fmt.Errorf("collect: -users: %w", err)
		}
	}
	return sc, nil
}

// printCollectSummary prints what the collector did, per agent.
func printCollectSummary(w io.Writer, st *dist.CollectorStats) {
	fmt.Fprintf(w, "collected %d records in %d batches (%d redelivered batches skipped, %d refused, %d checkpoints)\n",
		st.Records, st.Batches, st.Duplicates, st.Bad, st.Commits)
	if st.SetAside+st.Missing+st.Strangers > 0 {
		fmt.Fprintf(w, "at start: %d files set aside (not as their checkpoint said: *.damaged-*), %d checkpointed files gone, %d record files not ours left alone\n",
			st.SetAside, st.Missing, st.Strangers)
	}
	agents := make([]string, 0, len(st.Agents))
	for a := range st.Agents {
		agents = append(agents, a)
	}
	sort.Strings(agents)
	for _, a := range agents {
		fmt.Fprintf(w, "  %-20s %d records\n", a, st.Agents[a])
	}
}
