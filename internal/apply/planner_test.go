package apply

import (
	"github.com/confcert/confcert/internal/dirlock"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/plan"
)

func TestRunCreatesEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := testPlan()
	res := e.run(p)
	for _, name := range []string{"podca", "dbca"} {
		if c := changed(res, name); c == nil || c.Action != ActionCACreated {
			t.Errorf("CA %s: change = %+v, want %q", name, c, ActionCACreated)
		}
	}
	want := map[string]string{
		"cms1a": plan.StatusSigned, "dbclient": plan.StatusSigned, "lab": plan.StatusSigned,
		"webbridge": plan.StatusAwaitingCA, "cms1a-wb3c2w": plan.StatusSigned,
	}
	for _, c := range p.Certificates {
		if w, ok := want[c.Name]; ok && c.Status != w {
			t.Errorf("%s: status %q, want %q", c.Name, c.Status, w)
		}
	}
	for _, f := range []string{"cms1a.key", "cms1a.csr", "cms1a.crt", "webbridge.key", "webbridge.csr",
		"podca-bundle.crt", "dbca.crt", "xmpptrust.crt", "cms1a-wb3c2w-fullchain.crt", "install/cms1a.txt", DocumentFile} {
		if _, err := os.Stat(e.path(f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	for _, f := range []string{"webbridge.crt", "webbridge-bundle.crt"} {
		if _, err := os.Stat(e.path(f)); err == nil {
			t.Errorf("%s written before the public CA signed it", f)
		}
	}
	keys, _ := filepath.Glob(e.path("*.key"))
	for _, k := range keys {
		if st, _ := os.Stat(k); st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", k, st.Mode().Perm())
		}
	}
}

func TestRerunChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	before := e.mtimes()
	res := e.run(testPlan())
	if !res.NothingToDo() {
		t.Fatalf("second run changed %+v", res.Changes)
	}
	after := e.mtimes()
	if len(after) != len(before) {
		t.Fatalf("second run added files: %d before, %d after", len(before), len(after))
	}
	for p, m := range before {
		if !after[p].Equal(m) {
			t.Errorf("%s was rewritten", p)
		}
	}
}

func TestChangedSANReissuesOnlyThatCertificate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	key, _ := os.ReadFile(e.path("cms1b.key"))
	before := e.mtimes()
	p := testPlan()
	p.Certificates[1].SANs = append(p.Certificates[1].SANs, "join2.pod2.cms.lab")
	res := e.run(p)
	c := changed(res, "cms1b")
	if c == nil || c.Action != ActionReissued || !strings.Contains(c.Why, "added join2.pod2.cms.lab") {
		t.Fatalf("cms1b change = %+v, want re-issued because a SAN was added", c)
	}
	for _, other := range []string{"cms1a", "dbserver", "dbclient", "lab"} {
		if changed(res, other) != nil {
			t.Errorf("%s re-issued though its content did not change", other)
		}
	}
	if k, _ := os.ReadFile(e.path("cms1b.key")); string(k) != string(key) {
		t.Error("cms1b.key was regenerated without --renew")
	}
	after := e.mtimes()
	if !after[e.path("cms1a.crt")].Equal(before[e.path("cms1a.crt")]) {
		t.Error("cms1a.crt was rewritten")
	}
	for _, f := range []string{"cms1b.crt", "cms1b.csr"} {
		if baks, _ := filepath.Glob(e.path(f + ".*.bak")); len(baks) != 1 {
			t.Errorf("%s: %d backups, want 1", f, len(baks))
		}
	}
	if xmpp, _ := os.ReadFile(e.path("xmpptrust.crt")); changed(res, "xmpptrust.crt") == nil || len(xmpp) == 0 {
		t.Error("xmpptrust.crt not rebuilt with the new cms1b certificate")
	}
}

func TestRenewMakesNewKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	old, _ := os.ReadFile(e.path("dbclient.key"))
	res := e.run(testPlan(), func(o *Options) { o.Renew = []string{"dbclient"} })
	if c := changed(res, "dbclient"); c == nil || c.Action != ActionRenewed {
		t.Fatalf("dbclient change = %+v, want renewed", c)
	}
	if now, _ := os.ReadFile(e.path("dbclient.key")); string(now) == string(old) {
		t.Fatal("dbclient.key unchanged after --renew")
	}
	baks, _ := filepath.Glob(e.path("dbclient.key.*.bak"))
	if len(baks) != 1 {
		t.Fatalf("key backups: %v", baks)
	}
	if st, _ := os.Stat(baks[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("key backup mode %v, want 0600", st.Mode().Perm())
	}
	if probs := e.check(testPlan(), testNow); len(probsExcept(probs, "webbridge")) != 0 {
		t.Errorf("check after renew: %+v", probs)
	}
}

func TestRenewUnknownNameRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := e.options(testNow)
	o.Renew = []string{"nosuch"}
	if _, err := Run(t.Context(), testPlan(), o); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("err = %v, want one naming nosuch", err)
	}
	if entries, _ := os.ReadDir(e.dir); len(entries) != 1 || entries[0].Name() != dirlock.FileName {
		t.Errorf("refused run wrote %d files, want only the lock file", len(entries))
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.run(testPlan(), func(o *Options) { o.DryRun = true })
	if c := changed(res, "cms1a"); c == nil || c.Action != ActionCreated {
		t.Errorf("dry run: cms1a change = %+v, want created", c)
	}
	if entries, _ := os.ReadDir(e.dir); len(entries) != 0 {
		t.Errorf("dry run wrote %d files", len(entries))
	}
}

// probsExcept drops the problems of the named certificates.
func probsExcept(probs []Problem, names ...string) []Problem {
	var out []Problem
	for _, p := range probs {
		skip := false
		for _, n := range names {
			skip = skip || p.Subject == n || strings.HasPrefix(p.Subject, n+"-") || strings.HasPrefix(p.Subject, n+".")
		}
		if !skip {
			out = append(out, p)
		}
	}
	return out
}

// TestBackupOfALinkFollowsNothing: a key that is a symbolic link to a file
// outside the output directory, replaced by --renew, is kept as a link to
// the same target; the target is neither read into the directory nor
// changed, and the new key is a regular file.
func TestBackupOfALinkFollowsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	outside := filepath.Join(t.TempDir(), "elsewhere.key")
	old, err := os.ReadFile(e.path("dbclient.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("dbclient.key")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, e.path("dbclient.key")); err != nil {
		t.Fatal(err)
	}
	e.run(testPlan(), func(o *Options) { o.Renew = []string{"dbclient"} })
	baks, _ := filepath.Glob(e.path("dbclient.key.*.bak"))
	if len(baks) != 1 {
		t.Fatalf("key backups: %v", baks)
	}
	if target, err := os.Readlink(baks[0]); err != nil || target != outside {
		t.Errorf("backup %s: link to %q (%v); want a link to %s", baks[0], target, err, outside)
	}
	if info, err := os.Lstat(e.path("dbclient.key")); err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o600 {
		t.Errorf("dbclient.key after --renew: %v, %v; want a regular file, mode 0600", info, err)
	}
	if now, _ := os.ReadFile(outside); string(now) != string(old) {
		t.Error("the link's target changed")
	}
	entries, _ := os.ReadDir(e.dir)
	for _, en := range entries {
		if !en.Type().IsRegular() {
			continue
		}
		if data, _ := os.ReadFile(e.path(en.Name())); string(data) == string(old) {
			t.Errorf("%s holds a copy of the key outside the directory", en.Name())
		}
	}
}
