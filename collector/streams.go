package collector

import (
	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/credentials"
	"github.com/netcap-go/netcap/decoder/service"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/decoder/vuln"
	"github.com/netcap-go/netcap/types"
)

// The stream decoders, listed in one place until the registry lists every
// decoder.

// streamDecoders returns the stream protocols and observers of a run, in
// order. The order of the protocols decides which one claims a
// conversation that more than one would take (after those that usually
// serve its port); observers see each connection's data, and write their
// records, in their order.
func streamDecoders() ([]stream.Protocol, []stream.NewObserver) {
	protocols := []stream.Protocol{stream.HTTP, stream.POP3, stream.SMTP, stream.SSH}
	observers := []stream.NewObserver{
		stream.NewConnsWriter,
		credentials.NewHarvester,
		service.NewObserver,
		stream.NewTLSHelloReader,
		vuln.NewMatcher,
	}
	return protocols, observers
}

// streamInfos describes the record types the stream decoders write.
func streamInfos() []decoder.Info {
	protocols, _ := streamDecoders()
	var out []decoder.Info
	for _, p := range protocols {
		out = append(out, p.Info())
	}
	out = append(out, stream.Infos...)
	out = append(out, service.Infos...)
	return append(out, vuln.Infos...)
}

// enabledSet turns a predicate on record type names into the set of
// record types the stream decoders look up per record.
func enabledSet(enabled func(name string) bool) decoder.Set {
	var s decoder.Set
	for v := range types.Type_name {
		t := types.Type(v)
		for int(t) >= len(s) {
			s = append(s, false)
		}
		s[t] = enabled(t.Name())
	}
	return s
}
