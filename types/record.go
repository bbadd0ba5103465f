package types

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Version is written into every file Header.
var Version = "v0.7.0-dev"

// Name returns the record type name of t ("TCP" for NC_TCP).
func (t Type) Name() string {
	return strings.TrimPrefix(t.String(), "NC_")
}

// TypeByName returns the Type whose name is name ("TCP" → NC_TCP).
func TypeByName(name string) (Type, bool) {
	v, ok := Type_value["NC_"+name]
	return Type(v), ok
}

// MessageType returns the protobuf message type that records of type t have.
func MessageType(t Type) (protoreflect.MessageType, error) {
	full := protoreflect.FullName("types." + t.Name())
	mt, err := protoregistry.GlobalTypes.FindMessageByName(full)
	if err != nil {
		return nil, fmt.Errorf("no message for record type %s: %w", t.Name(), err)
	}
	return mt, nil
}

// NewRecord returns a new, empty record of type t.
func NewRecord(t Type) (proto.Message, error) {
	mt, err := MessageType(t)
	if err != nil {
		return nil, err
	}
	return mt.New().Interface(), nil
}

// IsTimestampField reports whether a field holds a point in time as Unix
// nanoseconds, which dump renders as a date: int64 fields named Timestamp,
// TimestampFirst, TimestampLast or Created (the Header's). USB's TimestampSec
// is seconds and stays a number.
func IsTimestampField(fd protoreflect.FieldDescriptor) bool {
	if fd.Kind() != protoreflect.Int64Kind || fd.IsList() || fd.IsMap() {
		return false
	}
	n := string(fd.Name())
	switch n {
	case "Timestamp", "TimestampFirst", "TimestampLast", "Created":
		return true
	}
	return false
}
