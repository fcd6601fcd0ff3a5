package certfacts

import (
	"bufio"
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"strconv"
	"strings"

	"github.com/confcert/confcert/internal/ui"
	"github.com/confcert/confcert/internal/validity"
)

// encodingNames are the file types as people write them.
var encodingNames = map[string]string{"PKCS7": "PKCS#7", "PKCS12": "PKCS#12"}

// WriteText writes r for people through p: a line saying what the file is,
// every element in file order, and, when the file holds several
// certificates, which issued which, drawn as a tree.
func WriteText(p *ui.Printer, r *Report) error {
	bw := bufio.NewWriterSize(p.Writer(), 64<<10)
	w := &errWriter{w: bw}
	w.printf("%s: %s\n", r.File, Summary(r))
	for _, o := range r.Objects {
		w.printf("\n")
		writeObject(w, p, o)
	}
	writeTree(w, p, Tree(r))
	if w.err != nil {
		return w.err
	}
	return bw.Flush()
}

// writeTree draws the chain tree, when there is one.
func writeTree(w *errWriter, p *ui.Printer, tree *ui.Tree) {
	if tree == nil {
		return
	}
	w.printf("\n%s\n", p.Color(ui.Bold, "Chain (each certificate under the one that issued it):"))
	if w.err == nil {
		w.err = tree.Render(w.w)
	}
}

// Summary says in a few words what the file holds, e.g.
// "PEM, 1 private key, 2 certificates".
func Summary(r *Report) string {
	enc := r.Encoding
	if n, ok := encodingNames[enc]; ok {
		enc = n
	}
	if r.Locked && len(r.Objects) == 0 {
		return enc + ", locked: give its password to see what it holds"
	}
	counts := map[string]int{}
	var order []string
	for _, o := range r.Objects {
		t := typeOf(o)
		if counts[t] == 0 {
			order = append(order, t)
		}
		counts[t]++
	}
	parts := []string{enc}
	for _, t := range order {
		parts = append(parts, plural(counts[t], t))
	}
	return strings.Join(parts, ", ")
}

func typeOf(o Object) string {
	switch o.(type) {
	case *Certificate:
		return "certificate"
	case *PrivateKey:
		return "private key"
	case *CSR:
		return "CSR"
	}
	return "public key"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func writeObject(w *errWriter, p *ui.Printer, o Object) {
	w.printf("%s\n", p.Color(ui.Bold, fmt.Sprintf("[%d] %s", o.Position(), typeOf(o))))
	switch v := o.(type) {
	case *Certificate:
		certLines(w, p, v)
	case *PrivateKey:
		keyLines(w, v)
	case *CSR:
		csrLines(w, p, v)
	case *PublicKey:
		w.field("Key", keyLabel(v.KeyAlgorithm, v.KeyBits))
	}
}

func certLines(w *errWriter, p *ui.Printer, c *Certificate) {
	w.field("Subject", c.Subject)
	w.field("Issuer", c.Issuer+issuerNote(c))
	w.field("Serial", c.Serial)
	w.field("Not before", c.NotBefore.Format("2006-01-02 15:04:05 MST"))
	w.field("Not after", c.NotAfter.Format("2006-01-02 15:04:05 MST")+" "+validityNote(p, c))
	w.field("Subject alt names", altNames(c.DNSNames, c.IPAddresses, c.Emails, c.URIs))
	w.field("Key", keyLabel(c.KeyAlgorithm, c.KeyBits))
	w.field("Signature", c.SignatureAlgorithm)
	w.field("Key usage", list(c.KeyUsage))
	w.field("Extended key usage", list(c.ExtKeyUsage))
	w.field("CA", yesNo(c.IsCA))
	w.field("SHA-256", Fingerprint(c.SHA256))
}

func issuerNote(c *Certificate) string {
	switch {
	case c.IssuedByIndex != nil && *c.IssuedByIndex == c.Index:
		return " (self-signed)"
	case c.IssuedByIndex != nil:
		return fmt.Sprintf(" (issued by [%d])", *c.IssuedByIndex)
	case c.SelfSigned:
		return " (self-signed)"
	}
	return ""
}

// validityNote says how long the certificate has left, or that it is EXPIRED.
func validityNote(p *ui.Printer, c *Certificate) string {
	switch {
	case c.Expired:
		return p.Color(ui.Red, "(EXPIRED)")
	case c.NotYetValid:
		return p.Color(ui.Yellow, "(not yet valid)")
	case c.DaysLeft < validity.WarnDays:
		return p.Color(ui.Yellow, fmt.Sprintf("(%s left)", plural(c.DaysLeft, "day")))
	}
	return fmt.Sprintf("(%s left)", plural(c.DaysLeft, "day"))
}

func keyLines(w *errWriter, k *PrivateKey) {
	if k.KeyAlgorithm != nil {
		w.field("Key", keyLabel(*k.KeyAlgorithm, *k.KeyBits))
	}
	format := k.KeyFormat
	if format == "" {
		format = "unknown"
	}
	w.field("Format", format)
	if k.MatchesIndex != nil {
		w.field("Matches", fmt.Sprintf("[%d]", *k.MatchesIndex))
	}
	switch {
	case k.Locked:
		w.field("Encrypted", "yes (locked: give its password to see more)")
	default:
		w.field("Encrypted", yesNo(k.Encrypted))
	}
}

func csrLines(w *errWriter, p *ui.Printer, c *CSR) {
	w.field("Subject", c.Subject)
	w.field("Subject alt names", altNames(c.DNSNames, c.IPAddresses, c.Emails, c.URIs))
	w.field("Key", keyLabel(c.KeyAlgorithm, c.KeyBits))
	w.field("Signature", c.SignatureAlgorithm)
	valid := "valid"
	if !c.SignatureValid {
		valid = p.Color(ui.Red, "INVALID")
	}
	w.field("Signature check", valid)
}

// keyLabel names a key the way administrators say it: "RSA 2048 bits",
// "ECDSA P-256", "Ed25519".
func keyLabel(alg string, bits int) string {
	switch {
	case alg == "ECDSA":
		return fmt.Sprintf("ECDSA P-%d", bits)
	case alg == "Ed25519" || alg == "unknown" || bits == 0:
		return alg
	}
	return fmt.Sprintf("%s %d bits", alg, bits)
}

func altNames(dns, ips, emails, uris []string) string {
	var all []string
	for _, pre := range []struct {
		tag  string
		list []string
	}{{"DNS:", dns}, {"IP:", ips}, {"email:", emails}, {"URI:", uris}} {
		for _, v := range pre.list {
			all = append(all, pre.tag+termsafe.String(v))
		}
	}
	return list(all)
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Fingerprint formats a hex digest the way openssl -fingerprint prints it:
// upper case, bytes separated by colons.
func Fingerprint(hexDigest string) string {
	up := strings.ToUpper(hexDigest)
	var b strings.Builder
	for i := 0; i+1 < len(up); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(up[i : i+2])
	}
	return b.String()
}

// errWriter remembers the first write error so rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) field(name, value string) {
	e.printf("    %-19s %s\n", name+":", value)
}
