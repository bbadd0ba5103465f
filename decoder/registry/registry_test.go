package registry_test

import (
	"testing"

	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/types"
)

// TestOneEntryPerType: every record type is listed once, under its own
// name, so that the table of enabled types (indexed by type) and the
// -include/-exclude names say the same.
func TestOneEntryPerType(t *testing.T) {
	seen := map[types.Type]bool{}
	for _, i := range registry.Infos() {
		if i.Name != i.Type.Name() {
			t.Errorf("%s: writes type %s", i.Name, i.Type.Name())
		}
		if seen[i.Type] {
			t.Errorf("%s listed twice", i.Name)
		}
		seen[i.Type] = true
	}
}

// TestEnabled: -include and -exclude by name and by alias.
func TestEnabled(t *testing.T) {
	all := registry.Enabled(nil, nil)
	for _, i := range registry.Infos() {
		if !all.Has(i.Type) {
			t.Errorf("%s not enabled by default", i.Name)
		}
	}
	s := registry.Enabled([]string{"tcp", "VRRP", "OSPF"}, []string{"OSPFv3"})
	for tt, want := range map[types.Type]bool{
		types.Type_NC_TCP: true, types.Type_NC_VRRPv2: true, types.Type_NC_OSPFv2: true,
		types.Type_NC_OSPFv3: false, types.Type_NC_UDP: false, types.Type_NC_HTTP: false,
	} {
		if s.Has(tt) != want {
			t.Errorf("%s: enabled %t, want %t", tt.Name(), s.Has(tt), want)
		}
	}
	if err := registry.Validate([]string{"TCP", "nope", "Ethernet/IP"}); err == nil || err.Error() != "unknown decoder(s): nope (net capture -decoders lists them)" {
		t.Errorf("Validate: %v", err)
	}
}
