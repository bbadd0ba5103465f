package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestGeneratedCodeIsCurrent: types/zz_generated.go is what the generator
// writes for the schema in types/netcap.pb.go now, so a schema change
// without go generate ./types/ fails here (and one without make proto in
// types' TestGeneratedCode); allkinds/ likewise.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	for _, dir := range []string{"../..", "allkinds"} {
		pb, _ := filepath.Glob(filepath.Join(dir, "*.pb.go"))
		if len(pb) != 1 {
			t.Fatalf("%s: %d .pb.go files", dir, len(pb))
		}
		want, err := generateFrom(pb[0])
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(filepath.Join(dir, "zz_generated.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, have) {
			t.Fatalf("%s/zz_generated.go is not what the generator writes: run go generate ./types/... (make proto)", dir)
		}
	}
}

// TestUnsupportedSchema: a field the generator cannot encode stops it with
// the field named.
func TestUnsupportedSchema(t *testing.T) {
	oneof := field("Port", 2, descriptorpb.FieldDescriptorProto_TYPE_INT32)
	oneof.OneofIndex = proto.Int32(0)
	optional := field("Port", 2, descriptorpb.FieldDescriptorProto_TYPE_INT32)
	optional.OneofIndex, optional.Proto3Optional = proto.Int32(0), proto.Bool(true)
	for _, tc := range []struct {
		name  string
		field *descriptorpb.FieldDescriptorProto
		oneof string
		want  string
	}{
		{"oneof", oneof, "choice", "UDP.Port: oneofs and optional fields"},
		{"optional", optional, "_Port", "UDP.Port: oneofs and optional fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := proto.Marshal(schema(tc.field, tc.oneof))
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

// schema returns a proto3 file with a message UDP that has a Timestamp
// field and f, in a oneof of that name if it is not "".
func schema(f *descriptorpb.FieldDescriptorProto, oneof string) *descriptorpb.FileDescriptorProto {
	m := &descriptorpb.DescriptorProto{Name: proto.String("UDP"), Field: []*descriptorpb.FieldDescriptorProto{
		field("Timestamp", 1, descriptorpb.FieldDescriptorProto_TYPE_INT64), f,
	}}
	if oneof != "" {
		m.OneofDecl = []*descriptorpb.OneofDescriptorProto{{Name: proto.String(oneof)}}
	}
	return &descriptorpb.FileDescriptorProto{
		Name:        proto.String("types/test.proto"),
		Package:     proto.String("types"),
		Syntax:      proto.String("proto3"),
		Options:     &descriptorpb.FileOptions{GoPackage: proto.String("example.com/types")},
		MessageType: []*descriptorpb.DescriptorProto{m},
	}
}

func field(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(),
		Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
	}
}
