package service

import (
	"fmt"
	"net/netip"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// TestStoreBounds: the run-wide stores keep at most MaxServices services
// and MaxSoftware products; the others are dropped and counted.
func TestStoreBounds(t *testing.T) {
	r := stream.NewRun(stream.Options{MaxServices: 2, MaxSoftware: 2}, nil, nil)
	services := NewObserver(r).(svObserver).st
	for i := range 3 {
		r.ObserveSoftware(stream.SoftwareObservation{Product: fmt.Sprintf("product%d", i), Version: "1.0"})
		server := reassembly.Endpoint{Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), Port: 80}
		c := &stream.Conn{Info: reassembly.ConnInfo{Server: server, Start: int64(i)}, Ident: fmt.Sprint(i)}
		services.add(c, "", []byte("hello"), svBannerSW{}, 5, 0)
	}
	if d := r.Dropped(); d["Service"] != 1 || d["Software"] != 1 {
		t.Errorf("dropped %v, want one service and one product", d)
	}
	written := map[types.Type]int{}
	if err := r.Flush(func(t types.Type, _ proto.Message) error { written[t]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if written[types.Type_NC_Service] != 2 || written[types.Type_NC_Software] != 2 {
		t.Errorf("wrote %v, want two services and two products", written)
	}
}
