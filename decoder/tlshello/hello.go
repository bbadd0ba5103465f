// Package tlshello parses TLS ClientHello and ServerHello messages and
// computes their fingerprints: JA3 and JA3S (Salesforce) and JA4 (FoxIO,
// the TLS client fingerprint, BSD-3; the FoxIO-licensed JA4+ variants are
// not implemented). Parsing never trusts a length from the wire: every
// read is bounds-checked and a malformed message is an error.
//
// It imports only types.
package tlshello

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Record and handshake constants.
const (
	recordTypeChangeCipherSpec = 20
	recordTypeAlert            = 21
	RecordTypeHandshake        = 22
	HandshakeClientHello       = 1
	HandshakeServerHello       = 2
)

// Extension types read here.
const (
	ExtServerName           = 0
	ExtStatusRequest        = 5
	ExtSupportedGroups      = 10
	ExtECPointFormats       = 11
	ExtSignatureAlgorithms  = 13
	ExtALPN                 = 16
	ExtSCT                  = 18
	ExtExtendedMasterSecret = 23
	ExtSessionTicket        = 35
	ExtPreSharedKey         = 41
	ExtSupportedVersions    = 43
	ExtCookie               = 44
	ExtKeyShare             = 51
	ExtNextProtoNeg         = 13172
	ExtRenegotiationInfo    = 0xff01
)

var (
	// ErrNotHandshake means the bytes do not start with a TLS handshake
	// record holding the expected hello: not an error, just not ours.
	ErrNotHandshake = errors.New("not a TLS hello")
	// ErrIncomplete means a hello starts here but continues in bytes not
	// given (a hello split across TCP segments or records).
	ErrIncomplete = errors.New("TLS hello continues past the given bytes")
)

// Record is the TLS record header in front of a hello.
type Record struct {
	Type    uint8
	Version uint16
	Length  uint16
}

// IsGREASE reports whether v is a GREASE value (RFC 8701): 0x0a0a,
// 0x1a1a, …, 0xfafa.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// reader reads big-endian fields from a slice and remembers the first
// overrun, so parsing code stays linear.
type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errMalformed
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() uint8 {
	b := r.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16() uint16 {
	b := r.bytes(2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

// vec8 and vec16 read a vector with a 1- or 2-byte length prefix.
func (r *reader) vec8() []byte  { return r.bytes(int(r.u8())) }
func (r *reader) vec16() []byte { return r.bytes(int(r.u16())) }

var errMalformed = errors.New("malformed TLS hello")

// u16s splits b into big-endian 16-bit values; an odd length is malformed.
func u16s(b []byte) ([]uint16, error) {
	if len(b)%2 != 0 {
		return nil, errMalformed
	}
	out := make([]uint16, len(b)/2)
	for i := range out {
		out[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return out, nil
}

// Extension is one hello extension.
type Extension struct {
	Type uint16
	Data []byte
}

// handshake reads the first handshake message from the TLS records at the
// start of data and returns the first record's header, the message length
// and the message body. A message may span several records: their
// fragments are joined. It wants the whole message in data.
func handshake(data []byte, want uint8) (Record, uint32, []byte, error) {
	// Whole ChangeCipherSpec and Alert records may come first: a TLS 1.3
	// client sends a ChangeCipherSpec before its second ClientHello after a
	// HelloRetryRequest (RFC 8446 D.4), and some servers send a warning
	// alert (unrecognized_name) before their ServerHello, often in the same
	// segment.
	for len(data) >= 5 && (data[0] == recordTypeChangeCipherSpec || data[0] == recordTypeAlert) && data[1] == 3 {
		n := 5 + int(binary.BigEndian.Uint16(data[3:5]))
		if n > len(data) {
			return Record{}, 0, nil, ErrNotHandshake
		}
		data = data[n:]
	}
	if len(data) < 6 || data[0] != RecordTypeHandshake || data[1] != 3 || data[2] > 4 {
		return Record{}, 0, nil, ErrNotHandshake
	}
	rec := Record{Type: data[0], Version: binary.BigEndian.Uint16(data[1:3]), Length: binary.BigEndian.Uint16(data[3:5])}
	if rec.Length < 4 || data[5] != want {
		return rec, 0, nil, ErrNotHandshake
	}
	// Join the fragments of consecutive handshake records until the
	// message is complete; the common case is one record, used in place.
	var msg []byte
	rest := data
	for {
		if len(rest) < 5 {
			return rec, 0, nil, ErrIncomplete
		}
		if rest[0] != RecordTypeHandshake {
			return rec, 0, nil, errMalformed
		}
		n := int(binary.BigEndian.Uint16(rest[3:5]))
		frag := rest[5:]
		if len(frag) < n {
			// The record continues past the given bytes: enough if the
			// message is already complete within what we have.
			frag = frag[:len(frag):len(frag)]
		} else {
			frag = frag[:n:n]
		}
		if msg == nil && len(frag) == n {
			msg = frag
		} else {
			msg = append(msg[:len(msg):len(msg)], frag...)
		}
		if len(msg) >= 4 {
			hlen := uint32(msg[1])<<16 | uint32(msg[2])<<8 | uint32(msg[3])
			if uint32(len(msg)-4) >= hlen {
				return rec, hlen, msg[4 : 4+hlen], nil
			}
		}
		if len(frag) < n || len(rest) < 5+n {
			return rec, 0, nil, ErrIncomplete
		}
		rest = rest[5+n:]
	}
}

// parseExtensions reads an extensions block (without its length prefix).
func parseExtensions(b []byte) ([]Extension, error) {
	var out []Extension
	r := &reader{b: b}
	for len(r.b) > 0 && r.err == nil {
		typ := r.u16()
		data := r.vec16()
		if r.err != nil {
			break
		}
		out = append(out, Extension{Type: typ, Data: data})
	}
	if r.err != nil {
		return out, fmt.Errorf("extensions: %w", r.err)
	}
	return out, nil
}
