package castore

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testKEK(t *testing.T) *KEK {
	t.Helper()
	k, err := NewKEK(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forEachService runs test once per backend with a KEK set.
func forEachService(t *testing.T, test func(t *testing.T, s Service, dir string)) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		st := s.(*sqlStore)
		st.kek = testKEK(t)
		test(t, st, dir)
	})
}

func TestSealedKeyNeverAFile(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "sealed")
		if _, err := os.Stat(filepath.Join(dir, "sealed.key")); err == nil {
			t.Error("a sealed CA key was written as a file")
		}
		key, err := s.CAKey(ctx, "sealed")
		if err != nil || string(key) != "KEY OF sealed\n" {
			t.Fatalf("CAKey = %q, %v", key, err)
		}
		var sealed string
		if err := s.(*sqlStore).db.QueryRow(`SELECT sealed FROM ca_keys WHERE ca_name = 'sealed'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains([]byte(sealed), []byte("KEY OF")) {
			t.Error("the key is stored in clear")
		}
		other, _ := NewKEK(bytes.Repeat([]byte{8}, 32))
		s.(*sqlStore).kek = other
		if _, err := s.CAKey(ctx, "sealed"); !errors.Is(err, ErrWrongKEK) {
			t.Errorf("CAKey with another KEK = %v, want ErrWrongKEK", err)
		}
	})
}

func TestImportKeyFiles(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "filed") // no KEK yet: a key file
		st := s.(*sqlStore)
		st.kek = testKEK(t)
		got, err := st.ImportKeyFiles(ctx, t0)
		if err != nil || len(got) != 1 || got[0] != filepath.Join(dir, "filed.key") {
			t.Fatalf("ImportKeyFiles = %v, %v", got, err)
		}
		if again, err := st.ImportKeyFiles(ctx, t0); err != nil || len(again) != 0 {
			t.Errorf("second import = %v, %v; want nothing", again, err)
		}
		if err := os.Remove(filepath.Join(dir, "filed.key")); err != nil {
			t.Fatal(err)
		}
		if key, err := st.CAKey(ctx, "filed"); err != nil || string(key) != "KEY OF filed\n" {
			t.Errorf("CAKey after import without the file = %q, %v", key, err)
		}
	})
}

func TestLoadKEKCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "kek")
	k1, created, err := LoadKEK(path)
	if err != nil || !created || k1 == nil {
		t.Fatalf("LoadKEK = %v, %v, %v", k1, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("KEK file %v, %v", fi, err)
	}
	sealed, err := k1.seal("x", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	k2, created, err := LoadKEK(path)
	if err != nil || created {
		t.Fatalf("second LoadKEK created=%v err=%v", created, err)
	}
	if out, err := k2.open("x", sealed); err != nil || string(out) != "secret" {
		t.Errorf("open with the reloaded KEK = %q, %v", out, err)
	}
	if _, err := k2.open("y", sealed); !errors.Is(err, ErrWrongKEK) {
		t.Errorf("a key sealed for CA x opened as CA y: %v", err)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadKEK(path); err == nil {
		t.Error("a 5-byte KEK was accepted")
	}
}

func TestTokens(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, _ string) {
		ctx := context.Background()
		tok := Token{Name: "alice", Hash: "ab12", Role: "approver", CreatedAt: t0}
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateToken(ctx, Token{Name: "alice", Hash: "cd34", Role: "auditor", CreatedAt: t0}); !errors.Is(err, ErrExists) {
			t.Errorf("second token named alice: %v", err)
		}
		got, err := s.TokenByHash(ctx, "ab12")
		if err != nil || got.Name != "alice" || got.Role != "approver" || !got.RevokedAt.IsZero() {
			t.Fatalf("TokenByHash = %+v, %v", got, err)
		}
		if err := s.RevokeToken(ctx, "alice", t0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.TokenByHash(ctx, "ab12"); got.RevokedAt.IsZero() {
			t.Error("revoked token not marked revoked")
		}
		if err := s.RevokeToken(ctx, "bob", t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoking an unknown token: %v", err)
		}
	})
}

func TestRequestLifecycle(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, _ string) {
		ctx := context.Background()
		mustCreateCA(t, s, "reqca")
		r := Request{ID: "r1", Profile: "cms-callbridge", CA: "reqca", Status: "pending", CSRPEM: "PEM", SubjectCN: "cb.example.com",
			SANs: []string{"cb.example.com"}, Days: 30, Findings: "[]", RequestedBy: "req", RequestedAt: t0}
		if err := s.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
		d := Decision{Status: "approved", By: "boss", At: t0}
		if err := s.DecideRequest(ctx, "r1", "pending", d); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideRequest(ctx, "r1", "pending", d); !errors.Is(err, ErrConflict) {
			t.Errorf("second approval: %v, want ErrConflict", err)
		}
		cert := testCert(t, "cb.example.com", 77, t0.AddDate(1, 0, 0))
		if err := s.ReserveSerial(ctx, "reqca", cert.SerialNumber, t0); err != nil {
			t.Fatal(err)
		}
		audit := AuditEntry{ID: "a1", At: t0, Actor: "boss", Action: "issue", Object: "certificate 4D"}
		if err := s.RecordIssuance(ctx, Issuance{CA: "reqca", Cert: cert, At: t0, RequestID: "r1", Audit: []AuditEntry{audit}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Request(ctx, "r1")
		if err != nil || got.Status != "issued" || got.Serial != "4D" || got.DecidedBy != "boss" {
			t.Fatalf("request after issue = %+v, %v", got, err)
		}
		if log, _ := s.Audit(ctx, 0); len(log) != 1 || log[0].Action != "issue" {
			t.Errorf("audit entries written with the issuance: %+v", log)
		}
		if err := s.RecordIssuance(ctx, Issuance{CA: "reqca", Cert: cert, At: t0, RequestID: "r1"}); !errors.Is(err, ErrNotReserved) {
			t.Errorf("recording the same certificate twice: %v", err)
		}
		recs, err := s.Certificates(ctx, CertFilter{RequestedBy: "req"})
		if err != nil || len(recs) != 1 || recs[0].RequestID != "r1" {
			t.Fatalf("Certificates(requested by req) = %+v, %v", recs, err)
		}
		if recs, _ := s.Certificates(ctx, CertFilter{RequestedBy: "other"}); len(recs) != 0 {
			t.Errorf("another requester sees %d certificates", len(recs))
		}
		if err := s.RevokeReason(ctx, "reqca", big.NewInt(77), t0, 1); err != nil {
			t.Fatal(err)
		}
		rev, err := s.Revoked(ctx, "reqca")
		if err != nil || len(rev) != 1 || rev[0].Reason != 1 || rev[0].RevokedAt.IsZero() {
			t.Errorf("Revoked = %+v, %v", rev, err)
		}
	})
}

func TestCRLNumberNeverStepsBack(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, _ string) {
		ctx := context.Background()
		mustCreateCA(t, s, "crlca")
		for _, n := range []int64{2, 5, 3} {
			if err := s.SaveCRL(ctx, CRL{CA: "crlca", Number: big.NewInt(n), ThisUpdate: t0, DER: []byte{byte(n)}}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LatestCRL(ctx, "crlca")
		if err != nil || got.Number.Int64() != 5 || !bytes.Equal(got.DER, []byte{5}) {
			t.Errorf("LatestCRL = %+v, %v; want number 5", got, err)
		}
	})
}

func TestAuditKeepsOrder(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, _ string) {
		ctx := context.Background()
		for i, action := range []string{"submit", "approve", "revoke"} {
			e := AuditEntry{ID: action, At: t0.Add(time.Duration(i) * time.Microsecond), Actor: "a", Action: action, Remote: "127.0.0.1"}
			if err := s.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Audit(ctx, 0)
		if err != nil || len(got) != 3 || got[0].Action != "submit" || got[2].Action != "revoke" {
			t.Errorf("Audit = %+v, %v", got, err)
		}
	})
}

// TestAuditRefusesEdits: the database itself refuses to change or delete an
// audit entry (migration 5), on both backends; adding goes on working.
func TestAuditRefusesEdits(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, _ string) {
		ctx := context.Background()
		e := AuditEntry{ID: "approve-1", At: t0, Actor: "bob", Action: "approve", Object: "r1", Remote: "127.0.0.1"}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		db := s.(*sqlStore).db
		edits := []string{`UPDATE audit SET actor = 'mallory'`, `DELETE FROM audit`}
		if strings.Contains(t.Name(), "postgres") {
			edits = append(edits, `TRUNCATE audit`)
		}
		for _, stmt := range edits {
			_, err := db.ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want a refusal saying the log is append-only", stmt, err)
			}
		}
		e.ID, e.Action = "revoke-1", "revoke"
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Audit(ctx, 0)
		if err != nil || len(got) != 2 || got[0].Actor != "bob" {
			t.Errorf("Audit = %+v, %v: want both entries, unchanged", got, err)
		}
	})
}

func TestOpenConfig(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	o, err := OpenConfig(ctx, Config{Home: home, Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Store.Close()
	if o.KEKCreated != filepath.Join(home, KEKFile) || o.Where != filepath.Join(home, DBFile) {
		t.Errorf("OpenConfig = %+v", o)
	}
	if _, err := OpenConfig(ctx, Config{URL: "mysql://x", Home: home}); err == nil {
		t.Error("a mysql URL was accepted")
	}
	if got := redact("postgres://u:secret@h/db"); got != "postgres://u:xxxxx@h/db" {
		t.Errorf("redact = %q", got)
	}
}
