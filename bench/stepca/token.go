package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// tokenClaims are the claims `step ca token` puts in a JWK provisioner's
// one-time token for /1.0/sign: the standard ones plus "sha" (the root's
// fingerprint) and "sans".
type tokenClaims struct {
	jwt.Claims
	SHA  string   `json:"sha"`
	SANs []string `json:"sans"`
}

// mintTokens signs n one-time tokens (ES256, kid = the provisioner key's
// thumbprint, audience https://HOST/1.0/sign, five minutes of validity),
// each with its own random jti. step-ca refuses a token issued before it
// started, so they are minted after it is up and before the timed run.
func (s *stepCA) mintTokens(n int, audience string) ([]string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: s.provKey},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("token signer: %w", err)
	}
	now := time.Now()
	out := make([]string, n)
	for i := range out {
		id := make([]byte, 32)
		if _, err := rand.Read(id); err != nil {
			return nil, err
		}
		c := tokenClaims{
			Claims: jwt.Claims{
				ID: hex.EncodeToString(id), Issuer: provisionerName, Subject: csrCN,
				Audience: jwt.Audience{audience}, IssuedAt: jwt.NewNumericDate(now),
				NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)),
			},
			SHA: s.fingerprint, SANs: csrSANs,
		}
		if out[i], err = jwt.Signed(signer).Claims(c).Serialize(); err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
	}
	return out, nil
}
