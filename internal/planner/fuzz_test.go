package planner

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport hands arbitrary bytes to --import (in a dry run, so the
// directory stays as it is): the planner may refuse the file, never panic.
func FuzzImport(f *testing.F) {
	e := newEnv(f)
	e.run(testPlan())
	for _, name := range []string{"cms1a.crt", "xmpptrust.crt", "webbridge.csr", "cms1a.key", "plan.json"} {
		data, err := os.ReadFile(e.path(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "returned.p7b")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		o := e.options(testNow)
		o.DryRun, o.Import = true, []string{path}
		res, err := Run(t.Context(), testPlan(), o)
		if err == nil && res == nil {
			t.Fatal("no result and no error")
		}
	})
}
