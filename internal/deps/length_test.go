package deps

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// maxLines bounds a function (or function literal) of the orchestration
// packages, so that each stays a step one reads at once.
const maxLines = 60

// TestShortOrchestration: no function of the capture engine or of the
// command is longer than maxLines lines (tests excepted).
func TestShortOrchestration(t *testing.T) {
	for _, dir := range []string{"../../collector", "../../cmd/net"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				checkLengths(t, f)
			}
		}
	}
}

func checkLengths(t *testing.T, path string) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(file, func(n ast.Node) bool {
		var body *ast.BlockStmt
		name := "function literal"
		switch f := n.(type) {
		case *ast.FuncDecl:
			body, name = f.Body, f.Name.Name
		case *ast.FuncLit:
			body = f.Body
		}
		if body != nil {
			start := fset.Position(n.Pos())
			if lines := fset.Position(body.Rbrace).Line - start.Line + 1; lines > maxLines {
				t.Errorf("%s:%d: %s is %d lines (at most %d)", path, start.Line, name, lines, maxLines)
			}
		}
		return true
	})
}
