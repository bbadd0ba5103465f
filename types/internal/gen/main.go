// Command gen writes the code that package types repeats for each message
// type into zz_generated.go: the wire encoder (AppendProto) of every
// message, the wire decoders (UnmarshalProto) of the records written for
// nearly every packet, and the SetCommunityID setters.
//
// It reads the schema from the descriptor protoc-gen-go compiled into
// netcap.pb.go rather than from package types, so it still runs when a
// schema change has left zz_generated.go behind and package types no
// longer compiles. go generate ./types/ runs it (make proto does after
// protoc); given two arguments, it reads the first file and writes the
// second, as for the test schema in allkinds/.
package main

import (
	"log"
	"os"
)

// By default the generator runs in types/, where go generate starts it.
var (
	pbFile  = "netcap.pb.go"    // protoc-gen-go's output, holding the schema
	outFile = "zz_generated.go" // what this writes
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	switch len(os.Args) {
	case 1:
	case 3:
		pbFile, outFile = os.Args[1], os.Args[2]
	default:
		log.Fatal("usage: gen [PB_FILE OUT_FILE]")
	}
	src, err := generateFrom(pbFile)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(outFile, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// generateFrom returns the generated code for the schema compiled into the
// protoc-gen-go output at path.
func generateFrom(path string) ([]byte, error) {
	raw, err := rawDescriptor(path)
	if err != nil {
		return nil, err
	}
	gen, file, err := loadSchema(raw)
	if err != nil {
		return nil, err
	}
	return generate(gen, file)
}
