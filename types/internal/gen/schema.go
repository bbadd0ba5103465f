package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// rawDescriptor returns the serialized FileDescriptorProto that
// protoc-gen-go writes into its output as the constant
// file_<proto path>_rawDesc, a sum of string literals.
func rawDescriptor(path string) ([]byte, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Names) == 1 && len(vs.Values) == 1 && strings.HasSuffix(vs.Names[0].Name, "_rawDesc") {
				var raw strings.Builder
				if err := appendStringSum(&raw, vs.Values[0]); err != nil {
					return nil, fmt.Errorf("%s: %s: %w", path, vs.Names[0].Name, err)
				}
				return []byte(raw.String()), nil
			}
		}
	}
	return nil, fmt.Errorf("%s: no file descriptor constant (*_rawDesc): not protoc-gen-go v1.36 output?", path)
}

// appendStringSum appends the value of e, a sum of string literals, to s.
func appendStringSum(s *strings.Builder, e ast.Expr) error {
	switch e := e.(type) {
	case *ast.BasicLit:
		v, err := strconv.Unquote(e.Value)
		if err != nil || e.Kind != token.STRING {
			return fmt.Errorf("%s is not a string literal", e.Value)
		}
		s.WriteString(v)
		return nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			break
		}
		if err := appendStringSum(s, e.X); err != nil {
			return err
		}
		return appendStringSum(s, e.Y)
	}
	return fmt.Errorf("not a sum of string literals")
}

// loadSchema returns the proto file whose serialized descriptor is raw,
// as protoc-gen-go sees it: with the Go names it gave messages and fields.
func loadSchema(raw []byte) (*protogen.Plugin, *protogen.File, error) {
	fdp := new(descriptorpb.FileDescriptorProto)
	if err := proto.Unmarshal(raw, fdp); err != nil {
		return nil, nil, fmt.Errorf("file descriptor: %w", err)
	}
	gen, err := protogen.Options{}.New(&pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{fdp.GetName()},
		ProtoFile:      []*descriptorpb.FileDescriptorProto{fdp},
	})
	if err != nil {
		return nil, nil, err
	}
	return gen, gen.FilesByPath[fdp.GetName()], nil
}
