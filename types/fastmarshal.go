package types

import (
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// AppendMarshaler is implemented by the records written for nearly every
// packet (Ethernet, IPv4, TCP, UDP): they append their wire encoding
// without the reflection-driven marshaller, which costs several times as
// much. The bytes are exactly proto.Marshal's (fields in number order,
// proto3 zero values left out; TestFastMarshal compares them on random
// records). ok is false when the record needs the general marshaller
// (invalid UTF-8 in a string, which it reports as an error, or unknown
// fields).
type AppendMarshaler interface {
	AppendProto(b []byte) (out []byte, ok bool)
}

type wire struct {
	b  []byte
	ok bool
}

func (w *wire) varint(num protowire.Number, v uint64) {
	if v != 0 {
		w.b = protowire.AppendTag(w.b, num, protowire.VarintType)
		w.b = protowire.AppendVarint(w.b, v)
	}
}

func (w *wire) int32(num protowire.Number, v int32) { w.varint(num, uint64(int64(v))) }
func (w *wire) int64(num protowire.Number, v int64) { w.varint(num, uint64(v)) }
func (w *wire) uint32(num protowire.Number, v uint32) {
	w.varint(num, uint64(v))
}

func (w *wire) bool(num protowire.Number, v bool) {
	if v {
		w.varint(num, 1)
	}
}

func (w *wire) double(num protowire.Number, v float64) {
	if bits := math.Float64bits(v); bits != 0 {
		w.b = protowire.AppendTag(w.b, num, protowire.Fixed64Type)
		w.b = protowire.AppendFixed64(w.b, bits)
	}
}

func (w *wire) bytes(num protowire.Number, v []byte) {
	if len(v) > 0 {
		w.b = protowire.AppendTag(w.b, num, protowire.BytesType)
		w.b = protowire.AppendBytes(w.b, v)
	}
}

func (w *wire) string(num protowire.Number, v string) {
	if v == "" {
		return
	}
	if !utf8.ValidString(v) {
		w.ok = false
		return
	}
	w.b = protowire.AppendTag(w.b, num, protowire.BytesType)
	w.b = protowire.AppendString(w.b, v)
}

// option appends one IPv4/TCP option message (three fields), sized
// first so that nothing is allocated.
func (w *wire) option(num protowire.Number, typ, length int32, data []byte) {
	n := 0
	if typ != 0 {
		n += 1 + protowire.SizeVarint(uint64(int64(typ)))
	}
	if length != 0 {
		n += 1 + protowire.SizeVarint(uint64(int64(length)))
	}
	if len(data) > 0 {
		n += 1 + protowire.SizeBytes(len(data))
	}
	w.b = protowire.AppendTag(w.b, num, protowire.BytesType)
	w.b = protowire.AppendVarint(w.b, uint64(n))
	w.int32(1, typ)
	w.int32(2, length)
	w.bytes(3, data)
}

// AppendProto implements AppendMarshaler.
func (x *Ethernet) AppendProto(b []byte) ([]byte, bool) {
	if len(x.unknownFields) > 0 {
		return b, false
	}
	w := wire{b: b, ok: true}
	w.int64(1, x.Timestamp)
	w.string(2, x.SrcMAC)
	w.string(3, x.DstMAC)
	w.int32(4, x.EthernetType)
	w.double(5, x.PayloadEntropy)
	w.int32(6, x.PayloadSize)
	return w.b, w.ok
}

// AppendProto implements AppendMarshaler.
func (x *IPv4) AppendProto(b []byte) ([]byte, bool) {
	if len(x.unknownFields) > 0 {
		return b, false
	}
	w := wire{b: b, ok: true}
	w.int64(1, x.Timestamp)
	w.int32(2, x.Version)
	w.int32(3, x.IHL)
	w.int32(4, x.TOS)
	w.int32(5, x.Length)
	w.int32(6, x.Id)
	w.int32(7, x.Flags)
	w.int32(8, x.FragOffset)
	w.int32(9, x.TTL)
	w.int32(10, x.Protocol)
	w.int32(11, x.Checksum)
	w.string(12, x.SrcIP)
	w.string(13, x.DstIP)
	w.bytes(14, x.Padding)
	for _, o := range x.Options {
		if o == nil || len(o.unknownFields) > 0 {
			return b, false
		}
		w.option(15, o.OptionType, o.OptionLength, o.OptionData)
	}
	w.double(16, x.PayloadEntropy)
	w.int32(17, x.PayloadSize)
	w.int32(18, x.SrcPort)
	w.int32(19, x.DstPort)
	return w.b, w.ok
}

// AppendProto implements AppendMarshaler.
func (x *TCP) AppendProto(b []byte) ([]byte, bool) {
	if len(x.unknownFields) > 0 {
		return b, false
	}
	w := wire{b: b, ok: true}
	w.int64(1, x.Timestamp)
	w.int32(2, x.SrcPort)
	w.int32(3, x.DstPort)
	w.uint32(4, x.SeqNum)
	w.uint32(5, x.AckNum)
	w.int32(6, x.DataOffset)
	w.bool(7, x.FIN)
	w.bool(8, x.SYN)
	w.bool(9, x.RST)
	w.bool(10, x.PSH)
	w.bool(11, x.ACK)
	w.bool(12, x.URG)
	w.bool(13, x.ECE)
	w.bool(14, x.CWR)
	w.bool(15, x.NS)
	w.int32(16, x.Window)
	w.int32(17, x.Checksum)
	w.int32(18, x.Urgent)
	w.bytes(19, x.Padding)
	for _, o := range x.Options {
		if o == nil || len(o.unknownFields) > 0 {
			return b, false
		}
		w.option(20, o.OptionType, o.OptionLength, o.OptionData)
	}
	w.double(21, x.PayloadEntropy)
	w.int32(22, x.PayloadSize)
	w.bytes(23, x.Payload)
	w.string(24, x.SrcIP)
	w.string(25, x.DstIP)
	w.string(26, x.CommunityID)
	return w.b, w.ok
}

// AppendProto implements AppendMarshaler.
func (x *UDP) AppendProto(b []byte) ([]byte, bool) {
	if len(x.unknownFields) > 0 {
		return b, false
	}
	w := wire{b: b, ok: true}
	w.int64(1, x.Timestamp)
	w.int32(2, x.SrcPort)
	w.int32(3, x.DstPort)
	w.int32(4, x.Length)
	w.int32(5, x.Checksum)
	w.double(6, x.PayloadEntropy)
	w.int32(7, x.PayloadSize)
	w.bytes(8, x.Payload)
	w.string(9, x.SrcIP)
	w.string(10, x.DstIP)
	w.string(11, x.CommunityID)
	return w.b, w.ok
}
