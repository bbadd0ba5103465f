package profile_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/internal/mmdbtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/resolvers"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

func decode(t *testing.T, path string, workers int, pc profile.Config) *ncio.MemorySink {
	t.Helper()
	f, err := source.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sink := ncio.NewMemorySink()
	if _, err := collector.Run(context.Background(), f, path, collector.Config{Workers: workers, Sink: sink, Profiles: pc}); err != nil {
		t.Fatal(err)
	}
	return sink
}

func ipProfiles(s *ncio.MemorySink) map[string]*types.IPProfile {
	out := map[string]*types.IPProfile{}
	for _, m := range s.Records(types.Type_NC_IPProfile) {
		p := m.(*types.IPProfile)
		out[p.Addr] = p
	}
	return out
}

func devices(s *ncio.MemorySink) map[string]*types.DeviceProfile {
	out := map[string]*types.DeviceProfile{}
	for _, m := range s.Records(types.Type_NC_DeviceProfile) {
		p := m.(*types.DeviceProfile)
		out[p.MacAddr] = p
	}
	return out
}

// tshark returns the fields of the frames filter selects (all for ""), as
// tshark prints them by default (a field's occurrences joined by commas).
func tshark(t *testing.T, path, filter string, fields ...string) [][]string {
	t.Helper()
	var rows [][]string
	for _, f := range tsharktest.Fields(t, path, tsharktest.Query{Filter: filter, Fields: fields}) {
		rows = append(rows, f.Row())
	}
	return rows
}

func lastValue(s string) string {
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TestIPProfileTrafficMatchesTshark compares every IPProfile's packets and
// bytes, and its per-port packet counts, with tshark's frames of that
// address (frames of IP fragments that were not reassembled belong to no
// flow and are left out on both sides).
func TestIPProfileTrafficMatchesTshark(t *testing.T) {
	paths := []string{testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "tls.pcap")}
	for _, rel := range []string{"public/zeek/traces/wikipedia.pcap", "public/ndpi/webex.pcap", "public/ndpi/android.pcap"} {
		if p, ok := testutil.SharedIfPresent(t, rel); ok {
			paths = append(paths, p)
		}
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			profiles := ipProfiles(decode(t, path, 2, profile.Config{}))
			type counts struct{ packets, bytes int64 }
			want := map[string]*counts{}
			srcPorts := map[string]map[string]uint64{} // addr -> "TCP/80" -> packets
			for _, f := range tshark(t, path, "", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
				"ip.flags.mf", "frame.protocols", "tcp.srcport", "udp.srcport") {
				for len(f) < 10 {
					f = append(f, "")
				}
				if strings.HasSuffix(f[5], "1") || strings.Contains(f[6], "ipv6.fraghdr") && !strings.Contains(f[6], "tcp") && !strings.Contains(f[6], "udp") && !strings.Contains(f[6], "icmp") {
					continue
				}
				src, dst := lastValue(f[1]), lastValue(f[2])
				if f[3] != "" {
					src, dst = lastValue(f[3]), lastValue(f[4])
				}
				if src == "" {
					continue
				}
				size, _ := strconv.ParseInt(f[0], 10, 64)
				addrs := []string{src}
				if dst != src {
					addrs = append(addrs, dst)
				}
				for _, a := range addrs {
					c := want[a]
					if c == nil {
						c = &counts{}
						want[a] = c
					}
					c.packets++
					c.bytes += size
				}
				proto, port := "TCP", lastValue(f[7])
				if port == "" || strings.Contains(f[6], "icmp") {
					proto, port = "UDP", lastValue(f[8])
				}
				if port != "" && !strings.Contains(f[6], "icmp") {
					if srcPorts[src] == nil {
						srcPorts[src] = map[string]uint64{}
					}
					srcPorts[src][proto+"/"+port]++
				}
			}
			if len(want) == 0 {
				t.Fatal("tshark saw no IP")
			}
			for a, c := range want {
				p := profiles[canonical(a)]
				if p == nil {
					t.Errorf("%s (%d packets): no IPProfile", a, c.packets)
					continue
				}
				if p.NumPackets != c.packets || int64(p.Bytes) != c.bytes {
					t.Errorf("%s: %d packets %d bytes, tshark %d %d", a, p.NumPackets, p.Bytes, c.packets, c.bytes)
				}
				got := map[string]uint64{}
				for _, port := range p.SrcPorts {
					got[port.Protocol+"/"+strconv.Itoa(int(port.PortNumber))] = port.Stats.Packets
				}
				if w := srcPorts[a]; len(w) > 0 || len(got) > 0 {
					for k, n := range w {
						if got[k] != n {
							t.Errorf("%s source port %s: %d packets, tshark %d", a, k, got[k], n)
						}
					}
					if len(got) != len(w) {
						t.Errorf("%s: %d source ports, tshark %d", a, len(got), len(w))
					}
				}
			}
			if len(profiles) != len(want) {
				t.Errorf("%d IPProfiles, tshark saw %d addresses", len(profiles), len(want))
			}
			t.Logf("%d addresses: packets, bytes and source ports compared with tshark", len(want))
		})
	}
}

