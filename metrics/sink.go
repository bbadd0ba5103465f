package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/protobuf/proto"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// Sink counts every record on its way to another sink.
type Sink struct {
	ncio.RecordSink
	rec *Recorder
}

// NewSink wraps s.
func NewSink(s ncio.RecordSink, r *Recorder) *Sink { return &Sink{RecordSink: s, rec: r} }

// NewEmitter implements ncio.RecordSink.
func (s *Sink) NewEmitter() ncio.Emitter {
	return &emitter{Emitter: s.RecordSink.NewEmitter(), rec: s.rec}
}

// Unwrap returns the wrapped sink.
func (s *Sink) Unwrap() ncio.RecordSink { return s.RecordSink }

type emitter struct {
	ncio.Emitter
	rec *Recorder
}

func (e *emitter) Emit(t types.Type, m proto.Message) error {
	e.rec.Observe(t, m)
	return e.Emitter.Emit(t, m)
}

// NewRegistry returns a registry with the Go runtime and process metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Server serves /metrics of a registry.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Serve starts serving reg on addr ("127.0.0.1:7777").
func Serve(addr string, reg *prometheus.Registry) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener was closed
		}
	}()
	return s, nil
}

// Addr is the address served.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving (a scrape in progress may finish).
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
