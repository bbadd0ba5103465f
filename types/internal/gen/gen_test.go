package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestGeneratedCodeIsCurrent: types/zz_generated.go is what the generator
// writes for the schema in types/netcap.pb.go now, so a schema change
// without go generate ./types/ fails here (and one without make proto in
// types' TestGeneratedCode).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	want, err := generateFrom("../../netcap.pb.go")
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../zz_generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, have) {
		t.Fatal("types/zz_generated.go is not what the generator writes: run go generate ./types/ (make proto)")
	}
}

// TestUnsupportedSchema: a fast record the generator cannot encode, or
// cannot find, stops it with the field or record named.
func TestUnsupportedSchema(t *testing.T) {
	for _, tc := range []struct {
		name     string
		udpField *descriptorpb.FieldDescriptorProto
		want     string
	}{
		{"repeated scalar", field("Ports", 2, descriptorpb.FieldDescriptorProto_TYPE_INT32, true), "UDP.Ports: repeated scalars"},
		{"float kind", field("Loss", 2, descriptorpb.FieldDescriptorProto_TYPE_FLOAT, false), "UDP.Loss: float fields"},
		{"no UDP record", nil, "fast record UDP is not in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := proto.Marshal(fastRecordsSchema(tc.udpField))
			if err != nil {
				t.Fatal(err)
			}
			gen, file, err := loadSchema(raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := generate(gen, file); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// fastRecordsSchema returns a proto3 file with the fast records, each
// with a Timestamp field; UDP with udpField too, or no UDP when it is nil.
func fastRecordsSchema(udpField *descriptorpb.FieldDescriptorProto) *descriptorpb.FileDescriptorProto {
	file := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("types/test.proto"),
		Package: proto.String("types"),
		Syntax:  proto.String("proto3"),
		Options: &descriptorpb.FileOptions{GoPackage: proto.String("example.com/types")},
	}
	for _, name := range fastRecords {
		m := &descriptorpb.DescriptorProto{Name: proto.String(string(name))}
		m.Field = append(m.Field, field("Timestamp", 1, descriptorpb.FieldDescriptorProto_TYPE_INT64, false))
		if name == "UDP" {
			if udpField == nil {
				continue
			}
			m.Field = append(m.Field, udpField)
		}
		file.MessageType = append(file.MessageType, m)
	}
	return file
}

func field(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type, repeated bool) *descriptorpb.FieldDescriptorProto {
	label := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	if repeated {
		label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	}
	return &descriptorpb.FieldDescriptorProto{
		Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(), Label: label.Enum(),
	}
}
