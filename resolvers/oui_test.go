package resolvers

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestMACVendorKnown(t *testing.T) {
	for _, tc := range []struct{ mac, want string }{
		{"00:00:0c:12:34:56", "Cisco Systems, Inc"},          // MA-L
		{"00:00:00:00:00:01", "XEROX CORPORATION"},           // MA-L at the bottom of the space
		{"20:85:93:b1:23:45", "IOG Products LLC"},            // MA-M 208593B inside MA-L 208593 (IEEE RA)
		{"20:85:93:b0:00:00", "IOG Products LLC"},            // first address of the MA-M block
		{"20:85:93:bf:ff:ff", "IOG Products LLC"},            // last address of the MA-M block
		{"70:b3:d5:f2:f1:23", "TELEPLATFORMS"},               // MA-S 70B3D5F2F inside MA-L 70B3D5 (IEEE RA)
		{"70:b3:d5:f2:ff:ff", "TELEPLATFORMS"},               // last address of the MA-S block
		{"70:b3:d5:ff:b0:00", "IEEE Registration Authority"}, // 70B3D5FFB is not assigned: the MA-L holder
		{"00:50:c2:00:0a:bc", "T.L.S. Corp."},                // IAB 0050C2000
		{"02:60:8c:00:00:01", "3COM"},                        // registered despite the locally administered bit
		{"02:00:00:00:00:01", ""},                            // locally administered, not registered
		{"01:00:5e:00:00:fb", ""},                            // IPv4 multicast, not registered
		{"ff:ff:ff:ff:ff:ff", ""},                            // broadcast
	} {
		mac, err := net.ParseMAC(tc.mac)
		if err != nil {
			t.Fatal(err)
		}
		if got := MACVendor(mac); got != tc.want {
			t.Errorf("MACVendor(%s) = %q, want %q", tc.mac, got, tc.want)
		}
		if got := MACVendorString(tc.mac); got != tc.want {
			t.Errorf("MACVendorString(%q) = %q, want %q", tc.mac, got, tc.want)
		}
	}
}

func TestMACVendorLengths(t *testing.T) {
	eui64 := net.HardwareAddr{0x00, 0x00, 0x0c, 0xff, 0xfe, 0x12, 0x34, 0x56}
	if got := MACVendor(eui64); got != "Cisco Systems, Inc" {
		t.Errorf("EUI-64: got %q", got)
	}
	for _, mac := range []net.HardwareAddr{nil, {}, {0x00, 0x00, 0x0c}, {0, 0, 0x0c, 1, 2, 3, 4}, make(net.HardwareAddr, 20)} {
		if got := MACVendor(mac); got != "" {
			t.Errorf("MACVendor(% x) = %q, want \"\"", []byte(mac), got)
		}
	}
}

func TestMACVendorStringForms(t *testing.T) {
	const cisco = "Cisco Systems, Inc"
	for _, s := range []string{
		"00:00:0c:12:34:56", "00:00:0C:12:34:56", "00-00-0c-12-34-56",
		"0000.0c12.3456", "00000c123456", "00000C123456",
		"00:00:0c:ff:fe:12:34:56", "0000.0cff.fe12.3456", "00000cfffe123456",
	} {
		if got := MACVendorString(s); got != cisco {
			t.Errorf("MACVendorString(%q) = %q, want %q", s, got, cisco)
		}
	}
	for _, s := range []string{
		"", ":", "00:00:0c:12:34", "00:00:0c:12:34:56:", ":00:00:0c:12:34:56",
		"0:0:c:12:34:56", "00:00-0c:12:34:56", "00:00:0c:12:34:5g",
		"0000.0c12.345", "00000c12345", "00000c1234567", "000:00c:123:456",
		"00:00:0c:12:34:56:78", "0000.0c12.3456.7890.abcd", " 00:00:0c:12:34:56",
	} {
		if got := MACVendorString(s); got != "" {
			t.Errorf("MACVendorString(%q) = %q, want \"\"", s, got)
		}
	}
}

