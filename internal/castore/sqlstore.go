package castore

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// sqlStore implements Store with database/sql; the SQLite and PostgreSQL
// backends differ only in the driver, the lock statement and how a unique
// violation is recognised.
type sqlStore struct {
	db       *sql.DB
	keys     keyDir
	isUnique func(error) bool // reports a violated uniqueness constraint
	// kek, when set, seals CA keys into the ca_keys table instead of key
	// files (sealedkeys.go).
	kek   *KEK
	where string // the database, as errors name it
}

// CreateCA implements Store.
func (s *sqlStore) CreateCA(ctx context.Context, ca CA, keyPEM []byte) error {
	if err := CheckName(ca.Name); err != nil {
		return err
	}
	unlock, err := s.guardCreate(ctx, ca.Name)
	if err != nil {
		return err
	}
	defer unlock()
	if s.kek != nil {
		return s.createSealed(ctx, ca, keyPEM)
	}
	serial := SerialHex(ca.Cert.SerialNumber)
	if err := s.keys.stage(ca.Name, serial, keyPEM); err != nil {
		return err
	}
	certPEM := certPEM(ca.Cert.Raw)
	_, err = s.db.ExecContext(ctx, `INSERT INTO cas (name, key_type, subject_cn, serial, not_after, created_at, cert_pem)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ca.Name, ca.KeyType, ca.Cert.Subject.CommonName, serial, ca.Cert.NotAfter.Unix(), ca.CreatedAt.Unix(), string(certPEM))
	if err != nil {
		s.keys.discard(ca.Name, serial)
		if s.isUnique(err) {
			return fmt.Errorf("CA %s: %w", ca.Name, ErrCAExists)
		}
		return fmt.Errorf("recording CA %s: %w", ca.Name, err)
	}
	return s.keys.commit(ca.Name, serial, certPEM)
}

const caColumns = `c.name, c.key_type, c.created_at, c.cert_pem`

// CA implements Store.
func (s *sqlStore) CA(ctx context.Context, name string) (CA, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+caColumns+` FROM cas c WHERE c.name = $1`, name)
	ca, err := scanCA(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return CA{}, fmt.Errorf("CA %s: %w", name, ErrNotFound)
	}
	return ca, err
}

// CAKey implements Store.
func (s *sqlStore) CAKey(ctx context.Context, name string) ([]byte, error) {
	ca, err := s.CA(ctx, name)
	if err != nil {
		return nil, err
	}
	if s.kek != nil {
		if key, err := s.sealedKey(ctx, name); !errors.Is(err, ErrNotFound) {
			return key, err
		}
	}
	return s.keys.load(ctx, name, SerialHex(ca.Cert.SerialNumber), certPEM(ca.Cert.Raw))
}

// CAs implements Store.
func (s *sqlStore) CAs(ctx context.Context) ([]CASummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+caColumns+`, COUNT(i.cert_pem), COUNT(i.serial)
		FROM cas c LEFT JOIN issued i ON i.ca_name = c.name
		GROUP BY c.name, c.key_type, c.created_at, c.cert_pem ORDER BY c.name`)
	if err != nil {
		return nil, fmt.Errorf("listing CAs: %w", err)
	}
	defer rows.Close()
	var out []CASummary
	for rows.Next() {
		var sum CASummary
		var all int
		sum.CA, err = scanCA(func(dest ...any) error { return rows.Scan(append(dest, &sum.Issued, &all)...) })
		if err != nil {
			return nil, err
		}
		sum.Reserved = all - sum.Issued
		out = append(out, sum)
	}
	return out, rows.Err()
}

func scanCA(scan func(dest ...any) error) (CA, error) {
	var ca CA
	var created int64
	var text string
	if err := scan(&ca.Name, &ca.KeyType, &created, &text); err != nil {
		return CA{}, err
	}
	cert, err := parseCertPEM(text)
	if err != nil {
		return CA{}, fmt.Errorf("CA %s: %w", ca.Name, err)
	}
	ca.Cert, ca.CreatedAt = cert, time.Unix(created, 0).UTC()
	return ca, nil
}

// ReserveSerial implements Store.
func (s *sqlStore) ReserveSerial(ctx context.Context, ca string, serial *big.Int, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO issued (ca_name, serial, reserved_at) VALUES ($1, $2, $3)`,
		ca, SerialHex(serial), at.Unix())
	switch {
	case err == nil:
		return nil
	case s.isUnique(err):
		return fmt.Errorf("CA %s serial %s: %w", ca, SerialHex(serial), ErrSerialTaken)
	}
	return fmt.Errorf("reserving serial %s for CA %s: %w", SerialHex(serial), ca, err)
}

