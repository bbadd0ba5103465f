package dist

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	ncio "github.com/netcap-go/netcap/io"
)

// GeneratedKeys names the files GenKeys wrote.
type GeneratedKeys struct {
	CA, ServerCert, ServerKey, AgentCert, AgentKey string
	AgentSeed, AgentPublic, AgentsFile             string
}

// GenKeys writes what a deployment needs into dir: a CA, a server
// certificate for hosts (plus localhost, 127.0.0.1 and ::1), an agent
// client certificate (mutual TLS), and an agent nkey (seed for the agent,
// public key in agents.nkeys for the collector's -nkeys). Existing files
// are not overwritten.
func GenKeys(dir string, hosts []string) (*GeneratedKeys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := &GeneratedKeys{
		CA: filepath.Join(dir, "ca.pem"), ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		AgentCert: filepath.Join(dir, "agent.pem"), AgentKey: filepath.Join(dir, "agent-key.pem"),
		AgentSeed: filepath.Join(dir, "agent.nk"), AgentsFile: filepath.Join(dir, "agents.nkeys"),
	}
	for _, p := range []string{k.CA, k.ServerCert, k.ServerKey, k.AgentCert, k.AgentKey, k.AgentSeed, k.AgentsFile} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("%s exists: not overwriting keys", p)
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "netcap collector CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	if err := writePEM(k.CA, "CERTIFICATE", caDER, 0o644); err != nil {
		return nil, err
	}
	leaf := func(cn string, usage x509.ExtKeyUsage, certPath, keyPath string, hosts []string) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		t := &x509.Certificate{
			SerialNumber: serial(), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				t.IPAddresses = append(t.IPAddresses, ip)
			} else {
				t.DNSNames = append(t.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, t, caCert, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		kb, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return err
		}
		if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
			return err
		}
		return writePEM(keyPath, "EC PRIVATE KEY", kb, 0o600)
	}
	if err := leaf("netcap collector", x509.ExtKeyUsageServerAuth, k.ServerCert, k.ServerKey,
		append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)); err != nil {
		return nil, err
	}
	if err := leaf("netcap agent", x509.ExtKeyUsageClientAuth, k.AgentCert, k.AgentKey, nil); err != nil {
		return nil, err
	}
	user, err := nkeys.CreateUser()
	if err != nil {
		return nil, err
	}
	seed, _ := user.Seed()
	pub, _ := user.PublicKey()
	k.AgentPublic = pub
	if err := writeNew(k.AgentSeed, append(seed, '\n'), 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(k.AgentsFile, []byte("# public nkeys of the agents net collect accepts (-nkeys)\n"+pub+"\n"), 0o644); err != nil {
		return nil, err
	}
	return k, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	return n
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return writeNew(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

// writeNew writes a new file: keys of an earlier -gen-keys are never
// overwritten.
func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := ncio.CreateNew(path, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if e := f.Close(); err == nil {
		err = e
	}
	return err
}

// ServerTLS builds the collector's TLS config; with ca, agents must show
// a certificate signed by it (mutual TLS).
func ServerTLS(cert, key, ca string) (*tls.Config, bool, error) {
	if cert == "" && key == "" && ca == "" {
		return nil, false, nil
	}
	if cert == "" || key == "" {
		return nil, false, errors.New("TLS needs both -tls-cert and -tls-key")
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, false, err
	}
	c := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if ca == "" {
		return c, false, nil
	}
	pool, err := loadPool(ca)
	if err != nil {
		return nil, false, err
	}
	c.ClientCAs = pool
	c.ClientAuth = tls.RequireAndVerifyClientCert
	return c, true, nil
}

func loadPool(ca string) (*x509.CertPool, error) {
	b, err := os.ReadFile(ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s holds no PEM certificate", ca)
	}
	return pool, nil
}

// ClientAuth is how an agent (or a collector on an external cluster)
// proves itself to NATS.
type ClientAuth struct {
	CA        string // verify the server with this CA
	Cert, Key string // client certificate (mutual TLS)
	NKeySeed  string // file with an nkey user seed (net collect -gen-keys: agent.nk)
	User      string
	Password  string
}

// Options turns the settings into NATS client options.
func (a ClientAuth) Options() ([]nats.Option, error) {
	var opts []nats.Option
	if a.CA != "" {
		if _, err := loadPool(a.CA); err != nil {
			return nil, err
		}
		opts = append(opts, nats.RootCAs(a.CA))
	}
	if (a.Cert == "") != (a.Key == "") {
		return nil, errors.New("a client certificate needs both -tls-cert and -tls-key")
	}
	if a.Cert != "" {
		if _, err := tls.LoadX509KeyPair(a.Cert, a.Key); err != nil {
			return nil, err
		}
		opts = append(opts, nats.ClientCert(a.Cert, a.Key))
	}
	if a.NKeySeed != "" {
		o, err := nats.NkeyOptionFromSeed(a.NKeySeed)
		if err != nil {
			return nil, fmt.Errorf("-nkey %s: %w", a.NKeySeed, err)
		}
		opts = append(opts, o)
	}
	if a.User != "" {
		opts = append(opts, nats.UserInfo(a.User, a.Password))
	}
	return opts, nil
}
