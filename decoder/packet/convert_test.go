package packet_test

// Converters: each brings a value, as text, from the form tshark writes it
// in to ours (tf.conv) or the other way (tf.oursConv), where the two write
// the same fact differently. A value a converter cannot read is returned
// unchanged (or marked), so that it shows as a mismatch.

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// normalize brings tshark's and our renderings of a value to one form:
// booleans as 1/0, hex numbers in decimal.
func normalize(v string) string {
	switch v {
	case "True", "true":
		return "1"
	case "False", "false":
		return "0"
	}
	if strings.HasPrefix(v, "0x") {
		if n, err := strconv.ParseUint(v[2:], 16, 64); err == nil {
			return strconv.FormatUint(n, 10)
		}
	}
	return v
}

// epochNanos turns tshark's frame.time_epoch ("1795693921.078031000") into
// Unix nanoseconds without going through a float.
func epochNanos(s string) string {
	if s == "" {
		return "0" // a pcapng simple packet block has no time; we write 0
	}
	sec, frac, _ := strings.Cut(s, ".")
	frac = (frac + "000000000")[:9]
	n, err1 := strconv.ParseInt(sec, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return "bad time " + s
	}
	return strconv.FormatInt(n*1e9+f, 10)
}

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

// hexBytesNumber turns tshark's hex bytes into a decimal number.
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