// RecordIssued implements Store.
func (s *sqlStore) RecordIssued(ctx context.Context, ca string, cert *x509.Certificate, at time.Time) error {
	sans, err := json.Marshal(SANs(cert))
	if err != nil {
		return err
	}
	serial := SerialHex(cert.SerialNumber)
	res, err := s.db.ExecContext(ctx, `UPDATE issued SET subject_cn = $1, sans = $2, not_after = $3, issued_at = $4, cert_pem = $5
		WHERE ca_name = $6 AND serial = $7 AND cert_pem IS NULL`,
		cert.Subject.CommonName, string(sans), cert.NotAfter.Unix(), at.Unix(), string(certPEM(cert.Raw)), ca, serial)
	return oneRow(res, err, fmt.Sprintf("recording certificate %s of CA %s", serial, ca), ErrNotReserved)
}

// Revoke implements Store.
func (s *sqlStore) Revoke(ctx context.Context, ca string, serial *big.Int, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE issued SET revoked_at = $1
		WHERE ca_name = $2 AND serial = $3 AND cert_pem IS NOT NULL AND revoked_at IS NULL`,
		at.Unix(), ca, SerialHex(serial))
	return oneRow(res, err, fmt.Sprintf("revoking certificate %s of CA %s", SerialHex(serial), ca), ErrNotFound)
}

// oneRow turns an UPDATE that changed no row into an error wrapping none.
func oneRow(res sql.Result, err error, what string, none error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n != 1 {
		return fmt.Errorf("%s: %w", what, none)
	}
	return nil
}

// Issued implements Store.
func (s *sqlStore) Issued(ctx context.Context, f Filter) ([]Issued, error) {
	query, args := issuedQuery(f)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing issued certificates: %w", err)
	}
	defer rows.Close()
	var out []Issued
	for rows.Next() {
		i, err := scanIssued(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

func issuedQuery(f Filter) (string, []any) {
	query := `SELECT ca_name, serial, subject_cn, sans, not_after, issued_at, revoked_at, cert_pem
		FROM issued WHERE cert_pem IS NOT NULL`
	var args []any
	if f.CA != "" {
		args = append(args, f.CA)
		query += fmt.Sprintf(" AND ca_name = $%d", len(args))
	}
	if !f.NotAfterBefore.IsZero() {
		args = append(args, f.NotAfterBefore.Unix())
		query += fmt.Sprintf(" AND not_after < $%d", len(args))
	}
	return query + " ORDER BY issued_at, ca_name, serial", args
}

func scanIssued(rows *sql.Rows) (Issued, error) {
	var i Issued
	var serial, sans, text string
	var notAfter, issuedAt int64
	var revoked sql.NullInt64
	if err := rows.Scan(&i.CA, &serial, &i.SubjectCN, &sans, &notAfter, &issuedAt, &revoked, &text); err != nil {
		return Issued{}, fmt.Errorf("reading issued certificate: %w", err)
	}
	var err error
	if i.Serial, err = ParseSerialHex(serial); err != nil {
		return Issued{}, fmt.Errorf("CA %s: %w", i.CA, err)
	}
	if err := json.Unmarshal([]byte(sans), &i.SANs); err != nil {
		return Issued{}, fmt.Errorf("CA %s serial %s: SANs: %w", i.CA, serial, err)
	}
	if i.CertDER, err = certDER(text); err != nil {
		return Issued{}, fmt.Errorf("CA %s serial %s: %w", i.CA, serial, err)
	}
	i.NotAfter, i.IssuedAt = time.Unix(notAfter, 0).UTC(), time.Unix(issuedAt, 0).UTC()
	if revoked.Valid {
		i.RevokedAt = time.Unix(revoked.Int64, 0).UTC()
	}
	return i, nil
}

// Close implements Store.
func (s *sqlStore) Close() error {
	return s.db.Close()
}

// SANs lists every subject alternative name of cert as text: DNS names, IP
// addresses, email addresses, then URIs.
func SANs(cert *x509.Certificate) []string {
	out := append([]string{}, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, cert.EmailAddresses...)
	for _, u := range cert.URIs {
		out = append(out, u.String())
	}
	return out
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// certDER returns the DER of a certificate stored as PEM text.
func certDER(text string) ([]byte, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("stored certificate is not PEM")
	}
	return block.Bytes, nil
}

func parseCertPEM(text string) (*x509.Certificate, error) {
	der, err := certDER(text)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
