package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// fastDecoded are the records that get a wire decoder of their own
// (UnmarshalProto, read by delimited with types.FastUnmarshaler): the
// link, network and transport layer records, the bulk of what net dump
// reads, where the reflection-driven proto.Unmarshal costs several times
// as much. The messages nested in them get one too. Other records are
// left to package proto: every decoder here must stay equal to it
// (TestFastUnmarshal).
var fastDecoded = []protoreflect.Name{"Ethernet", "IPv4", "TCP", "UDP"}

// readerMethods names, per field kind, the method of wireReader
// (types/fastunmarshal.go) that reads such a field. A kind not listed
// stops the generator rather than being decoded by guess.
var readerMethods = map[protoreflect.Kind]string{
	protoreflect.BoolKind:   "bool",
	protoreflect.Int32Kind:  "int32",
	protoreflect.Int64Kind:  "int64",
	protoreflect.Uint32Kind: "uint32",
	protoreflect.DoubleKind: "double",
	protoreflect.StringKind: "string",
	protoreflect.BytesKind:  "bytes",
}

// decoderTemplate is one UnmarshalProto: .Keep is what a message decoded
// into again keeps to reuse (the items of its lists), .Last the string
// values it held (a string the next record repeats is not allocated
// again), .Cases the switch on field numbers.
var decoderTemplate = template.Must(template.New("decoder").Parse(`
// UnmarshalProto implements FastUnmarshaler.
func (x *{{.Type}}) UnmarshalProto(b []byte) bool {
{{- if .Last}}
	last := [...]string{ {{- .Last -}} }
{{- end}}
	*x = {{.Type}}{ {{- .Keep -}} }
	r := &wireReader{b: b, ok: true}
	for r.next() {
		switch r.num {
{{.Cases}}
		default:
			return false
		}
	}
	return r.ok
}
`))

// fieldDecoder is the decoding code of one field.
type fieldDecoder struct{ decode, keep, last string }

// genDecoders writes UnmarshalProto for the fastDecoded records, then for
// the messages nested in them, in the order first met. A schema without
// any of them (the generator's test schema) gets none.
func genDecoders(g *protogen.GeneratedFile, file *protogen.File) error {
	var queue []*protogen.Message
	var missing []protoreflect.Name
	for _, name := range fastDecoded {
		i := slices.IndexFunc(file.Messages, func(m *protogen.Message) bool { return m.Desc.Name() == name })
		if i < 0 {
			missing = append(missing, name)
			continue
		}
		queue = append(queue, file.Messages[i])
	}
	if len(missing) > 0 && len(queue) > 0 {
		return fmt.Errorf("fast-decoded records %v are not in %s", missing, file.Desc.Path())
	}
	for i := 0; i < len(queue); i++ { // queue grows as nested messages are met
		fields, err := decoderFields(file, queue[i], func(m *protogen.Message) {
			if !slices.Contains(queue, m) {
				queue = append(queue, m)
			}
		})
		if err != nil {
			return err
		}
		data := map[string]string{"Type": g.QualifiedGoIdent(queue[i].GoIdent)}
		data["Cases"] = joinParts(fields, func(f fieldDecoder) string { return f.decode }, "\n")
		data["Keep"] = joinParts(fields, func(f fieldDecoder) string { return f.keep }, "")
		data["Last"] = joinParts(fields, func(f fieldDecoder) string { return f.last }, ", ")
		if err := decoderTemplate.Execute(g, data); err != nil {
			return err
		}
	}
	return nil
}

// joinParts joins one part of the code of each field, of those that have it.
func joinParts(fields []fieldDecoder, part func(fieldDecoder) string, sep string) string {
	var out []string
	for _, f := range fields {
		if s := part(f); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// decoderFields returns the code of each field of m in field number
// order; nested hears of each message type met in a list.
func decoderFields(file *protogen.File, m *protogen.Message, nested func(*protogen.Message)) ([]fieldDecoder, error) {
	fields := slices.SortedFunc(slices.Values(m.Fields), func(a, b *protogen.Field) int {
		return cmp.Compare(a.Desc.Number(), b.Desc.Number())
	})
	var out []fieldDecoder
	strs := 0
	for _, f := range fields {
		c, err := decoderField(file, f, strs, nested)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", m.Desc.Name(), f.Desc.Name(), err)
		}
		if c.last != "" {
			strs++
		}
		out = append(out, c)
	}
	return out, nil
}

// decoderField returns the code of field f; a string field's value before
// decoding is last[lastIndex].
func decoderField(file *protogen.File, f *protogen.Field, lastIndex int, nested func(*protogen.Message)) (fieldDecoder, error) {
	d := f.Desc
	switch {
	case d.IsMap() || f.Oneof != nil:
		return fieldDecoder{}, errors.New("maps, oneofs and optional fields have no generated decoder: add it here or drop the record from fastDecoded")
	case d.Kind() == protoreflect.MessageKind && d.IsList():
		if f.Message.GoIdent.GoImportPath != file.GoImportPath {
			return fieldDecoder{}, errors.New("a message from another Go package can have no decoder here")
		}
		nested(f.Message)
		return fieldDecoder{
			decode: fmt.Sprintf("case %d:\nx.%s = appendMessage(r, x.%s)", d.Number(), f.GoName, f.GoName),
			keep:   fmt.Sprintf("%s: x.%s[:0],", f.GoName, f.GoName),
		}, nil
	case d.IsList() || d.HasPresence():
		return fieldDecoder{}, errors.New("repeated scalars and single messages have no generated decoder: add it here or drop the record from fastDecoded")
	}
	method, ok := readerMethods[d.Kind()]
	if !ok {
		return fieldDecoder{}, fmt.Errorf("%s fields have no reader method: add one or drop the record from fastDecoded", d.Kind())
	}
	if d.Kind() == protoreflect.StringKind {
		return fieldDecoder{
			decode: fmt.Sprintf("case %d:\nx.%s = r.%s(last[%d])", d.Number(), f.GoName, method, lastIndex),
			last:   "x." + f.GoName,
		}, nil
	}
	return fieldDecoder{decode: fmt.Sprintf("case %d:\nx.%s = r.%s()", d.Number(), f.GoName, method)}, nil
}
