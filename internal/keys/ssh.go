package keys

import (
	"bytes"
	"crypto"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// AuthorizedKey returns the OpenSSH authorized_keys line ("ssh-rsa AAAA...
// comment\n") of a public key, with comment appended when not empty. It is
// what the MMP keeps for an SSH user (seed 002 Appendix C, pki pkcs12-to-ssh).
func AuthorizedKey(pub crypto.PublicKey, comment string) ([]byte, error) {
	if s, ok := pub.(crypto.Signer); ok {
		pub = s.Public()
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("key cannot be used for SSH: %w", err)
	}
	line := bytes.TrimSuffix(ssh.MarshalAuthorizedKey(sshPub), []byte("\n"))
	if comment != "" {
		line = append(line, ' ')
		line = append(line, comment...)
	}
	return append(line, '\n'), nil
}
