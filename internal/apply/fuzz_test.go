package apply

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/plan"
)

// FuzzImport hands arbitrary bytes to --import (in a dry run, so the
// directory stays as it is): the planner may refuse the file, never panic.
func FuzzImport(f *testing.F) {
	dir := f.TempDir()
	if _, err := Run(f.Context(), fuzzPlan(), Options{Dir: dir, Now: testNow}); err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"lab.crt", "webbridge.csr", "lab.key", "plan.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
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
		o := Options{Dir: dir, Now: testNow, DryRun: true, Import: []string{path}}
		res, err := Run(t.Context(), fuzzPlan(), o)
		if err == nil && res == nil {
			t.Fatal("no result and no error")
		}
	})
}

// fuzzPlan is the test plan's public and self-signed certificates: no local
// CA, so no CA store (SQLite under coverage instrumentation is very slow).
func fuzzPlan() *plan.Plan {
	p := testPlan()
	var certs []*plan.Certificate
	for _, c := range p.Certificates {
		if !isLocal(c.Signer) {
			certs = append(certs, c)
		}
	}
	p.Certificates, p.Bundles, p.CAs = certs, nil, nil
	return p
}