func canonical(a string) string {
	if ip, err := netip.ParseAddr(a); err == nil {
		return ip.String()
	}
	return a
}

// TestDeviceProfileDHCP checks the DHCP facts of each device against
// tshark's view of the DHCP requests it sent: the option 55 fingerprint,
// the vendor class (and the OS it names) and the host name.
func TestDeviceProfileDHCP(t *testing.T) {
	path := testutil.Shared(t, "public/ndpi/android.pcap")
	devs := devices(decode(t, path, 2, profile.Config{}))
	rows := tshark(t, path, "dhcp.option.dhcp == 1 or dhcp.option.dhcp == 3",
		"dhcp.hw.mac_addr", "dhcp.option.request_list_item", "dhcp.option.hostname", "dhcp.option.vendor_class_id")
	if len(rows) == 0 {
		t.Fatal("no DHCP request")
	}
	for _, f := range rows {
		for len(f) < 4 {
			f = append(f, "")
		}
		mac := strings.Split(f[0], ",")[0]
		d := devs[mac]
		if d == nil {
			t.Fatalf("no DeviceProfile for %s", mac)
		}
		if f[1] != "" && !slices.Contains(d.DHCPFingerprints, f[1]) {
			t.Errorf("%s: fingerprints %v, tshark %s", mac, d.DHCPFingerprints, f[1])
		}
		if f[2] != "" && !slices.Contains(d.Hostnames, f[2]) {
			t.Errorf("%s: host names %v, tshark %s", mac, d.Hostnames, f[2])
		}
		if f[3] != "" && !slices.Contains(d.DHCPVendorClasses, f[3]) {
			t.Errorf("%s: vendor classes %v, tshark %s", mac, d.DHCPVendorClasses, f[3])
		}
	}
	if d := devs["4c:6a:f6:9f:f6:27"]; d == nil || !slices.Equal(d.DeviceHints, []string{"Android"}) {
		t.Errorf("android device: %v", d)
	}
	if d := devs["d8:30:62:56:00:1c"]; d == nil || d.DeviceManufacturer != resolvers.MACVendorString("d8:30:62:56:00:1c") || d.DeviceManufacturer == "" {
		t.Errorf("iMac: %v", d)
	}
}

// TestIPProfileTLSAndDNS: the SNIs of each address are the server names of
// the ClientHellos it sent (tshark), and the DNS names of an address
// include every name a DNS answer gave it.
func TestIPProfileTLSAndDNS(t *testing.T) {
	paths := []string{testutil.Testdata(t, "tls.pcap")}
	if p, ok := testutil.SharedIfPresent(t, "public/zeek/traces/wikipedia.pcap"); ok {
		paths = append(paths, p)
	}
	for _, path := range paths {
		profiles := ipProfiles(decode(t, path, 2, profile.Config{}))
		snis := map[string]map[string]int64{}
		for _, f := range tshark(t, path, "tls.handshake.type == 1", "ip.src", "ipv6.src", "tls.handshake.extensions_server_name") {
			for len(f) < 3 {
				f = append(f, "")
			}
			src := f[0] + f[1]
			if snis[src] == nil {
				snis[src] = map[string]int64{}
			}
			if f[2] != "" {
				snis[src][f[2]]++
			}
		}
		for a, want := range snis {
			p := profiles[canonical(a)]
			if p == nil {
				t.Errorf("%s: no profile", a)
				continue
			}
			for sni, n := range want {
				if p.SNIs[sni] != n {
					t.Errorf("%s: SNI %s seen %d times, tshark %d", a, sni, p.SNIs[sni], n)
				}
			}
		}
		names := 0
		for _, ans := range dnsAnswers(t, path) {
			p := profiles[ans[1]]
			if p == nil {
				continue // an address no packet went to
			}
			names++
			if !slices.Contains(p.DNSNames, strings.ToLower(ans[0])) {
				t.Errorf("%s: DNS names %v lack %s", ans[1], p.DNSNames, ans[0])
			}
		}
		t.Logf("%s: SNIs of %d clients and %d DNS answers compared with tshark", filepath.Base(path), len(snis), names)
	}
}

