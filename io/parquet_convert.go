package io

import (
	"errors"
	"fmt"
	goio "io"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// ConvertToParquet writes every record of the record file src to the
// Parquet file dst (see NewParquetWriter) and returns how many. A
// truncated source gives the records before the cut and ErrTruncated.
func ConvertToParquet(src, dst string) (int64, error) {
	r, err := Open(src)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	f, err := CreateNew(dst, 0o644)
	if err != nil {
		return 0, err
	}
	m := r.NewRecord()
	w, err := NewParquetWriter(f, m.ProtoReflect().Descriptor(), nil)
	if err != nil {
		f.Close()
		return 0, err
	}
	var n int64
	var readErr error
	for {
		proto.Reset(m)
		err := r.Next(m)
		if errors.Is(err, goio.EOF) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if err := w.Write(m); err != nil {
			f.Close()
			return n, err
		}
		n++
	}
	if err := w.Close(); err != nil {
		f.Close()
		return n, err
	}
	if err := f.Close(); err != nil {
		return n, err
	}
	return n, readErr
}

// RecordFromParquetRow fills m from a row ReadParquetRows returned for a
// file of m's type: the way back from Parquet to records.
func RecordFromParquetRow(m proto.Message, row map[string]any) error {
	return fillRecordFromRow(m.ProtoReflect(), row)
}

func fillRecordFromRow(m protoreflect.Message, row map[string]any) error {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		v, ok := row[string(fd.Name())]
		if !ok || v == nil {
			continue
		}
		switch {
		case fd.IsMap():
			items, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: want a map, got %T", fd.Name(), v)
			}
			mp := m.Mutable(fd).Map()
			for k, iv := range items {
				key, err := mapKey(fd.MapKey(), k)
				if err != nil {
					return fmt.Errorf("%s: %w", fd.Name(), err)
				}
				if iv == nil {
					if fd.MapValue().Kind() == protoreflect.MessageKind {
						mp.Set(key, protoreflect.ValueOfMessage(mp.NewValue().Message()))
					}
					continue
				}
				val, err := rowValue(mp.NewValue, fd.MapValue(), iv)
				if err != nil {
					return fmt.Errorf("%s[%s]: %w", fd.Name(), k, err)
				}
				mp.Set(key, val)
			}
		case fd.IsList():
			items, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: want a list, got %T", fd.Name(), v)
			}
			list := m.Mutable(fd).List()
			for _, iv := range items {
				val, err := rowValue(list.NewElement, fd, iv)
				if err != nil {
					return fmt.Errorf("%s: %w", fd.Name(), err)
				}
				list.Append(val)
			}
		default:
			val, err := rowValue(func() protoreflect.Value { return m.NewField(fd) }, fd, v)
			if err != nil {
				return fmt.Errorf("%s: %w", fd.Name(), err)
			}
			m.Set(fd, val)
		}
	}
	return nil
}

func rowValue(newValue func() protoreflect.Value, fd protoreflect.FieldDescriptor, v any) (protoreflect.Value, error) {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		nv := newValue()
		switch x := v.(type) {
		case map[string]any:
			return nv, fillRecordFromRow(nv.Message(), x)
		case string: // past the nesting depth: JSON
			return nv, protojson.Unmarshal([]byte(x), nv.Message().Interface())
		}
		return nv, fmt.Errorf("want a struct, got %T", v)
	}
	return scalar(fd, v)
}

func scalar(fd protoreflect.FieldDescriptor, v any) (protoreflect.Value, error) {
	bad := func() (protoreflect.Value, error) {
		return protoreflect.Value{}, fmt.Errorf("%s column holds %T", fd.Kind(), v)
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if b, ok := v.(bool); ok {
			return protoreflect.ValueOfBool(b), nil
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if n, ok := asInt(v); ok {
			return protoreflect.ValueOfInt32(int32(n)), nil
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if n, ok := asInt(v); ok {
			return protoreflect.ValueOfInt64(n), nil
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if n, ok := asUint(v); ok {
			return protoreflect.ValueOfUint32(uint32(n)), nil
		}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if n, ok := asUint(v); ok {
			return protoreflect.ValueOfUint64(n), nil
		}
	case protoreflect.FloatKind:
		switch x := v.(type) {
		case float32:
			return protoreflect.ValueOfFloat32(x), nil
		case float64:
			return protoreflect.ValueOfFloat32(float32(x)), nil
		}
	case protoreflect.DoubleKind:
		switch x := v.(type) {
		case float64:
			return protoreflect.ValueOfFloat64(x), nil
		case float32:
			return protoreflect.ValueOfFloat64(float64(x)), nil
		}
	case protoreflect.StringKind:
		switch x := v.(type) {
		case string:
			return protoreflect.ValueOfString(x), nil
		case []byte:
			return protoreflect.ValueOfString(string(x)), nil
		}
	case protoreflect.BytesKind:
		switch x := v.(type) {
		case []byte:
			return protoreflect.ValueOfBytes(x), nil
		case string:
			return protoreflect.ValueOfBytes([]byte(x)), nil
		}
	case protoreflect.EnumKind:
		if s, ok := v.(string); ok {
			if ev := fd.Enum().Values().ByName(protoreflect.Name(s)); ev != nil {
				return protoreflect.ValueOfEnum(ev.Number()), nil
			}
			if n, err := strconv.ParseInt(s, 10, 32); err == nil {
				return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), nil
			}
		}
		if n, ok := asInt(v); ok {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), nil
		}
	}
	return bad()
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}

func asUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case int32:
		return uint64(uint32(x)), true
	case int64:
		return uint64(x), true
	}
	return 0, false
}

func mapKey(fd protoreflect.FieldDescriptor, k string) (protoreflect.MapKey, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(k).MapKey(), nil
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(k)
		return protoreflect.ValueOfBool(b).MapKey(), err
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := strconv.ParseInt(k, 10, 32)
		return protoreflect.ValueOfInt32(int32(n)).MapKey(), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(k, 10, 64)
		return protoreflect.ValueOfInt64(n).MapKey(), err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := strconv.ParseUint(k, 10, 32)
		return protoreflect.ValueOfUint32(uint32(n)).MapKey(), err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := strconv.ParseUint(k, 10, 64)
		return protoreflect.ValueOfUint64(n).MapKey(), err
	}
	return protoreflect.MapKey{}, fmt.Errorf("map key kind %s", fd.Kind())
}
