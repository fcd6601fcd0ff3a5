package caserver_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/cli"
)

// TestCLISpeaksTheAPI runs `confcert ca submit|requests|approve` against the
// running service, as a script would.
func TestCLISpeaksTheAPI(t *testing.T) {
	e := start(t, t.TempDir(), "")
	for _, who := range []string{"alice", "bob"} {
		e.write(who+".token", []byte(e.tokens[who]+"\n"))
	}
	e.write("cb.csr", []byte(makeCSR(t, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}})))
	e.write("db.csr", []byte(makeCSR(t, csrSpec{cn: "notpostgres"})))
	run := func(who string, args ...string) (int, string, string) {
		t.Setenv("CONFCERT_TOKEN_FILE", filepath.Join(e.dir, who+".token"))
		t.Setenv("CONFCERT_SERVER", e.base)
		t.Setenv("CONFCERT_SERVER_CA", e.caFile)
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--dir", e.dir}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, stderr := run("alice", "ca", "submit", "db.csr", "--profile", "cms-dbclient")
	if code != 1 || !strings.Contains(stderr, "DB-CLIENT-CN  FAILURE: Client certificate common name incorrect") {
		t.Fatalf("refused CSR: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = run("alice", "ca", "submit", "cb.csr", "--profile", "cms-callbridge", "--days", "60")
	fields := strings.Fields(out)
	if code != 0 || len(fields) != 2 || fields[1] != "pending" {
		t.Fatalf("submit: exit %d\n%s%s", code, out, stderr)
	}
	id := fields[0]
	if code, out, stderr := run("bob", "ca", "requests", "--status", "pending"); code != 0 || !strings.Contains(out, id) {
		t.Fatalf("requests: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := run("alice", "ca", "approve", id); code != 2 || !strings.Contains(stderr, "403") {
		t.Errorf("a requester approving: exit %d %s", code, stderr)
	}
	code, out, stderr = run("bob", "ca", "approve", id, "--reason", "ticket 7")
	if code != 0 || !strings.Contains(out, id+" issued ") {
		t.Fatalf("approve: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := run("bob", "ca", "requests", "--server", "ftp://x"); code != 2 || !strings.Contains(stderr, "want https://") {
		t.Errorf("bad --server: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "cb.crt")); err == nil {
		t.Error("a pending request wrote a certificate")
	}
}
