package apply

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/plan"
)

// testNow is the fixed time of every test run.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// cert plans one ECDSA certificate (fast to make) with the usual files.
func cert(name, cn, signer string, sans []string, eku ...string) *plan.Certificate {
	return &plan.Certificate{
		Name: name, CN: cn, SANs: sans, KeyType: "ecdsa-p256",
		KeyUsage: []string{"digitalSignature"}, ExtKeyUsage: eku, Signer: signer, Days: 730,
		Files:  plan.Files{Key: name + ".key", CSR: name + ".csr", Cert: name + ".crt"},
		UsedBy: []plan.Use{{Node: "cms1a", Service: "callbridge"}},
	}
}

// testPlan is a small Meeting Server plan: combined node certificates from
// the internal CA, a database pair from its own CA, a public Web Bridge, a
// Web Bridge 3 C2W certificate with its full chain, and a self-signed one.
func testPlan() *plan.Plan {
	wb3 := cert("cms1a-wb3c2w", "wb3.pod2.cms.lab", "podca", []string{"wb3.pod2.cms.lab"}, "serverAuth")
	wb3.Files.FullChain = "cms1a-wb3c2w-fullchain.crt"
	return &plan.Plan{
		Product: "cms",
		Certificates: []*plan.Certificate{
			cert("cms1a", "cms1.pod2.cms.lab", "podca", []string{"cms1a.pod2.cms.lab", "pod2.cms.lab", "cms1.pod2.cms.lab"}, "serverAuth", "clientAuth"),
			cert("cms1b", "cms1.pod2.cms.lab", "podca", []string{"cms1b.pod2.cms.lab", "pod2.cms.lab", "cms1.pod2.cms.lab"}, "serverAuth", "clientAuth"),
			cert("dbserver", "cms1a.pod2.cms.lab", "dbca", []string{"cms1b.pod2.cms.lab", "cms1a.pod2.cms.lab"}, "serverAuth", "clientAuth"),
			cert("dbclient", "postgres", "dbca", nil, "clientAuth"),
			cert("webbridge", "join.pod2.cms.lab", plan.SignerPublic, []string{"join.pod2.cms.lab"}, "serverAuth"),
			cert("lab", "lab.pod2.cms.lab", plan.SignerSelf, []string{"lab.pod2.cms.lab", "10.0.0.5"}, "serverAuth"),
			wb3,
		},
		Bundles: []plan.Bundle{
			{Name: "podca-bundle", File: "podca-bundle.crt", Layout: "cms", CA: "podca"},
			{Name: "dbca", File: "dbca.crt", Layout: "cms", CA: "dbca"},
			{Name: "xmpp-trust", File: "xmpptrust.crt", Layout: "trust", Members: []string{"cms1a", "cms1b"}},
			{Name: "webbridge-bundle", File: "webbridge-bundle.crt", Layout: "cms", Members: []string{"webbridge"}},
		},
		Install: []plan.Install{{
			Node: "cms1a", File: "install/cms1a.txt",
			Uploads:  []string{"cms1a.key", "cms1a.crt", "podca-bundle.crt"},
			Commands: []string{"callbridge certs cms1a.key cms1a.crt podca-bundle.crt", "callbridge restart"},
		}},
		CAs: []plan.CA{{Name: "podca", KeyType: "ecdsa-p256", Purpose: "internal"}, {Name: "dbca", KeyType: "ecdsa-p256", Purpose: "database cluster"}},
	}
}

// env is a test's CA store and output directory.
type env struct {
	t     testing.TB
	dir   string
	store castore.Store
	now   time.Time
}

func newEnv(t testing.TB) *env {
	t.Helper()
	store, err := castore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &env{t: t, dir: t.TempDir(), store: store, now: testNow}
}

func (e *env) options(now time.Time) Options {
	return Options{Dir: e.dir, CAs: StoreCAs(e.store, now), Now: now}
}

// run carries out p and fails the test on error.
func (e *env) run(p *plan.Plan, edit ...func(*Options)) *Result {
	e.t.Helper()
	o := e.options(e.now)
	for _, f := range edit {
		f(&o)
	}
	res, err := Run(context.Background(), p, o)
	if err != nil {
		e.t.Fatalf("Run: %v", err)
	}
	return res
}

// check runs --check and returns the problems.
func (e *env) check(p *plan.Plan, now time.Time) []Problem {
	e.t.Helper()
	rep, err := Check(context.Background(), p, e.options(now), DefaultWithin)
	if err != nil {
		e.t.Fatalf("Check: %v", err)
	}
	return rep.Problems
}

func (e *env) path(name string) string { return filepath.Join(e.dir, name) }

// mtimes records the modification time of every file in the directory.
func (e *env) mtimes() map[string]time.Time {
	e.t.Helper()
	out := map[string]time.Time{}
	filepath.Walk(e.dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out[p] = info.ModTime()
		}
		return nil
	})
	return out
}

func changed(res *Result, name string) *Change {
	for i, c := range res.Changes {
		if c.Name == name {
			return &res.Changes[i]
		}
	}
	return nil
}
