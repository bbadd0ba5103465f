package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/netcap-go/netcap/proxy"
)

type proxyOptions struct {
	local, remote, config string
	out                   string
	compress              bool
	compression           string
	metrics               string
	cfg                   proxy.Config
	maxRequest, maxResp   string
	maxBody               string
	quiet                 bool
}

func newProxyCmd(root *rootOptions) *cobra.Command {
	o := &proxyOptions{}
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "HTTP reverse proxy that writes an HTTP audit record per request",
		Long: `proxy relays HTTP requests to a backend (net/http/httputil's reverse proxy)
and writes one HTTP record per request/response to <out>/HTTP.ncap.gz — the
same record net capture writes — with timings measured by the proxy (DNS,
TLS, time to first byte, total). With -proxy-config several proxies run,
each writing <out>/<name>/HTTP.ncap.gz. X-Forwarded-For gets the client
appended, X-Forwarded-Host/-Proto are set. A backend that refuses or resets
gives 502, one that does not answer in time 504; both are recorded.
SIGTERM or Ctrl-C stops accepting, lets requests in flight finish and
closes the record files.`,
		Example: `  net proxy -local :8080 -remote http://127.0.0.1:80
  net proxy -local :8443 -remote https://backend:443 -tls-cert cert.pem -tls-key key.pem -skipTlsVerify
  net proxy -proxy-config net.proxy-config.yml -metrics 127.0.0.1:7777 -payload`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runProxy(cmd, root, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.local, "local", "", "address to listen on, e.g. :8080")
	f.StringVar(&o.remote, "remote", "", "backend URL, e.g. http://backend:80")
	f.StringVar(&o.config, "proxy-config", "", "YAML file with several proxies (name, local, remote, tls, skipTlsVerify; certFile/keyFile)")
	f.StringVarP(&o.out, "out", "o", ".", "directory for the record files")
	f.BoolVar(&o.compress, "compress", true, "compress record files (-compress=false writes plain .ncap)")
	f.StringVar(&o.compression, "compression", "gzip", "gzip (.ncap.gz) or zstd (.ncap.zst)")
	f.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics on this address (/metrics)")
	f.StringVar(&o.cfg.CertFile, "tls-cert", "", "serve HTTPS with this certificate")
	f.StringVar(&o.cfg.KeyFile, "tls-key", "", "key of -tls-cert")
	f.DurationVar(&o.cfg.DialTimeout, "dialTimeout", 30*time.Second, "backend connect timeout")
	f.DurationVar(&o.cfg.TLSTimeout, "tlsTimeout", 15*time.Second, "backend TLS handshake timeout")
	f.DurationVar(&o.cfg.IdleConnTimeout, "idleConnTimeout", 90*time.Second, "idle backend connections close after this")
	f.DurationVar(&o.cfg.ResponseHeaderTimeout, "responseTimeout", 60*time.Second, "a backend that does not start its response in this time gets 504")
	f.DurationVar(&o.cfg.Timeout, "timeout", 5*time.Minute, "whole exchange (headers and bodies) at most")
	f.IntVar(&o.cfg.MaxIdle, "maxIdle", 100, "idle backend connections kept")
	f.BoolVar(&o.cfg.SkipTLSVerify, "skipTlsVerify", false, "do not verify the backend's TLS certificate")
	f.BoolVar(&o.cfg.Payloads, "payload", false, "keep request and response bodies in the records (up to -max-body)")
	f.StringVar(&o.maxBody, "max-body", "1MB", "bytes of each body kept with -payload")
	f.StringVar(&o.maxRequest, "max-request", "64MB", "larger request bodies get 413")
	f.StringVar(&o.maxResp, "max-response", "1GB", "larger response bodies are cut")
	f.IntVar(&o.cfg.MaxHeaders, "max-headers", 200, "requests with more header fields get 431")
	f.IntVar(&o.cfg.MaxHeaderBytes, "max-header-bytes", 1<<20, "bytes of request headers at most")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no summary")
	return cmd
}

func runProxy(cmd *cobra.Command, root *rootOptions, o *proxyOptions) error {
	for _, s := range []struct {
		flag, val string
		dst       *int64
	}{{"-max-body", o.maxBody, &o.cfg.MaxBodyBytes}, {"-max-request", o.maxRequest, &o.cfg.MaxRequestBytes}, {"-max-response", o.maxResp, &o.cfg.MaxResponseBytes}} {
		n, err := parseSize(s.val)
		if err != nil || n <= 0 {
			return fmt.Errorf("proxy: %s %q: want a size such as 1MB", s.flag, s.val)
		}
		*s.dst = n
	}
	comp, err := compressionFlag(o.compress, o.compression)
	if err != nil {
		return err
	}
	var proxies []proxy.Config
	switch {
	case o.config != "" && (o.local != "" || o.remote != ""):
		return errors.New("proxy: -proxy-config and -local/-remote exclude each other")
	case o.config != "":
		if proxies, err = proxy.LoadConfig(o.config, o.cfg); err != nil {
			return fmt.Errorf("proxy: %w", err)
		}
	case o.local == "" || o.remote == "":
		return errors.New("proxy: give -local ADDR and -remote URL, or -proxy-config FILE")
	default:
		c := o.cfg
		c.Local, c.Remote = o.local, o.remote
		proxies = []proxy.Config{c}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	counts, err := proxy.Run(ctx, proxy.RunConfig{Proxies: proxies, Out: o.out, Compression: comp, Metrics: o.metrics, Log: root.log,
		Ready: func(name, addr string) {
			fmt.Fprintf(os.Stderr, "net proxy: %s listening on %s\n", name, addr)
		}})
	if !o.quiet && counts != nil {
		names := make([]string, 0, len(counts))
		for n := range counts {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(cmd.OutOrStdout(), "proxy %s: %d HTTP records\n", n, counts[n])
		}
	}
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	return nil
}
