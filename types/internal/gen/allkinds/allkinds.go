// Package allkinds holds a schema of every field kind the encoder
// generator supports (allkinds.proto) and the encoders it generates for
// it, which the test compares with proto.Marshal.
package allkinds

//go:generate go run .. allkinds.pb.go zz_generated.go
