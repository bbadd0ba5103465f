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

// timeText writes timestamps as Format.Timestamp does. Records come in
// time order, many in the same second, so it keeps the text of the last
// second (date, time and zone, which does not change within a second)
// and writes only the nanoseconds anew.
type timeText struct {
	mode   TimeMode
	loc    *time.Location
	sec    int64
	cached bool
	head   []byte // "2006-01-02T15:04:05."
	zone   []byte // "Z" or "+01:00"
}

// timeZone is the zone that TimeLocal and TimeUTC write times in.
func timeZone(m TimeMode) *time.Location {
	if m == TimeUTC {
		return time.UTC
	}
	return time.Local
}

func (t *timeText) append(b []byte, ns int64) []byte {
	if t.mode == TimeEpoch {
		return strconv.AppendInt(b, ns, 10)
	}
	sec, nsec := ns/1e9, ns%1e9
	if nsec < 0 { // time.Unix's split: nanoseconds in [0, 1e9)
		sec, nsec = sec-1, nsec+1e9
	}
	if !t.cached || sec != t.sec {
		t.load(sec)
	}
	b = append(b, t.head...)
	b = appendNanos(b, nsec)
	return append(b, t.zone...)
}

// load formats second sec with time's own layout code and keeps the text
// around the nine fraction digits (the only '.' in timeLayout's text).
func (t *timeText) load(sec int64) {
	s := time.Unix(sec, 0).In(t.loc).Format(timeLayout)
	dot := strings.LastIndexByte(s, '.')
	t.head = append(t.head[:0], s[:dot+1]...)
	t.zone = append(t.zone[:0], s[dot+1+9:]...)
	t.sec, t.cached = sec, true
}

// appendNanos appends n (0 <= n < 1e9) as nine digits.
func appendNanos(b []byte, n int64) []byte {
	var d [9]byte
	for i := 8; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:]...)
}
