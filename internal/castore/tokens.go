package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CreateToken implements Service.
func (s *sqlStore) CreateToken(ctx context.Context, t Token) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO tokens (name, hash, role, created_at) VALUES ($1, $2, $3, $4)`,
		t.Name, t.Hash, t.Role, t.CreatedAt.Unix())
	if s.isUnique(err) {
		return fmt.Errorf("token %s: %w", t.Name, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("recording token %s: %w", t.Name, err)
	}
	return nil
}

const tokenColumns = `name, hash, role, created_at, revoked_at`

// TokenByHash implements Service.
func (s *sqlStore) TokenByHash(ctx context.Context, hash string) (Token, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash)
	t, err := scanToken(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("token: %w", ErrNotFound)
	}
	return t, err
}

// Tokens implements Service.
func (s *sqlStore) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements Service.
func (s *sqlStore) RevokeToken(ctx context.Context, name string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL`, at.Unix(), name)
	return oneRow(res, err, "revoking token "+name, ErrNotFound)
}

func scanToken(scan func(dest ...any) error) (Token, error) {
	var t Token
	var created int64
	var revoked sql.NullInt64
	if err := scan(&t.Name, &t.Hash, &t.Role, &created, &revoked); err != nil {
		return Token{}, err
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	if revoked.Valid {
		t.RevokedAt = time.Unix(revoked.Int64, 0).UTC()
	}
	return t, nil
}

// Ping implements Service.
func (s *sqlStore) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}
