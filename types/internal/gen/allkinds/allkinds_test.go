package allkinds_test

import (
	"testing"

	"github.com/netcap-go/netcap/types/internal/gen/allkinds"
	"github.com/netcap-go/netcap/types/internal/prototest"
)

// TestAllKinds: the generated encoders write proto.Marshal's bytes for
// every kind of field, list and map.
func TestAllKinds(t *testing.T) {
	prototest.CheckAppendProto(t, allkinds.File_types_internal_gen_allkinds_allkinds_proto, 2000)
}
