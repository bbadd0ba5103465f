// Package decoder holds what every decoder shares: its description
// (Info, Group, as net capture -decoders lists them), the emitter records
// go through (Emit) and the table of record types a run writes (Set).
// The decoders live in the subpackages (packet, stream, flow, profile,
// tlshello, dpi) and the registry (decoder/registry) lists them in order.
//
// It imports only types: every decoder package imports it.
package decoder

import (
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// Group is the family a decoder belongs to, as Netcap v0.6.11 lists them.
type Group string

const (
	// GroupGoPacket decoders turn one gopacket layer into one record.
	GroupGoPacket Group = "GoPacket"
	// GroupPacket decoders look at whole packets (flows, profiles, TLS hellos).
	GroupPacket Group = "Packet"
	// GroupStream decoders read reassembled conversations.
	GroupStream Group = "Stream"
	// GroupAbstract decoders are fed by other decoders.
	GroupAbstract Group = "Abstract"
)

// Info describes one decoder, which writes one record type.
type Info struct {
	Name        string // record type name and -include/-exclude key
	Type        types.Type
	Group       Group
	Description string
	// Aliases are other -include/-exclude keys, such as the names Netcap
	// v0.6.11 used ("VRRP" for VRRPv2, "OSPF" for OSPFv2 and OSPFv3).
	Aliases []string
}

// Matches reports whether name (case-insensitive) is the decoder's name or
// one of its aliases.
func (i Info) Matches(name string) bool {
	if strings.EqualFold(i.Name, name) {
		return true
	}
	for _, a := range i.Aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// NumFields returns the number of fields of the decoder's record type.
func (i Info) NumFields() int {
	mt, err := types.MessageType(i.Type)
	if err != nil {
		return 0
	}
	return mt.Descriptor().Fields().Len()
}

// Emit hands one record of type t on (to the run's emitter, which batches
// it for the files). Every decoder writes its records through one; r may
// be reused by the decoder once Emit returns.
type Emit func(t types.Type, r proto.Message) error

// Set is the record types a run writes, indexed by type: a lookup per
// record, not a name comparison. The nil Set holds every type.
type Set []bool

// Has reports whether t is in the set.
func (s Set) Has(t types.Type) bool {
	return s == nil || int(t) < len(s) && s[t]
}

// NewSet returns the set holding ts.
func NewSet(ts ...types.Type) Set {
	s := Set{}
	for _, t := range ts {
		for int(t) >= len(s) {
			s = append(s, false)
		}
		s[t] = true
	}
	return s
}
