package resolvers

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/netcap-go/netcap/internal/mmdbtest"
)

// cityRecord builds a record in the GeoIP2/GeoLite2 City layout, with the
// extra keys a real one has, which the reader must skip.
func cityRecord(city, country, code string, lat, lon float64) map[string]any {
	return map[string]any{
		"city": map[string]any{
			"geoname_id": uint32(2950159),
			"names":      map[string]any{"de": city + " (de)", "en": city, "ja": "都市"},
		},
		"continent": map[string]any{"code": "EU", "names": map[string]any{"en": "Europe"}},
		"country": map[string]any{
			"geoname_id": uint32(2921044),
			"iso_code":   code,
			"names":      map[string]any{"en": country, "fr": country + " (fr)"},
		},
		"location": map[string]any{
			"accuracy_radius": uint16(20),
			"latitude":        lat,
			"longitude":       lon,
			"time_zone":       "Europe/Berlin",
		},
		"subdivisions": []any{map[string]any{"iso_code": "BE", "names": map[string]any{"en": "Land"}}},
	}
}

func writeDB(t testing.TB, opts mmdbtest.Options, nets []mmdbtest.Network) string {
	t.Helper()
	b, err := mmdbtest.Build(opts, nets)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test.mmdb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var testNetworks = []mmdbtest.Network{
	{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Record: cityRecord("Berlin", "Germany", "DE", 52.5244, 13.4105)},
	{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), Record: cityRecord("Paris", "France", "FR", 48.8534, 2.3488)},
	{Prefix: netip.MustParsePrefix("203.0.113.0/25"), Record: map[string]any{
		"autonomous_system_number":       uint32(64500),
		"autonomous_system_organization": "Example Networks GmbH",
	}},
	{Prefix: netip.MustParsePrefix("192.0.2.0/24"), Record: map[string]any{
		// A Country record with only the registration country, as
		// GeoLite2 gives for some anycast networks.
		"registered_country": map[string]any{"iso_code": "US", "names": map[string]any{"en": "United States"}},
	}},
}

