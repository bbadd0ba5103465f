package types

//go:generate go run ./internal/gen

// AppendMarshaler is implemented by every message of netcap.proto: it
// appends its wire encoding without the reflection-driven marshaller,
// which costs several times as much. The bytes are exactly proto.Marshal's
// (fields in number order, proto3 zero values left out, repeated scalars
// packed, map entries in key order as with MarshalOptions.Deterministic;
// TestFastMarshal compares them on random records of every message). ok
// is false, and out to be dropped, when the record needs the general
// marshaller: invalid UTF-8 in a string, which it reports as an error,
// unknown fields, or a nil message in a list or map. The encoders are
// generated (zz_generated.go, by types/internal/gen) and call the helpers
// of types/internal/wire.
type AppendMarshaler interface {
	AppendProto(b []byte) (out []byte, ok bool)
}
