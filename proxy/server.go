package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"go.yaml.in/yaml/v3"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/metrics"
	"github.com/netcap-go/netcap/types"
)

// FileConfig is the YAML of -proxy-config, in Netcap's layout:
//
//	proxies:
//	  web:
//	    local: 127.0.0.1:8080
//	    remote: http://10.0.0.5:80
//	  api:
//	    local: 127.0.0.1:8443
//	    remote: https://10.0.0.6:443
//	    tls: true              # serve HTTPS locally (certFile/keyFile)
//	    skipTlsVerify: true    # do not verify the backend's certificate
//	certFile: cert.pem
//	keyFile: key.pem
type FileConfig struct {
	Proxies  map[string]FileProxy `yaml:"proxies"`
	CertFile string               `yaml:"certFile"`
	KeyFile  string               `yaml:"keyFile"`
	Logdir   string               `yaml:"logdir"`
}

// FileProxy is one proxy of a FileConfig.
type FileProxy struct {
	Local         string `yaml:"local"`
	Remote        string `yaml:"remote"`
	TLS           bool   `yaml:"tls"`
	SkipTLSVerify bool   `yaml:"skipTlsVerify"`
	CertFile      string `yaml:"certFile"`
	KeyFile       string `yaml:"keyFile"`
}

// LoadConfig reads -proxy-config; base holds the settings every proxy
// starts from (timeouts, limits, payloads).
func LoadConfig(path string, base Config) ([]Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fc FileConfig
	if err := yaml.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(fc.Proxies) == 0 {
		return nil, fmt.Errorf("%s: no proxies", path)
	}
	var out []Config
	for name, p := range fc.Proxies {
		c := base
		c.Name, c.Local, c.Remote = name, p.Local, p.Remote
		c.SkipTLSVerify = c.SkipTLSVerify || p.SkipTLSVerify
		if p.TLS {
			c.CertFile, c.KeyFile = first(p.CertFile, fc.CertFile), first(p.KeyFile, fc.KeyFile)
			if c.CertFile == "" || c.KeyFile == "" {
				return nil, fmt.Errorf("%s: proxy %s: tls needs certFile and keyFile", path, name)
			}
		}
		if err := c.defaults(); err != nil {
			return nil, fmt.Errorf("%s: proxy %s: %w", path, name, err)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Config) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out, nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// RunConfig configures Run.
type RunConfig struct {
	Proxies     []Config
	Out         string // records: Out/HTTP.ncap.gz, or Out/<name>/HTTP.ncap.gz for several proxies
	Compression ncio.Compression
	Metrics     string // address for /metrics (empty: none)
	Log         *zap.Logger
	// Ready is called with each proxy's listening address (and the metrics
	// address last, if any) once all listen.
	Ready func(name, addr string)
	// ShutdownTimeout bounds how long in-flight requests may finish at
	// the end (default 30 s).
	ShutdownTimeout time.Duration
}

// recordWriter serialises the handlers' records into one emitter and
// hands them to the file at least once a second.
type recordWriter struct {
	mu   sync.Mutex
	sink *ncio.FileSink
	em   ncio.Emitter
	n    int64
	err  error
}

func (w *recordWriter) emit(r *types.HTTP) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.em.Emit(types.Type_NC_HTTP, r); err != nil && w.err == nil {
		w.err = err
	}
	w.n++
}

func (w *recordWriter) flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.em.Flush(); err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// Run serves the proxies until ctx ends, then stops accepting, lets
// in-flight requests finish (their records are written), and closes the
// record files.
func Run(ctx context.Context, rc RunConfig) (map[string]int64, error) {
	if len(rc.Proxies) == 0 {
		return nil, errors.New("no proxy configured")
	}
	if rc.Log == nil {
		rc.Log = zap.NewNop()
	}
	if rc.ShutdownTimeout <= 0 {
		rc.ShutdownTimeout = 30 * time.Second
	}
	reg := prometheus.NewRegistry()
	var m *Metrics
	if rc.Metrics != "" {
		reg = metrics.NewRegistry()
		m = NewMetrics(reg)
	}
	type running struct {
		cfg Config
		srv *http.Server
		ln  net.Listener
		w   *recordWriter
	}
	var (
		all  []*running
		errs []error
	)
	closeAll := func() {
		for _, r := range all {
			r.ln.Close()
			if r.w != nil {
				r.w.flush()
				r.w.sink.Close()
			}
		}
	}
	for _, c := range rc.Proxies {
		if err := c.defaults(); err != nil {
			closeAll()
			return nil, fmt.Errorf("proxy %s: %w", c.Name, err)
		}
		dir := rc.Out
		if len(rc.Proxies) > 1 {
			dir = filepath.Join(rc.Out, c.Name)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			closeAll()
			return nil, err
		}
		sink, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: dir, Compression: rc.Compression, Source: "proxy " + c.Name + " -> " + c.Remote, Payloads: c.Payloads})
		if err != nil {
			closeAll()
			return nil, err
		}
		w := &recordWriter{sink: sink, em: sink.NewEmitter()}
		p, err := New(c, w.emit, m, rc.Log)
		if err != nil {
			sink.Close()
			closeAll()
			return nil, err
		}
		ln, err := net.Listen("tcp", c.Local)
		if err != nil {
			sink.Close()
			closeAll()
			return nil, fmt.Errorf("proxy %s: %w", c.Name, err)
		}
		srv := &http.Server{
			Handler:           p,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    c.MaxHeaderBytes,
			ErrorLog:          zap.NewStdLog(rc.Log),
		}
		all = append(all, &running{cfg: c, srv: srv, ln: ln, w: w})
	}
	metricsAddr := ""
	if rc.Metrics != "" {
		ln, err := net.Listen("tcp", rc.Metrics)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("-metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		metricsSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go metricsSrv.Serve(ln)
		defer metricsSrv.Close()
		metricsAddr = ln.Addr().String()
	}
	var wg sync.WaitGroup
	for _, r := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if r.cfg.CertFile != "" {
				err = r.srv.ServeTLS(r.ln, r.cfg.CertFile, r.cfg.KeyFile)
			} else {
				err = r.srv.Serve(r.ln)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				rc.Log.Error("proxy", zap.String("proxy", r.cfg.Name), zap.Error(err))
			}
		}()
		if rc.Ready != nil {
			rc.Ready(r.cfg.Name, r.ln.Addr().String())
		}
	}
	if rc.Ready != nil && metricsAddr != "" {
		rc.Ready("metrics", metricsAddr)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
			for _, r := range all {
				if err := r.w.flush(); err != nil {
					rc.Log.Error("writing records", zap.Error(err))
				}
			}
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), rc.ShutdownTimeout)
	defer cancel()
	for _, r := range all {
		if err := r.srv.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("proxy %s: shutdown: %w", r.cfg.Name, err))
			r.srv.Close()
		}
	}
	wg.Wait()
	counts := map[string]int64{}
	for _, r := range all {
		if err := r.w.flush(); err != nil {
			errs = append(errs, err)
		}
		if err := r.w.sink.Close(); err != nil {
			errs = append(errs, err)
		}
		r.w.mu.Lock()
		counts[r.cfg.Name] = r.w.n
		r.w.mu.Unlock()
	}
	return counts, errors.Join(errs...)
}