func TestGeoDBLookup(t *testing.T) {
	for _, rs := range []int{24, 28, 32} {
		path := writeDB(t, mmdbtest.Options{DatabaseType: "GeoLite2-City", RecordSize: rs}, testNetworks)
		db, err := OpenGeoDB(path)
		if err != nil {
			t.Fatalf("record size %d: %v", rs, err)
		}
		if got := db.DatabaseType(); got != "GeoLite2-City" {
			t.Errorf("DatabaseType = %q", got)
		}
		berlin := Location{CountryCode: "DE", Country: "Germany", City: "Berlin", Latitude: 52.5244, Longitude: 13.4105}
		paris := Location{CountryCode: "FR", Country: "France", City: "Paris", Latitude: 48.8534, Longitude: 2.3488}
		asn := Location{ASN: 64500, ASOrg: "Example Networks GmbH"}
		us := Location{CountryCode: "US", Country: "United States"}
		for _, tc := range []struct {
			ip    string
			want  Location
			found bool
		}{
			{"198.51.100.0", berlin, true},
			{"198.51.100.77", berlin, true},
			{"198.51.100.255", berlin, true},
			{"::ffff:198.51.100.77", berlin, true}, // IPv4-mapped
			{"2001:db8:1::1", paris, true},
			{"2001:db8:1:ffff:ffff:ffff:ffff:ffff", paris, true},
			{"203.0.113.5", asn, true},
			{"192.0.2.1", us, true},
			{"198.51.101.1", Location{}, false},
			{"198.51.99.255", Location{}, false},
			{"203.0.113.128", Location{}, false}, // outside the /25
			{"2001:db8:2::1", Location{}, false},
			{"2001:db8::1", Location{}, false},
			{"::1", Location{}, false},
			{"10.0.0.1", Location{}, false},
		} {
			got, found := db.Lookup(netip.MustParseAddr(tc.ip))
			if got != tc.want || found != tc.found {
				t.Errorf("record size %d: Lookup(%s) = %+v, %v; want %+v, %v", rs, tc.ip, got, found, tc.want, tc.found)
			}
		}
		if _, found := db.Lookup(netip.Addr{}); found {
			t.Error("zero Addr found")
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if _, found := db.Lookup(netip.MustParseAddr("198.51.100.77")); found {
			t.Error("lookup after Close found a record")
		}
		if err := db.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
}

func TestGeoDBIPv4Only(t *testing.T) {
	path := writeDB(t, mmdbtest.Options{DatabaseType: "GeoLite2-ASN", IPVersion: 4, RecordSize: 28}, []mmdbtest.Network{
		{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Record: map[string]any{
			"autonomous_system_number":       uint32(3320),
			"autonomous_system_organization": "Deutsche Telekom AG",
		}},
	})
	db, err := OpenGeoDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := Location{ASN: 3320, ASOrg: "Deutsche Telekom AG"}
	if got, ok := db.Lookup(netip.MustParseAddr("198.51.100.1")); !ok || got != want {
		t.Errorf("got %+v, %v; want %+v", got, ok, want)
	}
	if got, ok := db.Lookup(netip.MustParseAddr("2001:db8::1")); ok {
		t.Errorf("IPv6 in an IPv4 database: got %+v", got)
	}
}

func TestOpenGeoDBErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenGeoDB(filepath.Join(dir, "missing.mmdb"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := OpenGeoDB(dir); !errors.Is(err, ErrNotMMDB) {
		t.Errorf("directory: %v, want ErrNotMMDB", err)
	}
	for name, content := range map[string]string{
		"empty.mmdb":  "",
		"text.mmdb":   "this is not a MaxMind database\n",
		"csv.mmdb":    "network,geoname_id\n198.51.100.0/24,2950159\n",
		"marker.mmdb": "\xab\xcd\xefMaxMind.com",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := OpenGeoDB(path)
		if !errors.Is(err, ErrNotMMDB) {
			t.Errorf("%s: %v, want ErrNotMMDB", name, err)
		} else if !strings.Contains(err.Error(), "MaxMind") {
			t.Errorf("%s: error %q does not say what was expected", name, err)
		}
	}
}

func TestLocationString(t *testing.T) {
	for _, tc := range []struct {
		l    Location
		want string
	}{
		{Location{City: "Berlin", Country: "Germany", CountryCode: "DE"}, "Berlin, Germany (DE)"},
		{Location{Country: "Germany", CountryCode: "DE"}, "Germany (DE)"},
		{Location{CountryCode: "DE"}, "DE"},
		{Location{Country: "Germany"}, "Germany"},
		{Location{City: "Berlin"}, "Berlin"},
		{Location{City: "Berlin", CountryCode: "DE"}, "Berlin, DE"},
		{Location{ASN: 3320, ASOrg: "Deutsche Telekom AG"}, ""},
		{Location{}, ""},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.l, got, tc.want)
		}
	}
}

// TestGeoDBConcurrent runs lookups from many goroutines while the database
// is closed under them; run with -race.
func TestGeoDBConcurrent(t *testing.T) {
	db, err := OpenGeoDB(writeDB(t, mmdbtest.Options{}, testNetworks))
	if err != nil {
		t.Fatal(err)
	}
	ips := []netip.Addr{
		netip.MustParseAddr("198.51.100.7"),
		netip.MustParseAddr("2001:db8:1::7"),
		netip.MustParseAddr("203.0.113.7"),
		netip.MustParseAddr("10.1.2.3"),
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				loc, found := db.Lookup(ips[(g+i)%len(ips)])
				if found && loc.City == "" && loc.ASN == 0 {
					t.Errorf("found an empty record")
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 1000 {
			db.DatabaseType()
		}
		db.Close()
	})
	wg.Wait()
}

// FuzzOpenGeoDB feeds arbitrary bytes to the database reader as a .mmdb
// file: opening and looking up must fail cleanly, never panic.
func FuzzOpenGeoDB(f *testing.F) {
	// Small seeds: the fuzzer's minimizer is quadratic in input size, so
	// kilobyte-sized databases would spend the fuzzing time minimizing.
	lean := map[string]any{
		"city":     map[string]any{"names": map[string]any{"en": "B"}},
		"country":  map[string]any{"iso_code": "DE", "names": map[string]any{"en": "G"}},
		"location": map[string]any{"latitude": 1.5, "longitude": -2.5},
	}
	asn := map[string]any{"autonomous_system_number": uint32(64500), "autonomous_system_organization": "E"}
	v4 := []mmdbtest.Network{
		{Prefix: netip.MustParsePrefix("198.0.0.0/8"), Record: lean},
		{Prefix: netip.MustParsePrefix("203.0.0.0/9"), Record: asn},
	}
	v6 := []mmdbtest.Network{
		{Prefix: netip.MustParsePrefix("2001::/16"), Record: lean},
		{Prefix: netip.MustParsePrefix("203.0.0.0/8"), Record: asn},
	}
	for _, seed := range []struct {
		opts mmdbtest.Options
		nets []mmdbtest.Network
	}{
		{mmdbtest.Options{IPVersion: 4, DatabaseType: "C"}, v4},
		{mmdbtest.Options{IPVersion: 4, DatabaseType: "C", RecordSize: 28}, v4},
		{mmdbtest.Options{IPVersion: 4, DatabaseType: "C", RecordSize: 32}, v4},
		{mmdbtest.Options{IPVersion: 6, DatabaseType: "C"}, v6},
	} {
		b, err := mmdbtest.Build(seed.opts, seed.nets)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[len(b)/3:])
	}
	f.Add([]byte{})
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	f.Add([]byte("\xab\xcd\xefMaxMind.com\xe0"))

	ips := []netip.Addr{
		netip.MustParseAddr("198.51.100.77"),
		netip.MustParseAddr("2001:db8:1::1"),
		netip.MustParseAddr("203.0.113.5"),
		netip.MustParseAddr("0.0.0.0"),
		netip.MustParseAddr("255.255.255.255"),
		netip.MustParseAddr("::"),
		netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := openGeoDBBytes(b)
		if err != nil {
			if db != nil {
				t.Fatal("error with a non-nil database")
			}
			return
		}
		for _, ip := range ips {
			loc, _ := db.Lookup(ip)
			_ = loc.String()
		}
		db.DatabaseType()
		db.Close()
	})
}
