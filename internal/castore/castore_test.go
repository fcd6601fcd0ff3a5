package castore

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/dirlock"
)

func TestHome(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"confcert home wins", map[string]string{"CONFCERT_HOME": "/c", "XDG_DATA_HOME": "/x", "HOME": "/h"}, "/c", false},
		{"xdg data home", map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/h"}, "/x/confcert", false},
		{"home", map[string]string{"HOME": "/h"}, "/h/.local/share/confcert", false},
		{"nothing set", map[string]string{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Home(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Home() = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr bool
	}{
		{"podca", false},
		{"db-CA-2", false},
		{"", true},
		{"-ca", true},
		{"pod.ca", true},
		{"../ca", true},
		{"pod_ca", true},
		{"pod ca", true},
		{string(make([]byte, 65)), true},
	}
	for _, tt := range tests {
		if err := CheckName(tt.name); (err != nil) != tt.wantErr {
			t.Errorf("CheckName(%q) = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestSerialHex(t *testing.T) {
	tests := []struct {
		in   *big.Int
		want string
	}{
		{big.NewInt(1), "01"},
		{big.NewInt(0xabc), "0ABC"},
		{new(big.Int).Lsh(big.NewInt(1), 127), "80000000000000000000000000000000"},
	}
	for _, tt := range tests {
		got := SerialHex(tt.in)
		if got != tt.want {
			t.Errorf("SerialHex(%v) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseSerialHex(got)
		if err != nil || back.Cmp(tt.in) != 0 {
			t.Errorf("ParseSerialHex(%q) = %v, %v", got, back, err)
		}
	}
	if _, err := ParseSerialHex("xyz"); err == nil {
		t.Error("ParseSerialHex(xyz) succeeded")
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name string
		i    Issued
		want Status
	}{
		{"valid", Issued{NotAfter: t0.Add(time.Hour)}, StatusValid},
		{"valid through notAfter", Issued{NotAfter: t0}, StatusValid},
		{"expired", Issued{NotAfter: t0.Add(-time.Second)}, StatusExpired},
		{"revoked", Issued{NotAfter: t0.Add(time.Hour), RevokedAt: t0}, StatusRevoked},
		{"revoked and expired", Issued{NotAfter: t0.Add(-time.Hour), RevokedAt: t0}, StatusRevoked},
	}
	for _, tt := range tests {
		if got := tt.i.Status(t0); got != tt.want {
			t.Errorf("%s: Status() = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCreateAndGetCA(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		want := mustCreateCA(t, s, "podca")
		got, err := s.CA(ctx, "podca")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != want.Name || got.KeyType != want.KeyType || !got.Cert.Equal(want.Cert) || !got.CreatedAt.Equal(t0) {
			t.Errorf("CA() = %+v, want %+v", got, want)
		}
		key, err := s.CAKey(ctx, "podca")
		if err != nil || string(key) != "KEY OF podca\n" {
			t.Errorf("CAKey() = %q, %v", key, err)
		}
		if _, err := s.CA(ctx, "other"); !errors.Is(err, ErrNotFound) {
			t.Errorf("CA(other) error = %v, want ErrNotFound", err)
		}
	})
}

func TestCAKeyFileMode(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		mustCreateCA(t, s, "podca")
		fi, err := os.Stat(filepath.Join(dir, "podca.key"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("podca.key mode = %v, want 0600", fi.Mode().Perm())
		}
		if _, err := os.Stat(filepath.Join(dir, "podca.crt")); err != nil {
			t.Errorf("podca.crt not written: %v", err)
		}
	})
}

func TestCreateCATwiceKeepsFirst(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		first := mustCreateCA(t, s, "podca")
		second := CA{Name: "podca", KeyType: "rsa2048", Cert: testCert(t, "podca", 2, t0), CreatedAt: t0}
		err := s.CreateCA(ctx, second, []byte("SECOND\n"))
		if !errors.Is(err, ErrCAExists) {
			t.Fatalf("second CreateCA error = %v, want ErrCAExists", err)
		}
		got, _ := s.CA(ctx, "podca")
		key, _ := s.CAKey(ctx, "podca")
		if !got.Cert.Equal(first.Cert) || string(key) != "KEY OF podca\n" {
			t.Errorf("the losing CreateCA changed the CA or its key (key %q)", key)
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, ".podca.key.staged-*"))
		if len(leftovers) != 0 {
			t.Errorf("staged keys left behind: %v", leftovers)
		}
	})
}

func TestCreateCARefusesBadName(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ca := CA{Name: "../evil", KeyType: "rsa2048", Cert: testCert(t, "x", 1, t0), CreatedAt: t0}
		if err := s.CreateCA(context.Background(), ca, []byte("K")); err == nil {
			t.Fatal("CreateCA accepted ../evil")
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if n := e.Name(); n != dirlock.FileName && !strings.HasPrefix(n, DBFile) {
				t.Errorf("file %s written for a refused name", n)
			}
		}
	})
}

// A crash after the CA row is inserted and before its key is renamed into
// place leaves the key staged; CAKey finishes the job.
func TestCAKeyFinishesInterruptedCreate(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ca := mustCreateCA(t, s, "podca")
		staged := filepath.Join(dir, ".podca.key.staged-"+SerialHex(ca.Cert.SerialNumber))
		if err := os.Rename(filepath.Join(dir, "podca.key"), staged); err != nil {
			t.Fatal(err)
		}
		key, err := s.CAKey(context.Background(), "podca")
		if err != nil || string(key) != "KEY OF podca\n" {
			t.Fatalf("CAKey() = %q, %v", key, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "podca.key")); err != nil {
			t.Errorf("key not moved into place: %v", err)
		}
	})
}

