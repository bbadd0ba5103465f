package resolvers

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Location is what a MaxMind database knows about one address. A City or
// Country database fills the geographic fields, an ASN database fills ASN
// and ASOrg; fields the database does not hold are left zero.
type Location struct {
	CountryCode string  // ISO 3166-1 alpha-2, e.g. "DE"
	Country     string  // English country name, e.g. "Germany"
	City        string  // English city name, e.g. "Berlin"
	Latitude    float64 // approximate, in degrees
	Longitude   float64 // approximate, in degrees
	ASN         uint32  // autonomous system number, e.g. 3320
	ASOrg       string  // organisation of the autonomous system
}

// String describes the place as "City, Country (CC)", dropping the parts
// that are unknown: "Germany (DE)", "DE", "Berlin", or "" when the record
// holds no geography (as in an ASN-only database).
func (l Location) String() string {
	country := l.Country
	switch {
	case country != "" && l.CountryCode != "":
		country += " (" + l.CountryCode + ")"
	case country == "":
		country = l.CountryCode
	}
	switch {
	case l.City != "" && country != "":
		return l.City + ", " + country
	case l.City != "":
		return l.City
	}
	return country
}

// geoRecord is the subset of the GeoIP2/GeoLite2 City, Country and ASN
// layouts that Location carries. One struct serves all three layouts
// because the decoder skips keys a database lacks. Names are decoded into a
// struct field rather than a map so that only the English name is read.
type geoRecord struct {
	Country           geoCountry `maxminddb:"country"`
	RegisteredCountry geoCountry `maxminddb:"registered_country"`
	City              struct {
		Names geoNames `maxminddb:"names"`
	} `maxminddb:"city"`
	Location struct {
		Latitude  float64 `maxminddb:"latitude"`
		Longitude float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
	ASN   uint32 `maxminddb:"autonomous_system_number"`
	ASOrg string `maxminddb:"autonomous_system_organization"`
}

type geoCountry struct {
	ISOCode string   `maxminddb:"iso_code"`
	Names   geoNames `maxminddb:"names"`
}

type geoNames struct {
	EN string `maxminddb:"en"`
}

// GeoDB answers location and AS lookups from a MaxMind DB (.mmdb) file,
// such as GeoLite2-City, GeoLite2-Country or GeoLite2-ASN. It is safe for
// concurrent use, Close included: a lookup never runs on a closed database.
type GeoDB struct {
	mu sync.RWMutex // read-held by lookups, write-held by Close
	r  *maxminddb.Reader
}

// ErrNotMMDB is returned, wrapped, by OpenGeoDB for a file that is not a
// usable MaxMind DB.
var ErrNotMMDB = errors.New("not a MaxMind DB (.mmdb) file")

// OpenGeoDB opens the MaxMind DB file at path. The file is memory-mapped
// where the platform allows, so opening is cheap even for a large City
// database; it must not be rewritten in place while open. A missing file
// yields an error wrapping fs.ErrNotExist, and a file that is not a MaxMind
// DB one wrapping ErrNotMMDB.
func OpenGeoDB(path string) (*GeoDB, error) {
	// Open the file ourselves first so that a missing or unreadable file
	// is reported as such, not as a malformed database.
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: cannot open database: %w", err)
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("geoip: cannot open database: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("geoip: %s is a directory: %w", path, ErrNotMMDB)
	}
	return openGeoDB(path, func() (*maxminddb.Reader, error) { return maxminddb.Open(path) })
}

// openGeoDBBytes opens a database held in memory; the fuzz target uses it
// to feed arbitrary bytes through the same checks as OpenGeoDB.
func openGeoDBBytes(b []byte) (*GeoDB, error) {
	return openGeoDB("<bytes>", func() (*maxminddb.Reader, error) { return maxminddb.OpenBytes(b) })
}

func openGeoDB(name string, open func() (*maxminddb.Reader, error)) (db *GeoDB, err error) {
	// The reader parses untrusted metadata; should it panic on a crafted
	// file, fail this open instead of the whole capture.
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("geoip: %s: %w (reader panicked: %v)", name, ErrNotMMDB, p)
		}
	}()
	r, err := open()
	if err != nil {
		return nil, fmt.Errorf("geoip: %s: %w: %v", name, ErrNotMMDB, err)
	}
	if err := checkMetadata(r.Metadata); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("geoip: %s: %w: %v", name, ErrNotMMDB, err)
	}
	return &GeoDB{r: r}, nil
}

// checkMetadata rejects metadata that the format (MaxMind DB 2.x) does not
// allow, so that a damaged file fails at open rather than at every lookup.
func checkMetadata(m maxminddb.Metadata) error {
	if m.BinaryFormatMajorVersion != 2 {
		return fmt.Errorf("binary format version %d, want 2", m.BinaryFormatMajorVersion)
	}
	switch m.RecordSize {
	case 24, 28, 32:
	default:
		return fmt.Errorf("record size %d, want 24, 28 or 32", m.RecordSize)
	}
	if m.IPVersion != 4 && m.IPVersion != 6 {
		return fmt.Errorf("IP version %d, want 4 or 6", m.IPVersion)
	}
	if m.NodeCount == 0 {
		return errors.New("empty search tree")
	}
	return nil
}

// Lookup returns what the database holds for ip, and false when it holds
// nothing (including an IPv6 address in an IPv4-only database, a closed
// database, or a record that does not decode). IPv4-mapped IPv6 addresses
// are looked up as IPv4. When a City or Country record lacks the country
// of the user (common for anycast and satellite ranges), the country the
// network is registered in stands in for it.
func (g *GeoDB) Lookup(ip netip.Addr) (loc Location, found bool) {
	if g == nil || !ip.IsValid() {
		return Location{}, false
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.r == nil {
		return Location{}, false
	}
	// Decoding follows offsets taken from the file; a crafted file must
	// not take the process down with it.
	defer func() {
		if recover() != nil {
			loc, found = Location{}, false
		}
	}()
	res := g.r.Lookup(ip.Unmap())
	if res.Err() != nil || !res.Found() {
		return Location{}, false
	}
	var rec geoRecord
	if err := res.Decode(&rec); err != nil {
		return Location{}, false
	}
	c := rec.Country
	if c.ISOCode == "" && c.Names.EN == "" {
		c = rec.RegisteredCountry
	}
	return Location{
		CountryCode: c.ISOCode,
		Country:     c.Names.EN,
		City:        rec.City.Names.EN,
		Latitude:    rec.Location.Latitude,
		Longitude:   rec.Location.Longitude,
		ASN:         rec.ASN,
		ASOrg:       rec.ASOrg,
	}, true
}

// DatabaseType returns the type the database declares, such as
// "GeoLite2-City" or "GeoLite2-ASN", or "" once closed.
func (g *GeoDB) DatabaseType() string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.r == nil {
		return ""
	}
	return g.r.Metadata.DatabaseType
}

// Close releases the database. Lookups after Close report false; a second
// Close returns nil.
func (g *GeoDB) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.r == nil {
		return nil
	}
	err := g.r.Close()
	g.r = nil
	return err
}
