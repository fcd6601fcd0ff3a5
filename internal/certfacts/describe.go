// Package certfacts states facts about certificates, private keys, CSRs and
// public keys, for people (text, with a bundle drawn as a tree) and for scripts
// (the `inspect --json` objects of spec cli.md): names as openssl prints them,
// days left, key and extended key usage names, SHA-256 fingerprints, and which
// element of a file issued which.
package certfacts

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net"
	"net/url"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/dname"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/parallel"
	"github.com/confcert/confcert/internal/usage"
)

// Report is what a file holds: the `inspect --json` document.
type Report struct {
	File     string `json:"file"`
	Encoding string `json:"encoding"`
	// Locked is true when a PKCS#12 file or an encrypted key was not opened
	// for lack of a password.
	Locked  bool     `json:"locked"`
	Objects []Object `json:"objects"`
}

// Object is one element of a file: *Certificate, *PrivateKey, *CSR or
// *PublicKey.
type Object interface {
	// Position returns the element's index in its file.
	Position() int
}

// Certificate holds the facts about one certificate.
type Certificate struct {
	Index              int       `json:"index"`
	Type               string    `json:"type"`
	Subject            string    `json:"subject"`
	SubjectCN          string    `json:"subject_cn"`
	Issuer             string    `json:"issuer"`
	IssuerCN           string    `json:"issuer_cn"`
	Serial             string    `json:"serial"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DaysLeft           int       `json:"days_left"`
	Expired            bool      `json:"expired"`
	NotYetValid        bool      `json:"not_yet_valid"`
	SelfSigned         bool      `json:"self_signed"`
	IsCA               bool      `json:"is_ca"`
	DNSNames           []string  `json:"dns_names"`
	IPAddresses        []string  `json:"ip_addresses"`
	Emails             []string  `json:"emails"`
	URIs               []string  `json:"uris"`
	KeyAlgorithm       string    `json:"key_algorithm"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	KeyUsage           []string  `json:"key_usage"`
	ExtKeyUsage        []string  `json:"ext_key_usage"`
	SHA256             string    `json:"sha256"`
	// IssuedByIndex is the index of the element of the same file whose key
	// signed this certificate (its own index when self-signed), or nil.
	IssuedByIndex *int `json:"issued_by_index"`
}

// PrivateKey holds the facts about one private key. KeyAlgorithm and KeyBits
// are nil while an encrypted key is locked.
type PrivateKey struct {
	Index        int     `json:"index"`
	Type         string  `json:"type"`
	KeyAlgorithm *string `json:"key_algorithm"`
	KeyBits      *int    `json:"key_bits"`
	Encrypted    bool    `json:"encrypted"`
	Locked       bool    `json:"locked"`
	KeyFormat    string  `json:"key_format,omitempty"`
	// MatchesIndex is the index of the first certificate or CSR of the same
	// file holding this key's public half, or nil.
	MatchesIndex *int `json:"matches_index"`
}

