package apply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/openssltest"
)

// TestOpenSSLAcceptsEverything checks every certificate with openssl, a
// second implementation: chain to the right CA, names, usages, key match.
func TestOpenSSLAcceptsEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	tests := []struct {
		name, ca, sans, eku string
	}{
		{"cms1a", "podca-bundle.crt", "DNS:cms1a.pod2.cms.lab, DNS:pod2.cms.lab, DNS:cms1.pod2.cms.lab", "TLS Web Server Authentication, TLS Web Client Authentication"},
		{"cms1b", "podca-bundle.crt", "DNS:cms1b.pod2.cms.lab", "TLS Web Server Authentication, TLS Web Client Authentication"},
		{"dbserver", "dbca.crt", "DNS:cms1b.pod2.cms.lab, DNS:cms1a.pod2.cms.lab", "TLS Web Server Authentication, TLS Web Client Authentication"},
		{"dbclient", "dbca.crt", "", "TLS Web Client Authentication"},
		{"cms1a-wb3c2w", "podca-bundle.crt", "DNS:wb3.pod2.cms.lab", "TLS Web Server Authentication"},
		{"lab", "lab.crt", "DNS:lab.pod2.cms.lab, IP Address:10.0.0.5", "TLS Web Server Authentication"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crt := tt.name + ".crt"
			if out := openssltest.Run(t, e.dir, "verify", "-CAfile", tt.ca, crt); !strings.Contains(out, "OK") {
				t.Errorf("verify: %s", out)
			}
			ext := openssltest.Run(t, e.dir, "x509", "-noout", "-ext", "subjectAltName,extendedKeyUsage", "-in", crt)
			if !strings.Contains(ext, tt.sans) || !strings.Contains(ext, tt.eku) {
				t.Errorf("extensions\n%s\nwant SANs %q and EKU %q", ext, tt.sans, tt.eku)
			}
			keyPub := openssltest.Run(t, e.dir, "pkey", "-pubout", "-in", tt.name+".key")
			certPub := openssltest.Run(t, e.dir, "x509", "-pubkey", "-noout", "-in", crt)
			if keyPub != certPub {
				t.Error("openssl: key and certificate do not match")
			}
		})
	}
	subj := openssltest.Run(t, e.dir, "x509", "-noout", "-subject", "-in", "dbclient.crt")
	if !strings.Contains(subj, "CN = postgres") {
		t.Errorf("dbclient subject %q, want CN = postgres", subj)
	}
	pod, _ := os.ReadFile(e.path("podca-bundle.crt"))
	db, _ := os.ReadFile(e.path("dbca.crt"))
	if string(pod) == string(db) {
		t.Error("the database CA is the internal CA")
	}
	a, _ := os.ReadFile(e.path("cms1a.crt"))
	b, _ := os.ReadFile(e.path("cms1b.crt"))
	if trust, _ := os.ReadFile(e.path("xmpptrust.crt")); string(trust) != string(a)+string(b) {
		t.Error("xmpptrust.crt is not cms1a.crt then cms1b.crt")
	}
	leaf, _ := os.ReadFile(e.path("cms1a-wb3c2w.crt"))
	full, _ := os.ReadFile(e.path("cms1a-wb3c2w-fullchain.crt"))
	if string(full) != string(leaf)+string(pod) {
		t.Error("full chain is not the leaf then the CA")
	}
}

