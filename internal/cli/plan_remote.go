package cli

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/apply"
	"github.com/confcert/confcert/internal/caclient"
)

// remoteFor is the deployment's ca_server as plan uses it: the token from
// CONFCERT_TOKEN_FILE, the service's CA trusted from CONFCERT_SERVER_CA
// when set (spec serve.md, "From plan and the CLI").
func remoteFor(server string) (apply.Remote, error) {
	rf := remoteFlags{server: server}
	c, err := rf.client()
	if err != nil {
		return nil, err
	}
	return planRemote{c}, nil
}

// planRemote adapts the API client to apply.Remote.
type planRemote struct{ c *caclient.Client }

func (p planRemote) Submit(ctx context.Context, csrPEM []byte, profile string, days int) (string, *x509.Certificate, error) {
	r, err := p.c.Submit(ctx, csrPEM, profile, days, "submitted by confcert plan")
	if err != nil {
		return "", nil, explainRemote(err)
	}
	if r.Status != "issued" {
		return r.ID, nil, nil
	}
	cert, err := p.fetch(ctx, r.IssuedSerial())
	return r.ID, cert, err
}

func (p planRemote) Collect(ctx context.Context, id string) (string, *x509.Certificate, error) {
	r, err := p.c.Request(ctx, id)
	if err != nil {
		return "", nil, explainRemote(err)
	}
	if r.Status != "issued" {
		return r.Status, nil, nil
	}
	cert, err := p.fetch(ctx, r.IssuedSerial())
	return r.Status, cert, err
}

func (p planRemote) CA(ctx context.Context) (*x509.Certificate, error) {
	data, err := p.c.CACertificate(ctx)
	if err != nil {
		return nil, explainRemote(err)
	}
	return firstCert(data)
}

func (p planRemote) fetch(ctx context.Context, serial string) (*x509.Certificate, error) {
	data, err := p.c.Certificate(ctx, serial, "")
	if err != nil {
		return nil, explainRemote(err)
	}
	return firstCert(data)
}

func firstCert(data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("the CA service's answer holds no certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// explainRemote puts a refused CSR's findings into the error, so plan's
// message says what the profile objected to, and the number of tries of a
// call sent again while the service was busy.
func explainRemote(err error) error {
	e, ok := caclient.Refused(err)
	if !ok {
		var tried *caclient.Error
		if errors.As(err, &tried) && tried.Tries > 1 {
			return fmt.Errorf("%w (tried %d times: the service was busy)", err, tried.Tries)
		}
		return err
	}
	var lines []string
	for _, f := range e.Findings {
		if f.Severity == "FAILURE" {
			lines = append(lines, f.Rule+": "+f.Message)
		}
	}
	return errors.New(e.Message + ": " + strings.Join(lines, "; "))
}
