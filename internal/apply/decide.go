package apply

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// renewWindow: an internally signed certificate with less validity left is
// signed again (same key) on the next run, the window `--check` warns about.
var renewWindow = validity.Window(validity.WarnDays)

// decide works out what to do for one certificate from its files, before
// anything is written. The order of the checks is the order the files are
// made in: key, CSR, certificate.
func (r *run) decide(it *item) {
	c := it.c
	if c.KeyHeld != nil {
		r.decideHeld(it)
		return
	}
	switch {
	case r.renewed[c.Name]:
		r.replaceKey(it, ActionRenewed, "renewal asked for with --renew")
	case it.key == nil && (it.csr != nil || it.leaf != nil):
		r.replaceKey(it, ActionCompleted, fmt.Sprintf("%s was missing", c.Files.Key))
	case it.key == nil:
		r.replaceKey(it, ActionCreated, "")
	default:
		r.checkKeyType(it)
		r.decideKeyFormat(it)
		r.decideCSR(it)
	}
	if c.Signer == plan.SignerPublic {
		r.decidePublic(it)
		return
	}
	r.decideSigned(it)
}

// replaceKey plans a new key and with it a new CSR and certificate; the old
// files are kept as backups.
func (r *run) replaceKey(it *item, action, why string) {
	it.newKey, it.newCSR = true, true
	it.action, it.why = action, why
	it.backupIf(it.key != nil, it.c.Files.Key)
	it.backupIf(it.csr != nil, it.c.Files.CSR)
}

// checkKeyType warns when an existing key is not the planned type: a key is
// never replaced without --renew.
func (r *run) checkKeyType(it *item) {
	got, _ := keys.TypeOf(it.key.Public())
	if it.c.KeyType != "" && string(got) != it.c.KeyType {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(
			"%s is %s but the plan asks for %s: the key is kept; run with --renew %s to replace it",
			it.c.Files.Key, keys.Label(it.key.Public()), it.c.KeyType, it.c.Name))
	}
}

// decideKeyFormat writes an existing key again, the same key, when its file
// is not in the form the plan asks for (MeetingPlace's key field takes the
// traditional RSA form, seed 004); the old file is kept as a backup.
func (r *run) decideKeyFormat(it *item) {
	want := keyFormatFor(it.c, it.key)
	if want == it.keyFormat {
		return
	}
	it.rewriteKey = true
	it.setAction(ActionCompleted, fmt.Sprintf("%s written again in the %s form, the same key", it.c.Files.Key, want))
	it.backupIf(true, it.c.Files.Key)
}

// keyFormatFor is the form of the key file the plan asks for: PKCS#8 unless
// the plan asks for the traditional form (PKCS#1 for RSA, SEC1 for ECDSA).
func keyFormatFor(c *plan.Certificate, key crypto.Signer) certio.KeyFormat {
	if c.Files.KeyFormat != plan.KeyTraditional {
		return certio.PKCS8
	}
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		return certio.SEC1
	}
	return certio.PKCS1
}

// decideCSR plans a new CSR when it is missing, does not match the key (an
// interrupted renewal) or asks for other names than the plan.
func (r *run) decideCSR(it *item) {
	c := it.c
	why, action := "", ActionReissued
	switch {
	case it.csr == nil:
		why, action = c.Files.CSR+" was missing", ActionCompleted
	case !keys.Match(it.key, it.csr.PublicKey):
		why, action = c.Files.CSR+" does not match "+c.Files.Key, ActionCompleted
	default:
		why = contentDiff(c, it.csr.Subject, sanList(it.csr.DNSNames, it.csr.IPAddresses))
	}
	if why == "" {
		return
	}
	it.newCSR = true
	it.setAction(action, why)
	it.backupIf(it.csr != nil, c.Files.CSR)
}

