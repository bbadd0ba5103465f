package vuln

import (
	"cmp"
	"strings"
)

// Version strings as products and databases write them: their order, and
// their split into release and update ("9.2p1").

// vulnSplitUpdate splits "9.2p1" into "9.2" and "p1": the leading digits and
// dots, and the rest (without a leading separator).
func vulnSplitUpdate(v string) (string, string) {
	i := 0
	for i < len(v) && (isDigit(v[i]) || v[i] == '.') {
		i++
	}
	return strings.TrimRight(v[:i], "."), strings.TrimLeft(v[i:], ".-_+~ ")
}

// vulnCompareVersions orders version strings: runs of digits compare as
// numbers, runs of letters as text, separators (. - _ + ~ space) only
// split; a version that is a prefix of another is older, unless what
// follows is a pre-release word (alpha, beta, rc, pre, dev): "1.0" <
// "1.0p1", "1.0rc1" < "1.0".
func vulnCompareVersions(a, b string) int {
	ta, tb := vulnVersionTokens(a), vulnVersionTokens(b)
	for i := 0; i < len(ta) && i < len(tb); i++ {
		x, y := ta[i], tb[i]
		xd, yd := isDigit(x[0]), isDigit(y[0])
		switch {
		case xd && yd:
			x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
			if c := cmp.Or(cmp.Compare(len(x), len(y)), strings.Compare(x, y)); c != 0 {
				return c
			}
		case xd: // a number is newer than a word at the same place
			return 1
		case yd:
			return -1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	switch {
	case len(ta) > len(tb):
		if vulnPreRelease(ta[len(tb)]) {
			return -1
		}
		return 1
	case len(ta) < len(tb):
		if vulnPreRelease(tb[len(ta)]) {
			return 1
		}
		return -1
	}
	return 0
}

func vulnPreRelease(tok string) bool {
	switch tok {
	case "alpha", "a", "beta", "b", "rc", "pre", "dev", "preview":
		return true
	}
	return false
}

func vulnVersionTokens(v string) []string {
	v = strings.ToLower(v)
	var out []string
	for i := 0; i < len(v); {
		c := v[i]
		j := i + 1
		switch {
		case isDigit(c):
			for j < len(v) && isDigit(v[j]) {
				j++
			}
		case c >= 'a' && c <= 'z':
			for j < len(v) && v[j] >= 'a' && v[j] <= 'z' {
				j++
			}
		default:
			i = j
			continue
		}
		out = append(out, v[i:j])
		i = j
	}
	return out
}

// vulnCompareIDs orders "CVE-2021-9999" before "CVE-2021-10000", exploit-db's
// numbers numerically.
func vulnCompareIDs(a, b string) int {
	return cmp.Or(vulnCompareVersions(a, b), strings.Compare(a, b))
}

// isDigit reports whether b is an ASCII digit.
func isDigit(b byte) bool { return b >= '0' && b <= '9' }
