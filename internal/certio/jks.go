package certio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

// JKS is the encoding of a Java keystore (read only).
const JKS Encoding = "JKS"

// Java keystore magic numbers: JKS (read through keystore-go) and JCEKS
// (not read: its key protection is Sun's own).
const (
	jksMagic   = 0xfeedfeed
	jceksMagic = 0xcececece
)

// defaultJavaPassword is the store password of Java's own truststore
// (cacerts) and of most truststores made from it; it is tried first, as the
// empty password is for PKCS#12.
const defaultJavaPassword = "changeit"

var (
	errJCEKS      = errors.New("a JCEKS keystore, which confcert does not read: convert it with keytool -importkeystore -deststoretype pkcs12")
	errJKSDamaged = errors.New("Java keystore is damaged or truncated")
)

// isJavaKeystore reports whether data starts like a JKS or JCEKS file.
func isJavaKeystore(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	m := binary.BigEndian.Uint32(data)
	return m == jksMagic || m == jceksMagic
}

// parseJKS reads a Java keystore: its trusted certificates and the chains of
// its key entries, and the keys when the password opens them. The store's
// integrity digest needs the store password: "changeit" is tried, then the
// password source; without one the file is reported Locked.
func parseJKS(data []byte, opts Options) (*File, error) {
	if binary.BigEndian.Uint32(data) == jceksMagic {
		return nil, errJCEKS
	}
	if err := scanJKS(data); err != nil {
		return nil, err
	}
	f := &File{Encoding: JKS}
	ks, pw, err := loadJKS(data, opts)
	if errors.Is(err, errNoPasswordFunc) {
		f.Locked = true
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	f.Objects, err = jksObjects(ks, pw)
	return f, err
}

// loadJKS verifies and loads the store, trying the default password first.
func loadJKS(data []byte, opts Options) (keystore.KeyStore, []byte, error) {
	for _, next := range []func() ([]byte, error){
		func() ([]byte, error) { return []byte(defaultJavaPassword), nil },
		func() ([]byte, error) { return password(opts) },
	} {
		pw, err := next()
		if err != nil {
			return keystore.KeyStore{}, nil, err
		}
		ks := keystore.New(keystore.WithOrderedAliases())
		err = recovered("the Java keystore reader", func() error { return ks.Load(bytes.NewReader(data), pw) })
		if err == nil {
			return ks, pw, nil
		}
		if !bytes.Contains([]byte(err.Error()), []byte("invalid digest")) {
			return keystore.KeyStore{}, nil, fmt.Errorf("Java keystore: %w", err)
		}
	}
	return keystore.KeyStore{}, nil, ErrWrongPassword
}

// jksObjects lists the keys first (opened with the store password, as
// keytool makes them), then every certificate, by alias.
func jksObjects(ks keystore.KeyStore, pw []byte) ([]Object, error) {
	aliases := ks.Aliases()
	sort.Strings(aliases)
	var keys, certs []Object
	for _, alias := range aliases {
		if ks.IsPrivateKeyEntry(alias) {
			if o, ok := jksKey(ks, alias, pw); ok {
				keys = append(keys, o)
			} else {
				keys = append(keys, lockedKey(PKCS8))
			}
			chain, _ := ks.GetPrivateKeyEntryCertificateChain(alias)
			for _, c := range chain {
				o, err := certificateObject(c.Content)
				if err != nil {
					return nil, fmt.Errorf("Java keystore entry %q: %w", alias, err)
				}
				certs = append(certs, o)
			}
			continue
		}
		e, err := ks.GetTrustedCertificateEntry(alias)
		if err != nil {
			continue
		}
		o, err := certificateObject(e.Certificate.Content)
		if err != nil {
			return nil, fmt.Errorf("Java keystore entry %q: %w", alias, err)
		}
		certs = append(certs, o)
	}
	return append(keys, certs...), nil
}

func jksKey(ks keystore.KeyStore, alias string, pw []byte) (Object, bool) {
	var e keystore.PrivateKeyEntry
	err := recovered("the Java keystore reader", func() (err error) {
		e, err = ks.GetPrivateKeyEntry(alias, pw)
		return err
	})
	if err != nil {
		return Object{}, false
	}
	key, _, err := parsePlainKey(e.PrivateKey, PKCS8)
	if err != nil {
		return Object{}, false
	}
	return keyObject(key, PKCS8, true), true
}

// scanJKS walks the keystore's structure before keystore-go does: the
// library allocates every length the file states before reading it, so a
// hostile 4 GiB length or entry count must be refused first.
func scanJKS(data []byte) error {
	if len(data) < 12+20 { // magic, version, count; the digest
		return errJKSDamaged
	}
	s := jksScan{data: data, pos: 8} // magic, version
	version := binary.BigEndian.Uint32(data[4:])
	n, ok := s.u32()
	for i := uint32(0); ok && i < n; i++ {
		ok = s.entry(version)
	}
	if !ok || len(data)-s.pos != 20 { // the SHA-1 digest ends the file
		return errJKSDamaged
	}
	return nil
}

type jksScan struct {
	data []byte
	pos  int
}

func (s *jksScan) skip(n int) bool {
	if n < 0 || n > len(s.data)-s.pos {
		return false
	}
	s.pos += n
	return true
}

func (s *jksScan) u32() (uint32, bool) {
	if len(s.data)-s.pos < 4 {
		return 0, false
	}
	v := binary.BigEndian.Uint32(s.data[s.pos:])
	s.pos += 4
	return v, true
}

func (s *jksScan) str() bool {
	if len(s.data)-s.pos < 2 {
		return false
	}
	n := int(binary.BigEndian.Uint16(s.data[s.pos:]))
	return s.skip(2) && s.skip(n)
}

func (s *jksScan) bytes() bool {
	n, ok := s.u32()
	return ok && s.skip(int(n))
}

func (s *jksScan) cert(version uint32) bool {
	if version == 2 && !s.str() {
		return false
	}
	return s.bytes()
}

func (s *jksScan) entry(version uint32) bool {
	tag, ok := s.u32()
	if !ok || !s.str() || !s.skip(8) { // alias, creation time
		return false
	}
	switch tag {
	case 1: // private key: the protected key, then its chain
		if !s.bytes() {
			return false
		}
		n, ok := s.u32()
		for i := uint32(0); ok && i < n; i++ {
			ok = s.cert(version)
		}
		return ok
	case 2: // trusted certificate
		return s.cert(version)
	}
	return false
}