// A reader that comes while another process is between inserting the CA
// row and renaming its staged key (the creation lock held) waits for the
// creator instead of renaming the key itself: before, it won the rename and
// the creator failed with "podca.key already exists" (seen under load in
// TestConcurrentCAProcesses).
func TestCAKeyWaitsForTheCreator(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ca := mustCreateCA(t, s, "podca")
		serial := SerialHex(ca.Cert.SerialNumber)
		staged := filepath.Join(dir, ".podca.key.staged-"+serial)
		if err := os.Rename(filepath.Join(dir, "podca.key"), staged); err != nil {
			t.Fatal(err)
		}
		lock, err := dirlock.Acquire(context.Background(), dir, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		go func() {
			key, err := s.CAKey(context.Background(), "podca")
			if err == nil && string(key) != "KEY OF podca\n" {
				err = fmt.Errorf("CAKey() = %q", key)
			}
			got <- err
		}()
		time.Sleep(100 * time.Millisecond)
		if _, err := os.Stat(staged); err != nil {
			t.Fatalf("the reader moved the staged key while the creator held the lock: %v", err)
		}
		// The creator finishes: its commit must not find the key in place.
		if err := keyDir(dir).commit("podca", serial, []byte("cert\n")); err != nil {
			t.Fatalf("creator's commit: %v", err)
		}
		lock.Release()
		if err := <-got; err != nil {
			t.Fatalf("reader: %v", err)
		}
	})
}

func TestCAKeyMissing(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		mustCreateCA(t, s, "podca")
		os.Remove(filepath.Join(dir, "podca.key"))
		if _, err := s.CAKey(context.Background(), "podca"); err == nil {
			t.Fatal("CAKey succeeded with the key file gone")
		}
	})
}

func TestReserveSerial(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "a")
		mustCreateCA(t, s, "b")
		steps := []struct {
			ca      string
			serial  int64
			wantErr error
		}{
			{"a", 7, nil},
			{"a", 7, ErrSerialTaken},
			{"b", 7, nil}, // serials are unique per CA
			{"a", 8, nil},
		}
		for _, st := range steps {
			err := s.ReserveSerial(ctx, st.ca, big.NewInt(st.serial), t0)
			if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
				t.Errorf("ReserveSerial(%s, %d) = %v, want %v", st.ca, st.serial, err, st.wantErr)
			}
		}
		if err := s.ReserveSerial(ctx, "nosuch", big.NewInt(1), t0); err == nil || errors.Is(err, ErrSerialTaken) {
			t.Errorf("ReserveSerial for an unknown CA = %v, want a foreign key error", err)
		}
	})
}

