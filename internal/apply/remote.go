package apply

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/plan"
)

// Remote is a CA service that may wait for an approver before it signs
// (confcert serve, spec serve.md): a deployment's ca_server.
type Remote interface {
	// Submit sends a CSR for a profile; cert is nil while the request waits
	// for approval, and id names it.
	Submit(ctx context.Context, csrPEM []byte, profile string, days int) (id string, cert *x509.Certificate, err error)
	// Collect asks what became of a request: its status (pending, approved,
	// issued, rejected, failed) and, once issued, the certificate.
	Collect(ctx context.Context, id string) (status string, cert *x509.Certificate, err error)
	// CA returns the certificate of the CA that signs for the service.
	CA(ctx context.Context) (*x509.Certificate, error)
}

// RemoteCAs gives the CA certificate of a CA service for every CA the plan
// names, for the bundles; signing goes through Options.Remote.
func RemoteCAs(rm Remote) Authorities { return remoteCAs{rm} }

type remoteCAs struct{ rm Remote }

func (s remoteCAs) Ensure(ctx context.Context, name, _ string) (Authority, bool, error) {
	a, err := s.Find(ctx, name)
	return a, false, err
}

func (s remoteCAs) Find(ctx context.Context, _ string) (Authority, error) {
	ca, err := s.rm.CA(ctx)
	if err != nil {
		return nil, err
	}
	return remoteAuthority{ca}, nil
}

type remoteAuthority struct{ ca *x509.Certificate }

func (a remoteAuthority) Certificate() *x509.Certificate { return a.ca }

func (a remoteAuthority) Sign(context.Context, *x509.CertificateRequest, SignRequest) (*x509.Certificate, error) {
	return nil, errors.New("a CA service signs through Options.Remote")
}

// requestFile keeps the ID of a request awaiting approval beside the CSR,
// so the next run collects instead of submitting again.
func requestFile(c *plan.Certificate) string { return c.Files.CSR + ".request" }

// remoteIssue submits the CSR to the CA service, or collects what an
// earlier run submitted. It returns nil and sets it.awaiting while an
// approver has not decided.
func (r *run) remoteIssue(ctx context.Context, it *item) (*x509.Certificate, error) {
	c := it.c
	idPath := r.path(requestFile(c))
	if it.newCSR {
		_ = os.Remove(idPath) // a request for the old CSR is of no use now
	} else if id := readRequestID(idPath); id != "" {
		cert, done, err := r.collectRequest(ctx, it, id)
		if done || err != nil {
			return cert, err
		}
	}
	profile, err := profileOf(c)
	if err != nil {
		return nil, err
	}
	csrPEM := certio.CSRPEM(it.csr.Raw)
	id, cert, err := r.o.Remote.Submit(ctx, csrPEM, profile, c.ValidityDays())
	if err != nil {
		return nil, fmt.Errorf("submitting %s to %s: %w", c.Files.CSR, r.p.CAServer, err)
	}
	if cert != nil {
		return checkKey(it, cert)
	}
	it.awaiting = id
	return nil, fileout.Write(fileout.File{Path: idPath, Data: []byte(id + "\n")})
}

// collectRequest asks for an earlier request: done with the certificate once
// issued, done and awaiting while pending, not done when it was refused
// (the caller submits again).
func (r *run) collectRequest(ctx context.Context, it *item, id string) (*x509.Certificate, bool, error) {
	status, cert, err := r.o.Remote.Collect(ctx, id)
	if err != nil {
		return nil, true, fmt.Errorf("asking %s for request %s: %w", r.p.CAServer, id, err)
	}
	switch status {
	case "issued":
		if cert, err = checkKey(it, cert); err == nil {
			_ = os.Remove(r.path(requestFile(it.c)))
		}
		return cert, true, err
	case "pending", "approved":
		it.awaiting = id
		return nil, true, nil
	}
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("request %s for %s was %s: submitted again", id, it.c.Files.CSR, status))
	return nil, false, nil
}

// checkKey refuses a certificate for another key than the CSR's (the key
// may be held by another system, so the CSR is what is compared).
func checkKey(it *item, cert *x509.Certificate) (*x509.Certificate, error) {
	pub, ok := it.csr.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if cert == nil || !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("the CA service returned a certificate that does not match %s", it.c.Files.CSR)
	}
	return cert, nil
}

func readRequestID(path string) string {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// profileOf is the profile a certificate is submitted under: the built-in
// profile named after its first check role (spec serve.md, "Profiles").
func profileOf(c *plan.Certificate) (string, error) {
	if len(c.Roles) == 0 {
		return "", fmt.Errorf("certificate %s has no check role to choose a profile of the CA service by", c.Name)
	}
	return string(c.Roles[0].Role), nil
}
