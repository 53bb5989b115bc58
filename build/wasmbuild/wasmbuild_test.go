package wasmbuild

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPurePackages: what the build vouches for as compiled Go
// (jumps.Options.Pure) is this module's packages the shim links, all
// under plugin/ and without assembly.
func TestPurePackages(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	pure, err := purePackages(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"plugin/ops", "plugin/reservation", "plugin/internal/jsonx", "plugin/money", "plugin/abi"} {
		if !slices.Contains(pure, ModulePath+"/"+want) {
			t.Errorf("%s is not among %v", want, pure)
		}
	}
	for _, p := range pure {
		if !strings.HasPrefix(p, ModulePath+"/plugin/") {
			t.Errorf("%s is vouched for", p)
		}
	}
}

// TestPureOf: a package whose functions' names another linked package's
// could be taken for is not vouched for: the name section spells /, -
// and _ alike, and a dot in a path's last element as _2e.
func TestPureOf(t *testing.T) {
	mine := []string{"ex.com/m/a", "ex.com/m/b", "ex.com/m/c", "ex.com/m/d", "ex.com/m/e"}
	all := append(slices.Clone(mine),
		"ex.com/m/a_x",    // ex.com_m_a_x: a different name, no clash
		"ex.com/m-b",      // ex.com_m_b: the same as ex.com/m/b
		"ex.com/m/c.v2/y", // ex.com_m_c.v2_y.F starts with ex.com_m_c.
		"ex.com/m/d.v2",   // ex.com_m_d_2ev2: no clash
		"runtime", "strconv")
	got := pureOf(mine, all)
	if want := []string{"ex.com/m/a", "ex.com/m/d", "ex.com/m/e"}; !slices.Equal(got, want) {
		t.Errorf("pureOf = %v, want %v", got, want)
	}
}
