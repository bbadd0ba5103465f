package registry

import (
	"fmt"
	"strings"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/types"
)

// Infos describes every record type, in registry order.
func Infos() []decoder.Info {
	out := make([]decoder.Info, 0, len(Decoders))
	for _, e := range Decoders {
		if e.Info.Name != "" {
			out = append(out, e.Info)
		}
	}
	return out
}

// Validate checks include/exclude names (record types or aliases).
func Validate(names []string) error {
	var unknown []string
	for _, n := range names {
		if n != "" && !known(n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown decoder(s): %s (net capture -decoders lists them)", strings.Join(unknown, ", "))
	}
	return nil
}

func known(name string) bool {
	for _, i := range Infos() {
		if i.Matches(name) {
			return true
		}
	}
	return false
}

// Enabled returns the record types a run with these -include and
// -exclude lists (names or aliases; an empty include is every type)
// writes.
func Enabled(include, exclude []string) decoder.Set {
	var ts []types.Type
	for _, i := range Infos() {
		if (len(include) == 0 || matchesAny(i, include)) && !matchesAny(i, exclude) {
			ts = append(ts, i.Type)
		}
	}
	return decoder.NewSet(ts...)
}

func matchesAny(i decoder.Info, names []string) bool {
	for _, n := range names {
		if i.Matches(n) {
			return true
		}
	}
	return false
}

// PacketDecoders returns the layer and packet decoders for a parser that
// writes the enabled types.
func PacketDecoders(enabled decoder.Set) packet.Decoders {
	d := packet.Decoders{Enabled: enabled}
	for _, e := range Decoders {
		switch e.Kind {
		case Layer:
			d.Layers = append(d.Layers, e.Layer)
		case Packet:
			d.Packets = append(d.Packets, e.Packet)
		}
	}
	return d
}

// PacketLayers returns the record types written once per packet header
// (the layer decoders): they count as packets of their protocol.
func PacketLayers() map[types.Type]bool {
	m := map[types.Type]bool{}
	for _, e := range Decoders {
		if e.Kind == Layer {
			m[e.Info.Type] = true
		}
	}
	return m
}

// StreamDecoders returns the stream protocols and observers, in order.
func StreamDecoders() ([]stream.Protocol, []stream.NewObserver) {
	var protocols []stream.Protocol
	var observers []stream.NewObserver
	for _, e := range Decoders {
		switch e.Kind {
		case Protocol:
			protocols = append(protocols, e.Protocol)
		case Observer:
			observers = append(observers, e.Observer)
		}
	}
	return protocols, observers
}
