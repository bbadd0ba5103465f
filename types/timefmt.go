package types

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseUnixTime reads "seconds[.fraction]" (Netcap's timestamp strings,
// e.g. 1499255023.848884) as Unix nanoseconds.
func ParseUnixTime(s string) (int64, error) {
	s = strings.TrimSpace(s)
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 9 || strings.HasPrefix(sec, "+") {
		return 0, fmt.Errorf("%q: want seconds[.fraction], e.g. 1499255023.848884", s)
	}
	var ns int64
	if frac != "" {
		if ns, err = strconv.ParseInt((frac + "000000000")[:9], 10, 64); err != nil || strings.ContainsAny(frac, "+-") {
			return 0, fmt.Errorf("%q: bad fraction", s)
		}
	}
	if n < 0 {
		ns = -ns
	}
	return n*1e9 + ns, nil
}

// FormatUnixTime writes Unix nanoseconds as "seconds.fraction" with six
// digits (nine when the time has sub-microsecond digits).
func FormatUnixTime(ns int64) string {
	t := time.Unix(0, ns)
	sec, frac := t.Unix(), t.Nanosecond()
	if frac%1000 == 0 {
		return fmt.Sprintf("%d.%06d", sec, frac/1000)
	}
	return fmt.Sprintf("%d.%09d", sec, frac)
}

// ParseUTC reads an RFC 3339 time (any zone) as Unix nanoseconds.
func ParseUTC(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.UnixNano(), nil
}

// FormatUTC writes Unix nanoseconds as RFC 3339 in UTC.
func FormatUTC(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
