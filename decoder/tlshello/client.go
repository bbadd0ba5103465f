package tlshello

import (
	"fmt"
)

// ClientHello is a parsed TLS ClientHello.
type ClientHello struct {
	Record             Record
	HandshakeLen       uint32
	Version            uint16 // legacy_version
	Random             []byte
	SessionID          []byte
	CipherSuites       []uint16
	CipherSuiteLen     int // bytes
	CompressionMethods []uint8
	ExtensionLen       int // bytes
	Extensions         []Extension

	// Read from the extensions.
	ServerName          string
	HasServerName       bool
	StatusRequest       bool
	SupportedGroups     []uint16
	ECPointFormats      []uint8
	SignatureAlgorithms []uint16
	ALPNs               []string
	SupportedVersions   []uint16
}

// ParseClientHello parses the ClientHello that starts data (a TCP payload
// or the start of a reassembled stream): TLS records holding a handshake
// message of type 1. It returns ErrNotHandshake for other data and
// ErrIncomplete when the hello continues beyond data.
func ParseClientHello(data []byte) (*ClientHello, error) {
	rec, hlen, body, err := handshake(data, HandshakeClientHello)
	if err != nil {
		return nil, err
	}
	ch := &ClientHello{Record: rec, HandshakeLen: hlen}
	r := &reader{b: body}
	ch.Version = r.u16()
	ch.Random = r.bytes(32)
	ch.SessionID = r.vec8()
	suites := r.vec16()
	ch.CipherSuiteLen = len(suites)
	ch.CompressionMethods = r.vec8()
	if r.err != nil {
		return nil, fmt.Errorf("ClientHello: %w", r.err)
	}
	if ch.CipherSuites, err = u16s(suites); err != nil {
		return nil, fmt.Errorf("ClientHello cipher suites: %w", err)
	}
	if len(r.b) > 0 { // extensions are optional (SSLv3, early TLS)
		ext := r.vec16()
		if r.err != nil {
			return nil, fmt.Errorf("ClientHello extensions: %w", r.err)
		}
		ch.ExtensionLen = len(ext)
		if ch.Extensions, err = parseExtensions(ext); err != nil {
			return nil, fmt.Errorf("ClientHello: %w", err)
		}
	}
	for _, e := range ch.Extensions {
		if err := ch.readExtension(e); err != nil {
			return nil, fmt.Errorf("ClientHello extension %d: %w", e.Type, err)
		}
	}
	return ch, nil
}

func (ch *ClientHello) readExtension(e Extension) error {
	r := &reader{b: e.Data}
	var err error
	switch e.Type {
	case ExtServerName:
		ch.HasServerName = true
		list := &reader{b: r.vec16()}
		for len(list.b) > 0 && list.err == nil {
			typ := list.u8()
			name := list.vec16()
			if typ == 0 && list.err == nil && ch.ServerName == "" {
				ch.ServerName = string(name)
			}
		}
		if list.err != nil {
			return list.err
		}
	case ExtStatusRequest:
		ch.StatusRequest = true
	case ExtSupportedGroups:
		ch.SupportedGroups, err = u16s(r.vec16())
	case ExtECPointFormats:
		ch.ECPointFormats = r.vec8()
	case ExtSignatureAlgorithms:
		ch.SignatureAlgorithms, err = u16s(r.vec16())
	case ExtALPN:
		list := &reader{b: r.vec16()}
		for len(list.b) > 0 && list.err == nil {
			if p := list.vec8(); list.err == nil {
				ch.ALPNs = append(ch.ALPNs, string(p))
			}
		}
		if list.err != nil {
			return list.err
		}
	case ExtSupportedVersions:
		ch.SupportedVersions, err = u16s(r.vec8())
	}
	if err != nil {
		return err
	}
	return r.err
}
