package tsharktest

import (
	"strconv"
	"strings"
)

// Normalize brings tshark's and our renderings of a value to one form:
// booleans as 1/0, hex numbers ("0x0001") in decimal. Other values are
// returned unchanged.
func Normalize(v string) string {
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

// EpochNanos turns tshark's frame.time_epoch ("1795693921.078031000") into
// Unix nanoseconds, as records write Timestamp, without going through a
// float (which would lose the last digits). A frame without a time (a
// pcapng simple packet block) is 0, as we write it.
func EpochNanos(s string) string {
	if s == "" {
		return "0"
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
