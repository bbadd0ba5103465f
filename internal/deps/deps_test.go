package deps

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/netcap-go/netcap/"

// rules: a package (with everything it imports, transitively) must not
// depend on these packages of the module.
var rules = map[string][]string{
	"types":             {"delimited", "io", "decoder", "collector", "source"},
	"delimited":         {"io", "decoder", "collector", "source"},
	"io":                {"decoder", "collector", "source", "dist", "reassembly"},
	"decoder":           {"decoder/packet", "decoder/stream", "collector", "io"},
	"decoder/packet":    {"decoder/registry", "decoder/stream", "collector", "io", "source"},
	"decoder/flow":      {"decoder/registry", "decoder/stream", "collector", "io", "source"},
	"decoder/profile":   {"decoder/registry", "decoder/stream", "collector", "io", "source"},
	"decoder/stream":    {"decoder/registry", "collector", "io", "source"},
	"decoder/tlshello":  {"decoder/packet", "collector", "io"},
	"reassembly":        {"decoder", "collector", "io", "types"},
	"source":            {"decoder", "collector", "io", "types", "reassembly"},
	"bpf":               {"decoder", "collector", "io", "types", "source"},
	"resolvers":         {"decoder", "collector", "io", "types"},
	"collector":         {"label", "metrics", "maltego", "proxy", "dist", "cmd/net"},
	"label":             {"collector", "decoder/registry", "decoder/stream", "decoder/packet"},
	"metrics":           {"collector", "decoder/registry", "decoder/stream"},
	"maltego":           {"collector", "decoder/registry", "decoder/stream", "decoder/packet"},
	"proxy":             {"collector", "decoder/registry", "decoder/stream"},
	"dist":              {"collector", "decoder/registry", "decoder/stream", "decoder/packet"},
	"decoder/registry":  {"collector", "io", "source"},
	"internal/testutil": {"collector", "decoder", "io"},
}

// TestImportRules checks every rule against go list -deps.
func TestImportRules(t *testing.T) {
	for pkg, forbidden := range rules {
		out, err := exec.Command("go", "list", "-deps", module+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			if strings.HasPrefix(d, module) { // the standard library has an io too
				deps[strings.TrimPrefix(d, module)] = true
			}
		}
		for _, f := range forbidden {
			if deps[f] {
				t.Errorf("%s depends on %s", pkg, f)
			}
		}
	}
}