func TestMACVendorNoAllocs(t *testing.T) {
	mac := net.HardwareAddr{0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23}
	MACVendor(mac) // load the table outside the measurement
	if n := testing.AllocsPerRun(100, func() {
		MACVendor(mac)
		MACVendorString("70:b3:d5:f2:f1:23")
		MACVendorString("02:00:00:00:00:01")
	}); n != 0 {
		t.Errorf("%v allocations per lookup, want 0", n)
	}
}

// tableSources returns the "# source:" lines of an embedded table as file
// base name → sha256.
func tableSources(t *testing.T, gz []byte) map[string]string {
	t.Helper()
	text, err := gunzipString(gz)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for line := range strings.SplitSeq(text, "\n") {
		rest, ok := strings.CutPrefix(line, "# source: ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		for _, kv := range f[1:] {
			if sum, ok := strings.CutPrefix(kv, "sha256="); ok {
				m[filepath.Base(f[0])] = sum
			}
		}
	}
	return m
}

// TestMACVendorAgainstIEEE checks every assignment of the IEEE registry
// files the table was generated from, when this machine has them (package
// ieee-data) in the same version: the first and the last address of each
// block must resolve to its organisation, so MA-M, MA-S and IAB blocks must
// win over the MA-L block they are carved from.
func TestMACVendorAgainstIEEE(t *testing.T) {
	const dir = "/usr/share/ieee-data"
	sums := tableSources(t, ouiData)
	if len(sums) == 0 {
		t.Fatal("oui table names no sources")
	}
	orgs := map[string]map[string]bool{} // prefix → every name listed for it
	var order []string
	for _, name := range []string{"oui.csv", "mam.csv", "oui36.csv", "iab.csv"} {
		want, ok := sums[name]
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("%v (install the ieee-data package to compare the table with its source)", err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
			t.Skipf("%s/%s is not the version the table was made from (run make resolvers-data to regenerate)", dir, name)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			prefix := strings.ToUpper(rec[1])
			org := strings.Join(strings.Fields(rec[2]), " ")
			if orgs[prefix] == nil {
				orgs[prefix] = map[string]bool{}
				order = append(order, prefix)
			}
			orgs[prefix][org] = true
		}
	}
	t.Logf("%d registered prefixes", len(order))

	tbl, err := loadOUI()
	if err != nil {
		t.Fatal(err)
	}
	beaten := 0
	for _, prefix := range order {
		v, err := strconv.ParseUint(prefix, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		free := 48 - 4*uint(len(prefix))
		first := v << free
		last := first | (1<<free - 1)
		for _, mac := range []uint64{first, last} {
			// The expected owner is that of the longest registered
			// prefix of the address, found here on the hex text: for
			// an MA-L block held by the IEEE RA, its first or last
			// address may lie in a smaller block carved from it.
			want := orgs[prefix]
			hexMAC := strconv.FormatUint(mac|1<<48, 16)[1:]
			for _, n := range []int{9, 7} {
				if o, ok := orgs[strings.ToUpper(hexMAC[:n])]; ok && n >= len(prefix) {
					want = o
					break
				}
			}
			if got := macVendor(mac); !want[got] {
				t.Errorf("%012X (block %s): got %q, want one of %v", mac, prefix, got, want)
			}
		}
		if len(prefix) > 6 {
			if l, ok := tbl.l[uint32(v>>(4*uint(len(prefix)-6)))]; ok && !orgs[prefix][l] {
				beaten++
			}
		}
	}
	if beaten < 1000 {
		t.Errorf("only %d MA-M/MA-S/IAB blocks differ from their covering MA-L entry", beaten)
	}
}

func BenchmarkMACVendor(b *testing.B) {
	mac := net.HardwareAddr{0x00, 0x1b, 0xc5, 0x01, 0x23, 0x45}
	MACVendor(mac)
	b.ReportAllocs()
	for b.Loop() {
		MACVendor(mac)
	}
}
