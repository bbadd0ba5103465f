package tlshello

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// JA3 returns the JA3 string of the ClientHello and its MD5 in hex:
// "Version,Ciphers,Extensions,Groups,PointFormats", each list of decimals
// joined by "-", GREASE values (RFC 8701) left out of every list.
func (ch *ClientHello) JA3() (string, string) {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(ch.Version)))
	b.WriteByte(',')
	writeDecimals(&b, ch.CipherSuites)
	b.WriteByte(',')
	writeDecimals(&b, extensionTypes(ch.Extensions))
	b.WriteByte(',')
	writeDecimals(&b, ch.SupportedGroups)
	b.WriteByte(',')
	for i, f := range ch.ECPointFormats {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(int(f)))
	}
	s := b.String()
	sum := md5.Sum([]byte(s))
	return s, hex.EncodeToString(sum[:])
}

// JA3S returns the JA3S string of the ServerHello, "Version,Cipher,
// Extensions", and its MD5 in hex.
func (sh *ServerHello) JA3S() (string, string) {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(sh.Version)))
	b.WriteByte(',')
	b.WriteString(strconv.Itoa(int(sh.CipherSuite)))
	b.WriteByte(',')
	writeDecimals(&b, extensionTypes(sh.Extensions))
	s := b.String()
	sum := md5.Sum([]byte(s))
	return s, hex.EncodeToString(sum[:])
}

func extensionTypes(exts []Extension) []uint16 {
	out := make([]uint16, len(exts))
	for i, e := range exts {
		out[i] = e.Type
	}
	return out
}

// writeDecimals writes the non-GREASE values joined by "-".
func writeDecimals(b *strings.Builder, vs []uint16) {
	first := true
	for _, v := range vs {
		if IsGREASE(v) {
			continue
		}
		if !first {
			b.WriteByte('-')
		}
		first = false
		b.WriteString(strconv.Itoa(int(v)))
	}
}

// Transport says what carried a ClientHello, JA4's first character.
type Transport byte

const (
	TCP  Transport = 't'
	QUIC Transport = 'q'
	DTLS Transport = 'd'
)

// JA4 returns the JA4 fingerprint of the ClientHello ("a_b_c") and its raw
// form JA4_r (the sorted lists themselves instead of their hashes), as the
// FoxIO JA4 specification defines them:
//
//	a: transport, TLS version (the highest supported_versions value, else
//	   the hello's version), "d" with an SNI extension or "i" without, the
//	   numbers of cipher suites and of extensions (2 digits each, at most
//	   99), and the first and last character of the first ALPN value;
//	b: the first 12 hex digits of SHA-256 of the sorted cipher suites as
//	   4-digit hex joined by ",";
//	c: the same over the sorted extensions without SNI and ALPN, then "_"
//	   and the signature algorithms in their original order.
//
// GREASE values are left out everywhere.
func (ch *ClientHello) JA4(t Transport) (ja4, raw string) {
	ciphers := withoutGREASE(ch.CipherSuites)
	exts := withoutGREASE(extensionTypes(ch.Extensions))
	sni := "i"
	if ch.HasServerName {
		sni = "d"
	}
	a := fmt.Sprintf("%c%s%s%02d%02d%s", t, ja4Version(ch), sni, min(len(ciphers), 99), min(len(exts), 99), alpnChars(ch.ALPNs))

	slices.Sort(ciphers)
	cipherList := hexList(ciphers)
	var sorted []uint16
	for _, e := range exts {
		if e != ExtServerName && e != ExtALPN {
			sorted = append(sorted, e)
		}
	}
	slices.Sort(sorted)
	extList := hexList(sorted)
	if sigs := withoutGREASE(ch.SignatureAlgorithms); len(sigs) > 0 {
		extList += "_" + hexList(sigs)
	}
	return a + "_" + hash12(cipherList, len(ciphers) == 0) + "_" + hash12(extList, len(sorted) == 0),
		a + "_" + cipherList + "_" + extList
}

func ja4Version(ch *ClientHello) string {
	v := ch.Version
	if sv := withoutGREASE(ch.SupportedVersions); len(sv) > 0 {
		v = slices.Max(sv)
	}
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// alpnChars is the first and last character of the first ALPN value, or
// "00" without one; when either is not an ASCII letter or digit, the first
// and last hex digits of the value instead.
func alpnChars(alpns []string) string {
	if len(alpns) == 0 || alpns[0] == "" {
		return "00"
	}
	v := alpns[0]
	first, last := v[0], v[len(v)-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	h := hex.EncodeToString([]byte(v))
	return string([]byte{h[0], h[len(h)-1]})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func withoutGREASE(vs []uint16) []uint16 {
	out := make([]uint16, 0, len(vs))
	for _, v := range vs {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func hexList(vs []uint16) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%04x", v)
	}
	return strings.Join(parts, ",")
}

// hash12 is the first 12 hex digits of SHA-256 of s, or twelve zeros for
// an empty list.
func hash12(s string, empty bool) string {
	if empty {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}
