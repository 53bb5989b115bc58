package jsonx

import (
	"go/ast"
	"go/build"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"
)

// TestLitOnlyFromConstants type-checks the core's packages and holds every
// value of type Lit to what KeyLit relies on: a constant (an explicit
// conversion of anything else is refused) of printable ASCII without '"'
// or '\\'. A key that broke this would be written unescaped.
func TestLitOnlyFromConstants(t *testing.T) {
	dirs := []string{"../../ops", "../../reservation", "../../wasm", "."}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	checked := 0
	for _, dir := range dirs {
		ctx := build.Default
		if strings.HasSuffix(dir, "wasm") {
			ctx.GOOS, ctx.GOARCH = "wasip1", "wasm" // the shim as the module builds it
		}
		pkg, err := ctx.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, n := range pkg.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(dir, fset, files, info); err != nil {
			t.Fatalf("type-checking %s: %v", dir, err)
		}
		for expr, tv := range info.Types {
			named, ok := tv.Type.(*types.Named)
			if !ok || named.Obj().Name() != "Lit" || named.Obj().Pkg() == nil || !strings.HasSuffix(named.Obj().Pkg().Path(), "internal/jsonx") {
				continue
			}
			pos := fset.Position(expr.Pos())
			if tv.Value == nil {
				// Not a constant: a parameter or variable of type Lit is
				// fine (its values are checked where they are made), a
				// conversion is not.
				if call, ok := expr.(*ast.CallExpr); ok && len(call.Args) == 1 && info.Types[call.Fun].IsType() {
					t.Errorf("%s: a Lit converted from a value that is not a constant", pos)
				}
				continue
			}
			checked++
			s := constant.StringVal(tv.Value)
			for i := 0; i < len(s); i++ {
				if !strPlain[s[i]] {
					t.Errorf("%s: key %q needs escaping: use Key", pos, s)
					break
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d constant keys seen: is the check looking at the right packages?", checked)
	}
}
