package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// createSealed records a new CA with its key sealed under the KEK, both rows
// in one transaction: no CA without its key, whatever stops when.
func (s *sqlStore) createSealed(ctx context.Context, ca CA, keyPEM []byte) error {
	sealed, err := s.kek.seal(ca.Name, keyPEM)
	if err != nil {
		return fmt.Errorf("sealing the key of CA %s: %w", ca.Name, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cas (name, key_type, subject_cn, serial, not_after, created_at, cert_pem)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			ca.Name, ca.KeyType, ca.Cert.Subject.CommonName, SerialHex(ca.Cert.SerialNumber), ca.Cert.NotAfter.Unix(),
			ca.CreatedAt.Unix(), string(certPEM(ca.Cert.Raw)))
		if s.isUnique(err) {
			return fmt.Errorf("CA %s: %w", ca.Name, ErrCAExists)
		}
		if err != nil {
			return fmt.Errorf("recording CA %s: %w", ca.Name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ca_keys (ca_name, sealed, imported_from, created_at) VALUES ($1, $2, '', $3)`,
			ca.Name, sealed, ca.CreatedAt.Unix())
		if err != nil {
			return fmt.Errorf("recording the key of CA %s: %w", ca.Name, err)
		}
		return nil
	})
}

// sealedKey opens the named CA's sealed key; ErrNotFound when the store
// holds none (the key is still a file).
func (s *sqlStore) sealedKey(ctx context.Context, name string) ([]byte, error) {
	var sealed string
	err := s.db.QueryRowContext(ctx, `SELECT sealed FROM ca_keys WHERE ca_name = $1`, name).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sealed key of CA %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key of CA %s: %w", name, err)
	}
	return s.kek.open(name, sealed)
}

// ImportKeyFiles seals into the store the key file of every CA whose key is
// not there yet, and returns the paths imported. The files are left where
// they are (never delete a key a person may still need): the caller reports
// them so that an administrator can move them somewhere safe.
func (s *sqlStore) ImportKeyFiles(ctx context.Context, at time.Time) ([]string, error) {
	if s.kek == nil {
		return nil, errors.New("no key-encryption key: keys stay files")
	}
	names, err := s.unsealedCAs(ctx)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, name := range names {
		path, err := s.importKeyFile(ctx, name, at)
		if err != nil {
			return done, err
		}
		if path != "" {
			done = append(done, path)
		}
	}
	return done, nil
}

func (s *sqlStore) unsealedCAs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.name FROM cas c LEFT JOIN ca_keys k ON k.ca_name = c.name
		WHERE k.ca_name IS NULL ORDER BY c.name`)
	if err != nil {
		return nil, fmt.Errorf("listing CA keys to import: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// importKeyFile seals one CA's key file; "" when there is no file here
// (another machine's CA, still to be imported there).
func (s *sqlStore) importKeyFile(ctx context.Context, name string, at time.Time) (string, error) {
	ca, err := s.CA(ctx, name)
	if err != nil {
		return "", err
	}
	keyPEM, err := s.keys.load(ctx, name, SerialHex(ca.Cert.SerialNumber), certPEM(ca.Cert.Raw))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	sealed, err := s.kek.seal(name, keyPEM)
	if err != nil {
		return "", err
	}
	path := s.keys.keyPath(name)
	_, err = s.db.ExecContext(ctx, `INSERT INTO ca_keys (ca_name, sealed, imported_from, created_at) VALUES ($1, $2, $3, $4)`,
		name, sealed, path, at.Unix())
	if s.isUnique(err) {
		return "", nil // another instance imported it first
	}
	if err != nil {
		return "", fmt.Errorf("importing the key of CA %s: %w", name, err)
	}
	return path, nil
}

// inTx runs f in one transaction, committed when f returns nil.
func (s *sqlStore) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the error that matters is f's
		return err
	}
	return tx.Commit()
}
