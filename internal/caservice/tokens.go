package caservice

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/castore"
)

// tokenPrefix marks confcert tokens, so secret scanners and people can
// tell one when they see it.
const tokenPrefix = "cct_"

// CreateToken makes a token: 256 random bits, returned once and stored
// only as its SHA-256 (a hash is enough for a secret of that entropy: no
// dictionary to try, so no slow hash is needed). actor is who asked, for
// the audit log (the local administrator for the CLI).
func (s *Service) CreateToken(ctx context.Context, actor Principal, name string, role Role) (string, error) {
	if err := castore.CheckName(name); err != nil {
		return "", fmt.Errorf("%w: token name: %w", ErrInvalid, err)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never returns an error (Go 1.24+)
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t := castore.Token{Name: name, Hash: tokenHash(secret), Role: string(role), CreatedAt: s.now()}
	if err := s.cfg.Store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return secret, s.audit(ctx, actor, "token create", "token "+name, "role "+string(role))
}

// RevokeToken revokes the named token: it is refused from then on.
func (s *Service) RevokeToken(ctx context.Context, actor Principal, name string) error {
	err := s.cfg.Store.RevokeToken(ctx, name, s.now())
	if errors.Is(err, castore.ErrNotFound) {
		return fmt.Errorf("token %s: %w (or already revoked)", name, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return s.audit(ctx, actor, "token revoke", "token "+name, "")
}

// Tokens lists the tokens (names, roles, dates; never secrets).
func (s *Service) Tokens(ctx context.Context) ([]castore.Token, error) {
	return s.cfg.Store.Tokens(ctx)
}

// Authenticate returns the principal of a token secret; an unknown or
// revoked token is ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, secret, remote string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 128 {
		return Principal{}, ErrUnauthenticated
	}
	h := tokenHash(secret)
	t, err := s.cfg.Store.TokenByHash(ctx, h)
	if errors.Is(err, castore.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	// The lookup was by hash; compare again in constant time all the same.
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(h)) != 1 || !t.RevokedAt.IsZero() {
		return Principal{}, ErrUnauthenticated
	}
	role, err := ParseRole(t.Role)
	if err != nil {
		return Principal{}, ErrUnauthenticated
	}
	return Principal{Name: t.Name, Role: role, Remote: remote}, nil
}

func tokenHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