// TestImportRoundTrip: a test CA made with openssl outside confcert signs the
// public CSR; the chain comes back as a shuffled .p7b with a stray
// certificate beside it; import places it and --check is clean.
func TestImportRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.now = time.Now() // openssl signs as of now
	e.run(testPlan())
	ca := t.TempDir()
	makeOpenSSLCA(t, ca)
	csr := e.path("webbridge.csr")
	openssltest.Run(t, ca, "x509", "-req", "-in", csr, "-CA", "inter.crt", "-CAkey", "inter.key", "-CAcreateserial",
		"-days", "365", "-copy_extensions", "copyall", "-extfile", "leaf.ext", "-extensions", "leaf", "-out", "leaf.crt")
	returned := t.TempDir()
	openssltest.Run(t, ca, "crl2pkcs7", "-nocrl", "-certfile", "root.crt", "-certfile", "leaf.crt",
		"-certfile", "inter.crt", "-out", filepath.Join(returned, "webbridge.p7b"))
	openssltest.Run(t, ca, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "stray.key", "-subj", "/CN=stray.example.com", "-addext", "basicConstraints=CA:FALSE", "-days", "30", "-out", filepath.Join(returned, "stray.pem"))

	e.now = time.Now()
	res := e.run(testPlan(), func(o *Options) { o.Import = []string{returned} })
	if c := changed(res, "webbridge"); c == nil || c.Action != ActionImported {
		t.Fatalf("webbridge change = %+v, want imported", c)
	}
	if len(res.Unmatched) != 1 || !strings.Contains(res.Unmatched[0], "stray.example.com") {
		t.Errorf("unmatched = %v, want the stray certificate", res.Unmatched)
	}
	if _, err := os.Stat(e.path("stray.crt")); err == nil {
		t.Error("the stray certificate was written")
	}
	if probs := e.check(testPlan(), e.now); len(probs) != 0 {
		t.Fatalf("check after import: %+v", probs)
	}
	out := openssltest.Run(t, e.dir, "verify", "-CAfile", filepath.Join(ca, "root.crt"), "-untrusted", "webbridge-bundle.crt", "webbridge.crt")
	if !strings.Contains(out, "OK") {
		t.Errorf("openssl verify with the bundle: %s", out)
	}
	inter, _ := os.ReadFile(filepath.Join(ca, "inter.crt"))
	root, _ := os.ReadFile(filepath.Join(ca, "root.crt"))
	if bundle, _ := os.ReadFile(e.path("webbridge-bundle.crt")); string(bundle) != string(inter)+string(root) {
		t.Errorf("webbridge-bundle.crt is not intermediate then root (layout cms):\n%s", bundle)
	}
	if res := e.run(testPlan()); !res.NothingToDo() {
		t.Errorf("run after import changed %+v", res.Changes)
	}
}

// makeOpenSSLCA makes a root and an intermediate CA with openssl in dir.
func makeOpenSSLCA(t *testing.T, dir string) {
	ext := "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" +
		"[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
	for _, f := range []string{"ca.ext", "leaf.ext"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(ext), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	openssltest.Run(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "root.key", "-subj", "/CN=Test Public Root", "-days", "3650", "-out", "root.crt")
	openssltest.Run(t, dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "inter.key", "-subj", "/CN=Test Public Issuing CA", "-out", "inter.csr")
	openssltest.Run(t, dir, "x509", "-req", "-in", "inter.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial",
		"-days", "1825", "-extfile", "ca.ext", "-extensions", "ca", "-out", "inter.crt")
}

func TestCheckFindsProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		breakf func(e *env)
		now    time.Time
		want   string
	}{
		{"key swapped", func(e *env) { copyFile(t, e.path("cms1b.key"), e.path("cms1a.key")) }, testNow, "do not match"},
		{"expiring", func(*env) {}, testNow.AddDate(0, 0, 715), "expires on"},
		{"expired", func(*env) {}, testNow.AddDate(3, 0, 0), "expired on"},
		{"bundle missing", func(e *env) { os.Remove(e.path("xmpptrust.crt")) }, testNow, "xmpptrust.crt is missing"},
		{"bundle stale", func(e *env) { copyFile(t, e.path("cms1a.crt"), e.path("xmpptrust.crt")) }, testNow, "does not hold what the plan says"},
		{"names changed", func(e *env) {
			copyFile(t, e.path("cms1b.crt"), e.path("cms1a.crt"))
			copyFile(t, e.path("cms1b.key"), e.path("cms1a.key"))
		}, testNow, "SANs changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.run(testPlan())
			tt.breakf(e)
			probs := probsExcept(e.check(testPlan(), tt.now), "webbridge")
			if !hasProblem(probs, tt.want) {
				t.Fatalf("problems %+v, want one saying %q", probs, tt.want)
			}
		})
	}
}

// TestInterruptedRunCompletes leaves the directory as a kill at each step of
// a certificate would, and checks the next run completes the job.
func TestInterruptedRunCompletes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		breakf func(e *env)
	}{
		{"after the key", func(e *env) { os.Remove(e.path("cms1a.csr")); os.Remove(e.path("cms1a.crt")) }},
		{"after the CSR", func(e *env) { os.Remove(e.path("cms1a.crt")) }},
		{"during a renewal", func(e *env) { copyFile(t, e.path("cms1b.key"), e.path("cms1a.key")) }},
		{"key lost", func(e *env) { os.Remove(e.path("dbclient.key")) }},
		{"before the bundles", func(e *env) { os.Remove(e.path("podca-bundle.crt")); os.Remove(e.path(DocumentFile)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.run(testPlan())
			tt.breakf(e)
			if res := e.run(testPlan()); res.NothingToDo() {
				t.Fatal("rerun did nothing")
			}
			if probs := probsExcept(e.check(testPlan(), testNow), "webbridge"); len(probs) != 0 {
				t.Fatalf("check after rerun: %+v", probs)
			}
		})
	}
}

func hasProblem(probs []Problem, s string) bool {
	for _, p := range probs {
		if strings.Contains(p.Problem, s) {
			return true
		}
	}
	return false
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