// decidePublic: a public certificate is placed by --import, or dropped when
// it no longer fits its key or CSR; otherwise it waits for the CA.
func (r *run) decidePublic(it *item) {
	c := it.c
	switch {
	case it.imported != nil && !it.newKey:
		if it.leaf != nil && it.leaf.Equal(it.imported) {
			return
		}
		it.newCert = true
		it.setAction(ActionImported, "")
		it.backupIf(it.leaf != nil, c.Files.Cert)
	case it.leaf == nil:
	case it.newKey || it.newCSR:
		it.drop(c.Files.Cert)
	case !keys.Match(it.key, it.leaf.PublicKey):
		it.drop(c.Files.Cert)
		it.setAction(ActionCompleted, c.Files.Cert+" does not match "+c.Files.Key)
	case r.issuedLocally(it.leaf):
		it.drop(c.Files.Cert)
		it.setAction(ActionReissued, "the plan now has a public CA sign it")
	}
}

// decideSigned plans a new certificate from the local CA or a self-signed one
// when it is missing, does not match the key or the plan, or expires soon.
func (r *run) decideSigned(it *item) {
	why, action := r.signedStale(it)
	if why == "" && !it.newCSR && it.leaf != nil {
		return
	}
	it.newCert = true
	it.setAction(action, why)
	it.backupIf(it.leaf != nil, it.c.Files.Cert)
}

// signedStale says why an internally signed certificate must be made again
// ("" when it is fine or when the CSR decision already says why).
func (r *run) signedStale(it *item) (why, action string) {
	c, leaf := it.c, it.leaf
	switch {
	case it.newKey || it.newCSR:
		return "", ""
	case leaf == nil:
		return c.Files.Cert + " was missing", ActionCompleted
	case !keys.Match(it.key, leaf.PublicKey):
		return c.Files.Cert + " does not match " + c.Files.Key, ActionCompleted
	}
	if d := contentDiff(c, leaf.Subject, sanList(leaf.DNSNames, leaf.IPAddresses)); d != "" {
		return d, ActionReissued
	}
	if d := ekuDiff(c, leaf); d != "" {
		return d, ActionReissued
	}
	if d := kuDiff(c, leaf); d != "" {
		return d, ActionReissued
	}
	if d := r.signerDiff(c, leaf); d != "" {
		return d, ActionReissued
	}
	if validity.ExpiresWithin(leaf.NotAfter, r.o.Now, renewWindow) {
		return fmt.Sprintf("it expires on %s", leaf.NotAfter.UTC().Format(time.DateOnly)), ActionReissued
	}
	return "", ""
}

// signerDiff says why leaf is not signed the way the plan says.
func (r *run) signerDiff(c *plan.Certificate, leaf *x509.Certificate) string {
	if c.Signer == plan.SignerSelf {
		if !chain.SelfSigned(leaf) {
			return "the plan now has it self-signed"
		}
		return ""
	}
	ca := r.cas[c.Signer]
	if ca == nil || leaf.CheckSignatureFrom(ca.Certificate()) != nil {
		return "the plan now has the local CA " + c.Signer + " sign it"
	}
	return ""
}

// issuedLocally reports whether cert is self-signed or signed by one of the
// plan's local CAs.
func (r *run) issuedLocally(cert *x509.Certificate) bool {
	if chain.SelfSigned(cert) {
		return true
	}
	for _, ca := range r.cas {
		if cert.CheckSignatureFrom(ca.Certificate()) == nil {
			return true
		}
	}
	return false
}

// contentDiff compares a CSR's or certificate's subject and SANs with the plan.
func contentDiff(c *plan.Certificate, subj pkix.Name, sans []string) string {
	if d := subjectDiff(c, subj); d != "" {
		return d
	}
	return sanDiff(c, sans)
}

// setAction records the first action and reason decided for an item.
func (it *item) setAction(action, why string) {
	if it.action == "" {
		it.action = action
	}
	if it.why == "" {
		it.why = why
	}
}

// backupIf keeps file as a backup before it is replaced, when cond holds.
func (it *item) backupIf(cond bool, file string) {
	if cond {
		it.backups = append(it.backups, file)
	}
}

// drop plans the removal of a certificate that no longer fits (kept as a backup).
func (it *item) drop(file string) {
	it.dropCert = true
	it.backups = append(it.backups, file)
}
