package tlshello

import (
	"fmt"
)

// ServerHello is a parsed TLS ServerHello.
type ServerHello struct {
	Record            Record
	HandshakeLen      uint32
	Version           uint16 // legacy_version
	Random            []byte
	SessionID         []byte
	CipherSuite       uint16
	CompressionMethod uint8
	Extensions        []Extension

	// Read from the extensions.
	NextProtoNeg                 bool
	NextProtos                   []string
	OCSPStapling                 bool
	TicketSupported              bool
	SecureRenegotiationSupported bool
	SecureRenegotiation          []byte
	ALPN                         string
	ExtendedMasterSecret         bool
	SCTs                         [][]byte
	SupportedVersion             uint16
	SelectedIdentityPresent      bool
	SelectedIdentity             uint16
	Cookie                       []byte
	SelectedGroup                uint16
}

// ParseServerHello parses the ServerHello that starts data; errors as
// ParseClientHello.
func ParseServerHello(data []byte) (*ServerHello, error) {
	rec, hlen, body, err := handshake(data, HandshakeServerHello)
	if err != nil {
		return nil, err
	}
	sh := &ServerHello{Record: rec, HandshakeLen: hlen}
	r := &reader{b: body}
	sh.Version = r.u16()
	sh.Random = r.bytes(32)
	if draft := sh.Version>>8 == 0x7f && sh.Version&0xff < 22; draft {
		// TLS 1.3 drafts before 22 had no session id echo and no
		// compression method in the ServerHello.
		sh.CipherSuite = r.u16()
	} else {
		sh.SessionID = r.vec8()
		sh.CipherSuite = r.u16()
		sh.CompressionMethod = r.u8()
	}
	if r.err != nil {
		return nil, fmt.Errorf("ServerHello: %w", r.err)
	}
	if len(r.b) > 0 {
		ext := r.vec16()
		if r.err != nil {
			return nil, fmt.Errorf("ServerHello extensions: %w", r.err)
		}
		if sh.Extensions, err = parseExtensions(ext); err != nil {
			return nil, fmt.Errorf("ServerHello: %w", err)
		}
	}
	for _, e := range sh.Extensions {
		if err := sh.readExtension(e); err != nil {
			return nil, fmt.Errorf("ServerHello extension %d: %w", e.Type, err)
		}
	}
	return sh, nil
}

func (sh *ServerHello) readExtension(e Extension) error {
	r := &reader{b: e.Data}
	switch e.Type {
	case ExtNextProtoNeg:
		sh.NextProtoNeg = true
		for len(r.b) > 0 && r.err == nil {
			if p := r.vec8(); r.err == nil {
				sh.NextProtos = append(sh.NextProtos, string(p))
			}
		}
	case ExtStatusRequest:
		sh.OCSPStapling = true
	case ExtSessionTicket:
		sh.TicketSupported = true
	case ExtRenegotiationInfo:
		sh.SecureRenegotiationSupported = true
		sh.SecureRenegotiation = r.vec8()
	case ExtALPN:
		list := &reader{b: r.vec16()}
		if p := list.vec8(); list.err == nil {
			sh.ALPN = string(p)
		}
		r.err = list.err
	case ExtExtendedMasterSecret:
		sh.ExtendedMasterSecret = true
	case ExtSCT:
		list := &reader{b: r.vec16()}
		for len(list.b) > 0 && list.err == nil {
			if sct := list.vec16(); list.err == nil {
				sh.SCTs = append(sh.SCTs, sct)
			}
		}
		r.err = list.err
	case ExtSupportedVersions:
		sh.SupportedVersion = r.u16()
	case ExtPreSharedKey:
		sh.SelectedIdentityPresent = true
		sh.SelectedIdentity = r.u16()
	case ExtCookie:
		sh.Cookie = r.vec16()
	case ExtKeyShare:
		// ServerHello: group + key exchange; HelloRetryRequest: group only.
		sh.SelectedGroup = r.u16()
	}
	return r.err
}
