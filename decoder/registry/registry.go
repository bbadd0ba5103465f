// Package registry is netcap's catalogue: every record type it writes and
// the decoder that writes it, in one ordered list (Decoders), like
// CoreDNS's plugin.cfg. The capture engine builds its parsers and stream
// decoders from it, and -decoders, -include/-exclude (names and aliases)
// and the table of enabled types come from it.
//
// Adding a protocol adds one line to Decoders. The registry imports every
// decoder package; nothing but the capture engine (collector) and the
// command (cmd/net) imports it, so that label, metrics, maltego and proxy
// stay apart from the decoders.
package registry

import (
	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/stream"
)

// Kind says where a decoder takes its input from.
type Kind uint8

const (
	// Layer decoders turn one decoded gopacket layer into one record.
	Layer Kind = iota
	// Packet decoders read a whole decoded packet (TLS hellos).
	Packet
	// Table records are written by the run's tables: the connection
	// table (Connection, Flow) and the profile store.
	Table
	// Protocol decoders read the reassembled conversations of one
	// application protocol, recognised by content.
	Protocol
	// Observer decoders see every reassembled conversation.
	Observer
	// Derived records are fed by other decoders (files, mails,
	// software, alerts).
	Derived
)

// Entry is one line of the registry: a decoder and the record type it
// writes. Observers write derived records, listed on lines of their own,
// so their Info is empty.
type Entry struct {
	Kind     Kind
	Info     decoder.Info
	Layer    packet.LayerDecoder
	Packet   packet.PacketDecoder
	Protocol stream.Protocol
	Observer stream.NewObserver
}

func layer(d packet.LayerDecoder) Entry { return Entry{Kind: Layer, Info: d.Info(), Layer: d} }

func whole(d packet.PacketDecoder) Entry { return Entry{Kind: Packet, Info: d.Info(), Packet: d} }

func table(i decoder.Info) Entry { return Entry{Kind: Table, Info: i} }

func protocol(p stream.Protocol) Entry { return Entry{Kind: Protocol, Info: p.Info(), Protocol: p} }

func observer(o stream.NewObserver) Entry { return Entry{Kind: Observer, Observer: o} }

func derived(i decoder.Info) Entry { return Entry{Kind: Derived, Info: i} }