// CSR holds the facts about one certificate signing request.
type CSR struct {
	Index              int      `json:"index"`
	Type               string   `json:"type"`
	Subject            string   `json:"subject"`
	SubjectCN          string   `json:"subject_cn"`
	DNSNames           []string `json:"dns_names"`
	IPAddresses        []string `json:"ip_addresses"`
	Emails             []string `json:"emails"`
	URIs               []string `json:"uris"`
	KeyAlgorithm       string   `json:"key_algorithm"`
	KeyBits            int      `json:"key_bits"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	SignatureValid     bool     `json:"signature_valid"`
}

// PublicKey holds the facts about a bare public key.
type PublicKey struct {
	Index        int    `json:"index"`
	Type         string `json:"type"`
	KeyAlgorithm string `json:"key_algorithm"`
	KeyBits      int    `json:"key_bits"`
}

// Position returns the element's index in its file.
func (c *Certificate) Position() int { return c.Index }

// Position returns the element's index in its file.
func (k *PrivateKey) Position() int { return k.Index }

// Position returns the element's index in its file.
func (c *CSR) Position() int { return c.Index }

// Position returns the element's index in its file.
func (k *PublicKey) Position() int { return k.Index }

// File describes every element of f, in file order, as of now. Independent
// elements are described in parallel on every core.
func File(f *certio.File, now time.Time) *Report {
	r := &Report{File: f.Name, Encoding: string(f.Encoding), Locked: f.Locked, Objects: make([]Object, len(f.Objects))}
	certs, at := certificatesOf(f)
	issuers := IssuedBy(certs)
	parallel.For(len(f.Objects), func(i int) {
		r.Objects[i] = object(&f.Objects[i], now)
	})
	for j, i := range at {
		if issuers[j] >= 0 {
			idx := at[issuers[j]]
			r.Objects[i].(*Certificate).IssuedByIndex = &idx
		}
	}
	for i, o := range f.Objects {
		if o.Kind != certio.KindPrivateKey {
			continue
		}
		if o.PrivateKey == nil {
			r.Locked = true
			continue
		}
		r.Objects[i].(*PrivateKey).MatchesIndex = matchOf(f, o.PrivateKey)
	}
	return r
}

// matchOf returns the index of the first certificate or CSR in f whose
// public key is key's.
func matchOf(f *certio.File, key crypto.Signer) *int {
	for i, o := range f.Objects {
		if (o.Kind == certio.KindCertificate || o.Kind == certio.KindCSR) && keys.Match(key, o.PublicKey) {
			return &i
		}
	}
	return nil
}

// certificatesOf returns the certificates of f and the object index of each.
func certificatesOf(f *certio.File) ([]*x509.Certificate, []int) {
	var certs []*x509.Certificate
	var at []int
	for i, o := range f.Objects {
		if o.Kind == certio.KindCertificate && o.Certificate != nil {
			certs = append(certs, o.Certificate)
			at = append(at, i)
		}
	}
	return certs, at
}

func object(o *certio.Object, now time.Time) Object {
	switch {
	case o.Kind == certio.KindCertificate && o.Certificate != nil:
		return Cert(o.Certificate, o.Index, now)
	case o.Kind == certio.KindCSR && o.CSR != nil:
		return Request(o.CSR, o.Index)
	case o.Kind == certio.KindPrivateKey:
		return privateKey(o)
	}
	alg, bits := keys.Describe(o.PublicKey)
	return &PublicKey{Index: o.Index, Type: string(certio.KindPublicKey), KeyAlgorithm: alg, KeyBits: bits}
}

// Cert describes one certificate as of now; IssuedByIndex is left nil.
func Cert(c *x509.Certificate, index int, now time.Time) *Certificate {
	alg, bits := keys.Describe(c.PublicKey)
	sum := sha256.Sum256(c.Raw)
	return &Certificate{
		Index:              index,
		Type:               string(certio.KindCertificate),
		Subject:            dname.Format(c.Subject),
		SubjectCN:          c.Subject.CommonName,
		Issuer:             dname.Format(c.Issuer),
		IssuerCN:           c.Issuer.CommonName,
		Serial:             serial(c),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		DaysLeft:           validity.DaysLeft(c.NotAfter, now),
		Expired:            validity.Expired(c.NotAfter, now),
		NotYetValid:        now.Before(c.NotBefore),
		SelfSigned:         SelfIssued(c),
		IsCA:               c.BasicConstraintsValid && c.IsCA,
		DNSNames:           nonNil(c.DNSNames),
		IPAddresses:        ips(c.IPAddresses),
		Emails:             nonNil(c.EmailAddresses),
		URIs:               uris(c.URIs),
		KeyAlgorithm:       alg,
		KeyBits:            bits,
		SignatureAlgorithm: SignatureAlgorithm(c.SignatureAlgorithm),
		KeyUsage:           usage.KeyUsageNames(c.KeyUsage),
		ExtKeyUsage:        usage.ExtKeyUsageNames(c.ExtKeyUsage, c.UnknownExtKeyUsage),
		SHA256:             hex.EncodeToString(sum[:]),
	}
}

// Request describes one CSR, checking its signature.
func Request(r *x509.CertificateRequest, index int) *CSR {
	alg, bits := keys.Describe(r.PublicKey)
	return &CSR{
		Index:              index,
		Type:               string(certio.KindCSR),
		Subject:            dname.Format(r.Subject),
		SubjectCN:          r.Subject.CommonName,
		DNSNames:           nonNil(r.DNSNames),
		IPAddresses:        ips(r.IPAddresses),
		Emails:             nonNil(r.EmailAddresses),
		URIs:               uris(r.URIs),
		KeyAlgorithm:       alg,
		KeyBits:            bits,
		SignatureAlgorithm: SignatureAlgorithm(r.SignatureAlgorithm),
		SignatureValid:     r.CheckSignature() == nil,
	}
}

func privateKey(o *certio.Object) *PrivateKey {
	k := &PrivateKey{
		Index:     o.Index,
		Type:      string(certio.KindPrivateKey),
		Encrypted: o.Encrypted,
		Locked:    o.PrivateKey == nil,
		KeyFormat: string(o.KeyFormat),
	}
	pub := o.PublicKey
	if pub == nil && o.PrivateKey != nil {
		pub = o.PrivateKey.Public()
	}
	if pub != nil {
		alg, bits := keys.Describe(pub)
		k.KeyAlgorithm, k.KeyBits = &alg, &bits
	}
	return k
}

// serial returns the serial number in hex, with a sign for the negative
// serials some old CAs wrote.
func serial(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return ""
	}
	s := hex.EncodeToString(c.SerialNumber.Bytes())
	if c.SerialNumber.Sign() < 0 {
		return "-" + s
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ips(list []net.IP) []string {
	out := make([]string, 0, len(list))
	for _, ip := range list {
		out = append(out, ip.String())
	}
	return out
}

func uris(list []*url.URL) []string {
	out := make([]string, 0, len(list))
	for _, u := range list {
		out = append(out, u.String())
	}
	return out
}