func TestRecordIssuedNeedsReservation(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "a")
		cert := testCert(t, "x.example.com", 42, t0)
		if err := s.RecordIssued(ctx, "a", cert, t0); !errors.Is(err, ErrNotReserved) {
			t.Errorf("RecordIssued without reservation = %v, want ErrNotReserved", err)
		}
		issue(t, s, "a", "y.example.com", 43, t0, t0)
		again := testCert(t, "y.example.com", 43, t0)
		if err := s.RecordIssued(ctx, "a", again, t0); !errors.Is(err, ErrNotReserved) {
			t.Errorf("RecordIssued twice = %v, want ErrNotReserved", err)
		}
	})
}

func TestIssuedRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		mustCreateCA(t, s, "a")
		issue(t, s, "a", "x.example.com", 0x1234, t0.AddDate(1, 0, 0), t0)
		got, err := s.Issued(context.Background(), Filter{})
		if err != nil || len(got) != 1 {
			t.Fatalf("Issued() = %v, %v", got, err)
		}
		i := got[0]
		if i.CA != "a" || i.Serial.Int64() != 0x1234 || i.SubjectCN != "x.example.com" ||
			!reflect.DeepEqual(i.SANs, []string{"x.example.com", "192.0.2.1"}) ||
			!i.NotAfter.Equal(t0.AddDate(1, 0, 0)) || !i.IssuedAt.Equal(t0) || !i.RevokedAt.IsZero() || len(i.CertDER) == 0 {
			t.Errorf("Issued()[0] = %+v", i)
		}
	})
}

func TestIssuedFilter(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "a")
		mustCreateCA(t, s, "b")
		issue(t, s, "a", "a1", 1, t0.AddDate(0, 0, 10), t0)
		issue(t, s, "a", "a2", 2, t0.AddDate(0, 0, 100), t0.Add(time.Minute))
		issue(t, s, "b", "b1", 3, t0.AddDate(0, 0, -1), t0.Add(2*time.Minute))
		if err := s.ReserveSerial(ctx, "a", big.NewInt(4), t0); err != nil { // reserved only: never listed
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    Filter
			want []string
		}{
			{"all, in issue order", Filter{}, []string{"a1", "a2", "b1"}},
			{"one CA", Filter{CA: "a"}, []string{"a1", "a2"}},
			{"expiring within 30 days", Filter{NotAfterBefore: t0.AddDate(0, 0, 30)}, []string{"a1", "b1"}},
			{"both", Filter{CA: "a", NotAfterBefore: t0.AddDate(0, 0, 30)}, []string{"a1"}},
			{"unknown CA", Filter{CA: "zz"}, nil},
		}
		for _, tt := range tests {
			got, err := s.Issued(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var cns []string
			for _, i := range got {
				cns = append(cns, i.SubjectCN)
			}
			if !reflect.DeepEqual(cns, tt.want) {
				t.Errorf("%s: Issued() = %v, want %v", tt.name, cns, tt.want)
			}
		}
	})
}

func TestCAsCounts(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "b")
		mustCreateCA(t, s, "a")
		issue(t, s, "a", "a1", 1, t0, t0)
		issue(t, s, "a", "a2", 2, t0, t0)
		if err := s.ReserveSerial(ctx, "a", big.NewInt(3), t0); err != nil {
			t.Fatal(err)
		}
		got, err := s.CAs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			name             string
			issued, reserved int
		}
		var rows []row
		for _, c := range got {
			rows = append(rows, row{c.Name, c.Issued, c.Reserved})
		}
		want := []row{{"a", 2, 1}, {"b", 0, 0}}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("CAs() = %v, want %v", rows, want)
		}
	})
}

func TestRevoke(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, dir string) {
		ctx := context.Background()
		mustCreateCA(t, s, "a")
		issue(t, s, "a", "a1", 1, t0.AddDate(1, 0, 0), t0)
		if err := s.Revoke(ctx, "a", big.NewInt(1), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, "a", big.NewInt(1), t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("second Revoke = %v, want ErrNotFound", err)
		}
		if err := s.Revoke(ctx, "a", big.NewInt(99), t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("Revoke of an unknown serial = %v, want ErrNotFound", err)
		}
		got, _ := s.Issued(ctx, Filter{})
		if len(got) != 1 || got[0].Status(t0) != StatusRevoked || !got[0].RevokedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after Revoke: %+v", got)
		}
	})
}
