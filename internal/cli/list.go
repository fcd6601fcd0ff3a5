package cli

import (
	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/validity"

	"cmp"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/ui"
)

func newListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the PKI files in --dir by what they hold, like the MMP's pki list",
		Long: "Lists private keys first, then CSRs, certificates, bundles, PKCS#12 files and public keys,\n" +
			"recognised by content whatever their extension, with the key type, the CN and the expiry\n" +
			"(Cisco Meeting Server Certificate Guidelines 2.9, Appendix C). Files that hold nothing PKI are left out.",
		Example: "  confcert list --dir certs",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runList(a)
		},
	}
}

// listRow is one row of the list, with the rank that orders it.
type listRow struct {
	rank                          int
	name, holds, details, expires string
}

// Ranks: keys first, like pki list (seed 003).
const (
	rankKey = iota
	rankCSR
	rankCertificate
	rankBundle
	rankPKCS12
	rankPublicKey
	rankUnreadable
)

func runList(a *app) error {
	entries, err := os.ReadDir(a.dir)
	if err != nil {
		return badInput(fmt.Errorf("reading directory: %w", err), "give an existing directory with --dir")
	}
	var rows []listRow
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == dirlock.FileName { // the lock of a plan's directory is no PKI file
			continue
		}
		if row, ok := listFile(filepath.Join(a.dir, e.Name()), a.now()); ok {
			row.name = e.Name()
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintf(a.stdout, "No PKI files in %s\n", a.dir)
		return err
	}
	slices.SortStableFunc(rows, func(x, y listRow) int {
		return cmp.Or(cmp.Compare(x.rank, y.rank), cmp.Compare(x.name, y.name))
	})
	t := ui.NewTable("FILE", "HOLDS", "DETAILS", "EXPIRES")
	for _, r := range rows {
		t.Row(r.name, r.holds, r.details, r.expires)
	}
	return t.Render(a.stdout)
}

// listFile reads a file without asking for passwords and says what it
// holds; ok is false for files that are not PKI files at all.
func listFile(path string, now time.Time) (listRow, bool) {
	if row, err := listStream(path, now); !errors.Is(err, certio.ErrNotCertificates) {
		return row, true
	}
	file, err := certio.ReadFile(path, certio.Options{})
	if errors.Is(err, certio.ErrUnknownFormat) {
		return listRow{}, false
	}
	if err != nil {
		var fe *certio.FileError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return listRow{rank: rankUnreadable, holds: "unreadable", details: err.Error()}, true
	}
	if file.Encoding == certio.PKCS12 {
		return listPKCS12(file, now), true
	}
	return listObjects(file, now)
}

// listStream says what a PEM file of certificates only holds, reading it a
// batch at a time (certio.StreamFile): the count, the first subject and
// the first to expire are all a row needs. It gives certio.ErrNotCertificates
// for any other file, which listFile then reads whole.
func listStream(path string, now time.Time) (listRow, error) {
	var n int
	var first, soonest *x509.Certificate
	err := certio.StreamFile(path, 2048, func(certs []*x509.Certificate) error {
		if first == nil {
			first = certs[0]
		}
		c := firstToExpire(certs)
		if soonest == nil || c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
		n += len(certs)
		return nil
	})
	switch {
	case errors.Is(err, certio.ErrNotCertificates):
		return listRow{}, err
	case err != nil:
		var fe *certio.FileError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return listRow{rank: rankUnreadable, holds: "unreadable", details: err.Error()}, nil
	case n == 1:
		return listRow{rank: rankCertificate, holds: "certificate", details: listCN(first.Subject.CommonName),
			expires: listExpiry(first, now)}, nil
	}
	return listRow{rank: rankBundle, holds: "bundle of " + listCount(n, "certificate"),
		details: listCN(first.Subject.CommonName), expires: listExpiry(soonest, now)}, nil
}

func listObjects(file *certio.File, now time.Time) (listRow, bool) {
	certs, csrs, privs := file.Certificates(), file.CSRs(), file.PrivateKeys()
	switch {
	case len(privs) > 0:
		l := listRow{rank: rankKey, holds: "private key", details: listKeyDetails(privs[0])}
		if len(certs) > 0 {
			l.holds = fmt.Sprintf("private key + %s", listCount(len(certs), "certificate"))
		}
		return l, true
	case len(csrs) > 0:
		return listRow{rank: rankCSR, holds: "CSR", details: listCN(csrs[0].Subject.CommonName)}, true
	case len(certs) == 1:
		return listRow{rank: rankCertificate, holds: "certificate", details: listCN(certs[0].Subject.CommonName),
			expires: listExpiry(certs[0], now)}, true
	case len(certs) > 1:
		first := firstToExpire(certs)
		return listRow{rank: rankBundle, holds: "bundle of " + listCount(len(certs), "certificate"),
			details: listCN(certs[0].Subject.CommonName), expires: listExpiry(first, now)}, true
	case len(file.Objects) > 0:
		return listRow{rank: rankPublicKey, holds: "public key", details: keys.Label(file.Objects[0].PublicKey)}, true
	}
	return listRow{}, false
}

func listPKCS12(file *certio.File, now time.Time) listRow {
	l := listRow{rank: rankPKCS12, holds: "PKCS#12"}
	if file.Locked {
		l.details = "password-protected"
		return l
	}
	certs := file.Certificates()
	l.details = fmt.Sprintf("%d key(s), %s", len(file.PrivateKeys()), listCount(len(certs), "certificate"))
	if len(certs) > 0 {
		l.expires = listExpiry(firstToExpire(certs), now)
	}
	return l
}

func listKeyDetails(o certio.Object) string {
	if o.PrivateKey == nil {
		return "encrypted"
	}
	label := keys.Label(o.PublicKey)
	if o.Encrypted {
		label += ", encrypted"
	}
	return label
}

func listCN(cn string) string {
	if cn == "" {
		return "(no CN)"
	}
	return "CN=" + termsafe.String(cn)
}

// listExpiry is the notAfter date and the days left, or EXPIRED.
func listExpiry(c *x509.Certificate, now time.Time) string {
	date := c.NotAfter.UTC().Format(time.DateOnly)
	if validity.Expired(c.NotAfter, now) {
		return date + " EXPIRED"
	}
	return fmt.Sprintf("%s (%d days)", date, validity.DaysLeft(c.NotAfter, now))
}

// firstToExpire returns the certificate that expires first.
func firstToExpire(certs []*x509.Certificate) *x509.Certificate {
	return slices.MinFunc(certs, func(x, y *x509.Certificate) int { return x.NotAfter.Compare(y.NotAfter) })
}

func listCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
