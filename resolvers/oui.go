package resolvers

import (
	_ "embed"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
)

// ouiData is the IEEE registry table written by resolvers/internal/gendata:
// "#" comment lines, then one "HEXPREFIX<TAB>BITS<TAB>ORGANIZATION" row per
// block, sorted by prefix.
//
//go:embed data/oui.tsv.gz
var ouiData []byte

// ouiTables maps the top 24, 28 and 36 bits of a MAC address to the
// organisation that registered that block. Integer keys keep a lookup free
// of allocations; three maps, because IEEE blocks come in exactly those
// three sizes.
type ouiTables struct {
	l map[uint32]string // MA-L: top 24 bits
	m map[uint32]string // MA-M: top 28 bits
	s map[uint64]string // MA-S and IAB: top 36 bits
}

var (
	ouiOnce  sync.Once
	ouiTable ouiTables
	ouiErr   error
)

// loadOUI decodes the embedded table on first use, so that programs that
// never resolve a MAC address do not pay for the ~46,000 rows.
func loadOUI() (*ouiTables, error) {
	ouiOnce.Do(func() {
		ouiTable, ouiErr = parseOUI(ouiData)
	})
	return &ouiTable, ouiErr
}

func parseOUI(gz []byte) (ouiTables, error) {
	t := ouiTables{
		l: make(map[uint32]string, 40000),
		m: make(map[uint32]string, 5000),
		s: make(map[uint64]string, 10000),
	}
	text, err := gunzipString(gz)
	if err != nil {
		return t, err
	}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		prefix, rest, ok1 := strings.Cut(line, "\t")
		bits, org, ok2 := strings.Cut(rest, "\t")
		v, err := strconv.ParseUint(prefix, 16, 64)
		if !ok1 || !ok2 || err != nil || org == "" {
			return t, fmt.Errorf("oui table: malformed row %q", line)
		}
		switch {
		case bits == "24" && len(prefix) == 6:
			t.l[uint32(v)] = org
		case bits == "28" && len(prefix) == 7:
			t.m[uint32(v)] = org
		case bits == "36" && len(prefix) == 9:
			t.s[v] = org
		default:
			return t, fmt.Errorf("oui table: row %q: prefix length does not match %s bits", line, bits)
		}
	}
	return t, nil
}

// lookup finds the longest registered block holding the 48-bit address
// value mac: an MA-S or IAB block is carved out of an MA-L block that the
// IEEE itself holds ("IEEE Registration Authority"), so the more specific
// entry names the real owner.
func (t *ouiTables) lookup(mac uint64) string {
	if org, ok := t.s[mac>>12]; ok {
		return org
	}
	if org, ok := t.m[uint32(mac>>20)]; ok {
		return org
	}
	return t.l[uint32(mac>>24)]
}

// MACVendor returns the organisation to which the IEEE registered the block
// holding mac (MA-S 36-bit blocks first, then MA-M 28-bit, then MA-L
// 24-bit), or "" when no block matches. mac must be a 6-byte MAC-48 or an
// 8-byte EUI-64 address; other lengths yield "". Locally administered and
// multicast addresses get no special treatment: they have no vendor unless
// their prefix happens to be registered, as a few historic blocks are.
func MACVendor(mac net.HardwareAddr) string {
	if len(mac) != 6 && len(mac) != 8 {
		return ""
	}
	v := uint64(mac[0])<<40 | uint64(mac[1])<<32 | uint64(mac[2])<<24 |
		uint64(mac[3])<<16 | uint64(mac[4])<<8 | uint64(mac[5])
	return macVendor(v)
}

func macVendor(v uint64) string {
	t, err := loadOUI()
	if err != nil {
		return ""
	}
	return t.lookup(v)
}

// MACVendorString is MACVendor for a textual address. It accepts the forms
// net.ParseMAC accepts for 6- and 8-byte addresses ("aa:bb:cc:dd:ee:ff",
// "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff") and bare hex ("aabbccddeeff"), in
// either case, without allocating. A string in none of these forms yields "".
func MACVendorString(s string) string {
	v, ok := parseMAC48(s)
	if !ok {
		return ""
	}
	return macVendor(v)
}

// parseMAC48 returns the first 48 bits of a 6- or 8-byte MAC address in one
// of the forms MACVendorString documents.
func parseMAC48(s string) (uint64, bool) {
	var (
		v      uint64
		digits int
		group  int // hex digits since the last separator
		sep    byte
		width  int // digits per group the separator implies
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		n, isHex := hexNibble(c)
		if isHex {
			if digits < 12 {
				v = v<<4 | uint64(n)
			}
			digits++
			group++
			continue
		}
		switch c {
		case ':', '-':
			if sep == 0 {
				sep, width = c, 2
			}
		case '.':
			if sep == 0 {
				sep, width = c, 4
			}
		default:
			return 0, false
		}
		if c != sep || group != width {
			return 0, false
		}
		group = 0
	}
	if digits != 12 && digits != 16 {
		return 0, false
	}
	if sep != 0 && group != width {
		return 0, false // trailing separator or short last group
	}
	return v, true
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
