package dist

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"

	ncio "github.com/netcap-go/netcap/io"
)

// ServerConfig configures the NATS server `net collect` embeds.
type ServerConfig struct {
	Addr     string // host:port to listen on (default 127.0.0.1:4222)
	StoreDir string // JetStream file store
	MaxStore int64  // JetStream disk bound (default 10 GiB)
	TLS      *tls.Config
	// VerifyClients asks agents for a certificate signed by TLS.ClientCAs
	// (mutual TLS).
	VerifyClients bool
	// NKeys are the public user nkeys agents may sign in with; Users are
	// user/password pairs. With neither, any client may connect.
	NKeys []string
	Users map[string]string
	Log   *zap.Logger
}

// internalUser is how the collector itself signs in (in-process).
const internalUser = "netcap-collector"

// Server is a running embedded NATS server with JetStream.
type Server struct {
	srv      *server.Server
	password string // of internalUser
}

// StartServer starts the embedded server and waits until it accepts
// connections.
func StartServer(c ServerConfig) (*Server, error) {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:4222"
	}
	host, portS, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return nil, fmt.Errorf("-addr %q: %w", c.Addr, err)
	}
	port, err := strconv.Atoi(portS)
	if err != nil {
		return nil, fmt.Errorf("-addr %q: bad port", c.Addr)
	}
	if c.MaxStore <= 0 {
		c.MaxStore = 10 << 30
	}
	if c.Log == nil {
		c.Log = zap.NewNop()
	}
	pw := make([]byte, 24)
	rand.Read(pw)
	s := &Server{password: hex.EncodeToString(pw)}
	opts := &server.Options{
		ServerName:        "netcap-collector",
		Host:              host,
		Port:              port,
		JetStream:         true,
		StoreDir:          c.StoreDir,
		JetStreamMaxStore: c.MaxStore,
		MaxPayload:        8 << 20,
		NoSigs:            true,
		TLSConfig:         c.TLS,
		TLSVerify:         c.VerifyClients,
		TLSTimeout:        5,
		AuthTimeout:       5,
	}
	if len(c.NKeys) > 0 || len(c.Users) > 0 {
		// The server keeps bcrypt hashes, not the passwords.
		users := map[string]string{internalUser: s.password}
		for u, p := range c.Users {
			users[u] = p
		}
		for u, p := range users {
			h := []byte(p)
			if !strings.HasPrefix(p, "$2") {
				if h, err = bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost); err != nil {
					return nil, err
				}
			}
			opts.Users = append(opts.Users, &server.User{Username: u, Password: string(h)})
		}
		for _, k := range c.NKeys {
			if !nkeys.IsValidPublicUserKey(k) {
				return nil, fmt.Errorf("%q is no public user nkey (they start with U)", k)
			}
			opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: k})
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, err
	}
	srv.SetLoggerV2(&serverLog{c.Log}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("NATS server did not start listening on %s", c.Addr)
	}
	s.srv = srv
	return s, nil
}

// ClientURL is where agents connect.
func (s *Server) ClientURL() string { return s.srv.ClientURL() }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

// Shutdown stops the server.
func (s *Server) Shutdown() {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
}

// serverLog routes the NATS server's log to zap: refusals (authorization,
// TLS) are errors and show by default.
type serverLog struct{ l *zap.Logger }

func (s *serverLog) Noticef(format string, v ...any) { s.l.Info("nats: " + fmt.Sprintf(format, v...)) }
func (s *serverLog) Warnf(format string, v ...any)   { s.l.Warn("nats: " + fmt.Sprintf(format, v...)) }
func (s *serverLog) Fatalf(format string, v ...any)  { s.l.Error("nats: " + fmt.Sprintf(format, v...)) }
func (s *serverLog) Errorf(format string, v ...any)  { s.l.Error("nats: " + fmt.Sprintf(format, v...)) }
func (s *serverLog) Debugf(format string, v ...any)  { s.l.Debug("nats: " + fmt.Sprintf(format, v...)) }
func (s *serverLog) Tracef(format string, v ...any)  { s.l.Debug("nats: " + fmt.Sprintf(format, v...)) }

// ReadNKeys reads public user nkeys, one per line (# comments allowed).
func ReadNKeys(path string) ([]string, error) {
	var out []string
	err := ncio.EachLine(path, func(n int, l string) error {
		if !nkeys.IsValidPublicUserKey(l) {
			return fmt.Errorf("%s:%d: %q is no public user nkey", path, n, l)
		}
		out = append(out, l)
		return nil
	})
	return out, err
}

// ReadUsers reads user:password lines (# comments allowed).
func ReadUsers(path string) (map[string]string, error) {
	out := map[string]string{}
	err := ncio.EachLine(path, func(n int, l string) error {
		u, p, ok := strings.Cut(l, ":")
		if !ok || u == "" || p == "" || u == internalUser {
			return fmt.Errorf("%s:%d: want user:password", path, n)
		}
		out[u] = p
		return nil
	})
	return out, err
}
