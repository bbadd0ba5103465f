package packet_test

// Converters: each brings a value, as text, from the form tshark writes it
// in to ours (tsharktest.Field.Conv) or the other way (Field.OursConv),
// where the two write the same fact differently. A value a converter cannot read is returned
// unchanged (or marked), so that it shows as a mismatch.

import (
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/types"
)

// zeroWhenAbsent is 0 for a field tshark leaves out where the header lacks it
// (an optional GRE field, Geneve options, IGMPv3 fields in older messages)
// and the record holds 0.
func zeroWhenAbsent(v string) string {
	if v == "" {
		return "0"
	}
	return v
}

// mapInt applies f to a decimal number.
func mapInt(v string, f func(int) int) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	return strconv.Itoa(f(n))
}

// div4 turns a length in bytes into 32-bit words (header length fields).
func div4(v string) string { return mapInt(v, func(n int) int { return n / 4 }) }

// udpPayloadLen is a UDP length without the 8-byte header.
func udpPayloadLen(v string) string { return mapInt(v, func(n int) int { return n - 8 }) }

// clearLowBit clears bit 0 of a number: a SAP address without its I/G or
// C/R bit.
func clearLowBit(v string) string { return mapInt(v, func(n int) int { return n &^ 1 }) }

// lengthIsLLC maps an 802.3 length (below 0x600, never an EtherType) to
// layers.EthernetTypeLLC, the type gopacket gives such frames.
func lengthIsLLC(v string) string {
	if n, err := strconv.Atoi(v); err == nil && n < 0x600 {
		return strconv.Itoa(int(layers.EthernetTypeLLC))
	}
	return v
}

// wrapInt32 renders an unsigned 32-bit value the way an int32 record field
// holds it (Netcap's schema has int32 for some 32-bit wire fields).
func wrapInt32(v string) string {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return v
	}
	return strconv.Itoa(int(int32(uint32(n))))
}

// ouiHex writes an OUI number as 6 hex digits.
func ouiHex(v string) string {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%06x", n)
}

// hexColons writes a byte string tshark prints as plain hex ("0a0b0c") the
// way we write hardware addresses of any length ("0a:0b:0c"). Other values
// (MAC and IPv4 addresses) are returned unchanged.
func hexColons(v string) string {
	if v == "" || len(v)%2 != 0 || strings.ContainsAny(v, ":.") {
		return v
	}
	for _, c := range v {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return v
		}
	}
	var sb strings.Builder
	for i := 0; i < len(v); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(v[i : i+2])
	}
	return sb.String()
}

// hexByteCount turns tshark's hex bytes into their count.
func hexByteCount(v string) string { return strconv.Itoa(len(v) / 2) }

// hexBytesNumber turns hex bytes (tshark's, or a PDML value attribute)
// into a decimal number.
func hexBytesNumber(v string) string {
	n, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return "not hex " + v
	}
	return strconv.FormatUint(n, 10)
}

// hexEntropy is the Shannon entropy, in bits per byte, of hex-encoded bytes.
func hexEntropy(h string) string {
	b, err := hex.DecodeString(strings.ReplaceAll(h, ":", ""))
	if err != nil || len(b) == 0 {
		return "bad payload " + h
	}
	freq := map[byte]float64{}
	for _, c := range b {
		freq[c]++
	}
	e := 0.0
	for _, n := range freq {
		p := n / float64(len(b))
		e += -p * math.Log2(p)
	}
	return strconv.FormatFloat(e, 'f', 9, 64)
}

// round9 rounds a number to 9 decimals, as hexEntropy writes it.
func round9(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	return strconv.FormatFloat(f, 'f', 9, 64)
}

// Renderings of our values in the form the tests compare.

// decimal writes an integer in decimal (a number, not the name a type's
// String method gives it).
func decimal[T ~int | ~int32 | ~uint8 | ~uint16 | ~uint32 | ~int64 | ~uint64](v T) string {
	if v < 0 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatUint(uint64(v), 10)
}

// boolDigit writes a boolean as tsharktest.Normalize does.
func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// bitsNumber makes a number of booleans, the first the lowest bit.
func bitsNumber(bs ...bool) string {
	n := 0
	for i, b := range bs {
		if b {
			n |= 1 << i
		}
	}
	return strconv.Itoa(n)
}

// hexOf renders bytes as lower-case hex, "" for none.
func hexOf(b []byte) string { return hex.EncodeToString(b) }

// joinList joins rendered items the way the tests compare lists.
func joinList(items []string) string { return strings.Join(items, "|") }

// dottedQuad renders a 32-bit value tshark shows as a number or an IPv4
// address (router IDs, area IDs) as an IPv4 address.
func dottedQuad(v uint32) string {
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).String()
}

// macHex is the hex of a MAC address as tshark prints it ("00:11:22:..").
func macHex(s string) string { return strings.ReplaceAll(s, ":", "") }

// ipHex is the hex of an IP address's bytes (4 for IPv4, 16 for IPv6).
func ipHex(s string) string {
	ip := net.ParseIP(s)
	if ip == nil {
		return "bad address " + s
	}
	if v4 := ip.To4(); v4 != nil {
		return hex.EncodeToString(v4)
	}
	return hex.EncodeToString(ip)
}

// tsharkText is how tshark shows the bytes a record string stands for
// (types.UnescapeWire) in PDML: each byte that is not part of UTF-8 as
// U+FFFD.
func tsharkText(s string) string {
	b, err := types.UnescapeWire(s)
	if err != nil {
		return fmt.Sprintf("%q: %v", s, err)
	}
	var sb strings.Builder
	for _, r := range string(b) { // U+FFFD for each such byte
		sb.WriteRune(r)
	}
	return sb.String()
}

// tsharkEscape writes the bytes a record string stands for
// (types.UnescapeWire) the way tshark prints a string field with -T
// fields: backslash, tab, CR and LF escaped, other control characters as
// \xNN.
func tsharkEscape(s string) string {
	b, err := types.UnescapeWire(s)
	if err != nil {
		return fmt.Sprintf("%q: %v", s, err)
	}
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, r)
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// tsharkUnescape undoes tsharkEscape, for string fields whose bytes are
// compared.
func tsharkUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			sb.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'x':
			if i+2 < len(s) {
				if b, err := hex.DecodeString(s[i+1 : i+3]); err == nil {
					sb.Write(b)
					i += 2
					continue
				}
			}
			sb.WriteString(`\x`)
		default:
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}
