// Package resolvers turns the raw identifiers found in packets into names an
// analyst can read: MAC addresses into the vendor that the IEEE registered
// them to, port numbers into IANA service names, IP addresses into a
// location and autonomous system (from a MaxMind database the user
// supplies), and, only when explicitly enabled, IP addresses into host names
// by reverse DNS.
//
// Netcap's records carry these names beside the raw values (for example the
// vendor of a device in a profile), and its users run it offline on
// captures from isolated networks. So everything here works without the
// network by default:
//
//   - The IEEE MAC block registries (MA-L, MA-M, MA-S, IAB) and the IANA
//     port registry are embedded in the binary as compact gzipped tables
//     (data/), decoded once on first use. They are regenerated from Debian's
//     ieee-data and Wireshark's IANA copy with `make resolvers-data`
//     (resolvers/internal/gendata); data/README.md names the sources.
//   - GeoIP reads a .mmdb file that the user downloads under MaxMind's
//     licence; none is bundled.
//   - Reverse DNS is off unless the caller turns it on, because a lookup per
//     address leaks the analyst's interest to the resolver and stalls on
//     timeouts; when on, answers are cached in a bounded table.
//
// All lookups are safe for concurrent use: decoding workers share the
// read-only tables, and the GeoIP and DNS resolvers guard their state.
//
// It imports nothing of netcap.
package resolvers
