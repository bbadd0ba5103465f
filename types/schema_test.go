package types_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/types"
)

// TestSchemaCompatibleWithNetcap checks every message, field number, type
// and label, and every enum value, of Netcap v0.6.11's wire schema against
// ours, so files move between the two in both directions.
func TestSchemaCompatibleWithNetcap(t *testing.T) {
	path := filepath.Join(testutil.SharedDir(t), "..", "reference", "netcap-v0.6.11-schema.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("reference schema not found: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	fields, enums := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		c := strings.Split(line, "\t")
		for len(c) < 6 {
			c = append(c, "")
		}
		kind, msg, name, num, typ, label := c[0], c[1], c[2], c[3], c[4], c[5]
		n, _ := strconv.Atoi(num)
		switch kind {
		case "enum":
			enums++
			v, ok := types.Type_value[name]
			if !ok || int(v) != n {
				t.Errorf("enum %s: want %s = %d, have %d (present %v)", msg, name, n, v, ok)
			}
		case "field":
			fields++
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName("types." + msg))
			if err != nil {
				t.Errorf("message %s missing", msg)
				continue
			}
			md := d.(protoreflect.MessageDescriptor)
			fd := md.Fields().ByName(protoreflect.Name(name))
			if fd == nil {
				t.Errorf("%s.%s missing", msg, name)
				continue
			}
			if int(fd.Number()) != n {
				t.Errorf("%s.%s: number %d, v0.6.11 has %d", msg, name, fd.Number(), n)
			}
			if got := typeName(fd); got != typ {
				t.Errorf("%s.%s: type %s, v0.6.11 has %s", msg, name, got, typ)
			}
			if fd.IsList() != (label == "repeated") {
				t.Errorf("%s.%s: repeated %v, v0.6.11 label %q", msg, name, fd.IsList(), label)
			}
		}
	}
	if fields < 1000 || enums < 100 {
		t.Fatalf("read only %d fields and %d enum values from %s", fields, enums, path)
	}
}

func typeName(fd protoreflect.FieldDescriptor) string {
	if fd.IsMap() {
		return "map<" + typeName(fd.MapKey()) + ", " + typeName(fd.MapValue()) + ">"
	}
	switch fd.Kind() {
	case protoreflect.MessageKind:
		return string(fd.Message().Name())
	case protoreflect.EnumKind:
		return string(fd.Enum().Name())
	}
	return fd.Kind().String()
}

// TestGeneratedCodeMatchesProto regenerates netcap.pb.go from netcap.proto
// with protoc and the protoc-gen-go version in go.mod and compares.
func TestGeneratedCodeMatchesProto(t *testing.T) {
	protoc := testutil.Tool(t, "protoc", "protobuf-compiler")
	root := testutil.RepoRoot(t)
	tmp := t.TempDir()
	plugin := filepath.Join(tmp, "protoc-gen-go")
	build := exec.Command("go", "build", "-o", plugin, "google.golang.org/protobuf/cmd/protoc-gen-go")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building protoc-gen-go: %v\n%s", err, out)
	}
	// allkinds.proto is the generator's test schema (types/internal/gen).
	for _, proto := range []string{"types/netcap.proto", "types/internal/gen/allkinds/allkinds.proto"} {
		gen := exec.Command(protoc, "--plugin=protoc-gen-go="+plugin, "--go_out="+tmp, "--go_opt=paths=source_relative", proto)
		gen.Dir = root
		if out, err := gen.CombinedOutput(); err != nil {
			t.Fatalf("protoc: %v\n%s", err, out)
		}
		pb := strings.TrimSuffix(proto, ".proto") + ".pb.go"
		want, err := os.ReadFile(filepath.Join(tmp, pb))
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(filepath.Join(root, pb))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, have) {
			t.Fatalf("%s is not what %s generates: run make proto", pb, proto)
		}
	}
}

// TestCommunityIDSetters: every message with a CommunityID field has the
// setter the parser uses, and only those.
func TestCommunityIDSetters(t *testing.T) {
	n := 0
	for i := 0; i < types.File_types_netcap_proto.Messages().Len(); i++ {
		md := types.File_types_netcap_proto.Messages().Get(i)
		mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
		if err != nil {
			t.Fatal(err)
		}
		_, has := mt.New().Interface().(types.CommunityIDSetter)
		if want := md.Fields().ByName("CommunityID") != nil; has != want {
			t.Errorf("%s: CommunityID field %v, setter %v", md.Name(), want, has)
		}
		if has {
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d messages with a Community ID", n)
	}
}