// TestGeoIP runs a capture with a generated MaxMind database and checks
// that the profiles of the addresses in it carry its location.
func TestGeoIP(t *testing.T) {
	db, err := mmdbtest.Build(mmdbtest.Options{DatabaseType: "GeoLite2-City"}, []mmdbtest.Network{{
		Prefix: netip.MustParsePrefix("127.0.0.0/24"),
		Record: map[string]any{
			"country": map[string]any{"iso_code": "DE", "names": map[string]any{"en": "Germany"}},
			"city":    map[string]any{"names": map[string]any{"en": "Berlin"}},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test.mmdb")
	if err := os.WriteFile(path, db, 0o600); err != nil {
		t.Fatal(err)
	}
	geo, err := resolvers.OpenGeoDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer geo.Close()
	profiles := ipProfiles(decode(t, testutil.Testdata(t, "mixed.pcap"), 2, profile.Config{GeoDB: geo}))
	p := profiles["127.0.0.1"]
	if p == nil || p.Geolocation != "Berlin, Germany (DE)" || p.CountryCode != "DE" {
		t.Fatalf("127.0.0.1: %v", p)
	}
	if q := profiles["::1"]; q == nil || q.Geolocation != "" {
		t.Fatalf("::1 is not in the database: %v", q)
	}
}

// dnsAnswers returns the (name, address) pairs of the A and AAAA records
// in the answer sections of DNS responses (not mDNS), from tshark's JSON.
func dnsAnswers(t *testing.T, path string) [][2]string {
	out := tsharktest.Run(t, "-n", "-r", path, "-Y", "dns.flags.response == 1", "-T", "json")
	var pkts []struct {
		Source struct {
			Layers map[string]json.RawMessage `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(out, &pkts); err != nil {
		t.Fatal(err)
	}
	var pairs [][2]string
	for _, p := range pkts {
		raw, ok := p.Source.Layers["dns"]
		if !ok {
			continue
		}
		var dns struct {
			Answers map[string]map[string]any `json:"Answers"`
		}
		if json.Unmarshal(raw, &dns) != nil {
			continue
		}
		for _, a := range dns.Answers {
			name, _ := a["dns.resp.name"].(string)
			for _, k := range []string{"dns.a", "dns.aaaa"} {
				if ip, ok := a[k].(string); ok {
					pairs = append(pairs, [2]string{name, canonical(ip)})
				}
			}
		}
	}
	return pairs
}

// TestPendingNamesBound: DNS answers for addresses without a profile are
// kept for at most twice MaxProfiles addresses; the rest are counted as
// dropped.
func TestPendingNamesBound(t *testing.T) {
	st := profile.NewStore(profile.Config{IPs: true, MaxProfiles: 1})
	var answers []*types.DNSResourceRecord
	for i := range 3 {
		answers = append(answers, &types.DNSResourceRecord{Type: 1, Name: "host.example", IP: "198.51.100." + strconv.Itoa(i)})
	}
	if err := st.Record(types.Type_NC_DNS, &types.DNS{QR: true, Answers: answers}, nil); err != nil {
		t.Fatal(err)
	}
	if d := st.Stats().Dropped; d != 1 {
		t.Errorf("%d names dropped, want 1 (two kept for a bound of one profile)", d)
	}
}
