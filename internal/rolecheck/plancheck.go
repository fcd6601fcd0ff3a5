package rolecheck

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/plan"
)

// CheckPlan runs every role check of every certificate of p on the files in
// dir (`confcert check --plan`, `confcert plan --check`). A planned file that
// is missing is a FAILURE of rule FILE-PRESENT, except for a certificate still
// awaiting its CA (its own file not there either), which is listed in
// Report.Skipped. Once the CA's certificate is in dir, a missing upload file
// built from it (a CWMS or MeetingPlace bundle) is a FAILURE.
func (rs Roles) CheckPlan(p *plan.Plan, dir string, o Options) (*Report, error) {
	if p == nil {
		return nil, errors.New("no plan to check")
	}
	if o.SystemRoots == nil {
		o.SystemRoots = sync.OnceValues(chain.SystemRoots) // read once for the whole plan
	}
	lints := lintOnce()
	rep := NewReport()
	for _, c := range p.Certificates {
		for _, rc := range c.Roles {
			req := rs.planRequest(p, c, rc, dir)
			if _, err := os.Stat(req.Cert); errors.Is(err, fs.ErrNotExist) {
				if c.Status == plan.StatusAwaitingCA && existing(dir, c.Files.Cert) == "" {
					rep.Skipped = append(rep.Skipped, c.Name+" ("+string(rc.Role)+"): awaiting its CA, no certificate yet")
					continue
				}
				rep.add(missing(c, string(rc.Role), req.Cert))
				continue
			}
			chk, err := rs.run(req, o, lints)
			if err != nil {
				return nil, err
			}
			chk.Certificate = c.Name
			rep.add(chk)
		}
	}
	rep.dedupe()
	return rep, nil
}

// perFile are the rules whose result is about a file that several planned
// certificates share (a CA bundle, a trust file), its path in the message.
var perFile = []string{"BUNDLE-FORMAT", "BUNDLE-ORDER", "FILE-PRESENT"}

// dedupe keeps each finding of a plan check once: a result about a shared
// file once for the whole plan, and any other result once per file checked
// (a certificate judged for several roles runs the generic rules each time).
func (r *Report) dedupe() {
	seen := map[string]bool{}
	r.Drop(func(c *Check, res Result) bool {
		key := res.Rule + "\x00" + string(res.Severity) + "\x00" + res.Message
		if !slices.Contains(perFile, res.Rule) {
			key += "\x00" + c.File
		}
		if seen[key] {
			return true
		}
		seen[key] = true
		return false
	})
}

// Drop removes the results for which drop is true, then the checks left
// with none, and works out OK again.
func (r *Report) Drop(drop func(*Check, Result) bool) {
	checks := r.Checks[:0]
	for _, c := range r.Checks {
		had := len(c.Results)
		c.Results = slices.DeleteFunc(c.Results, func(res Result) bool { return drop(c, res) })
		if had > 0 && len(c.Results) == 0 {
			continue
		}
		c.OK = !slices.ContainsFunc(c.Results, func(res Result) bool { return res.Severity == Failure })
		checks = append(checks, c)
	}
	r.Checks = checks
	r.OK = !slices.ContainsFunc(checks, func(c *Check) bool { return !c.OK })
}

func (r *Report) add(c *Check) {
	r.Checks = append(r.Checks, c)
	r.OK = r.OK && c.OK
}

func missing(c *plan.Certificate, role, path string) *Check {
	return &Check{Role: role, Certificate: c.Name, File: path, Results: Fail("FILE-PRESENT", path+" is missing",
		"run confcert plan again to make what is missing (for a public CA's certificate, --import the intermediates it came with)")}
}

// planRequest turns one planned role check into the flags of `confcert check`.
func (rs Roles) planRequest(p *plan.Plan, c *plan.Certificate, rc plan.RoleCheck, dir string) Request {
	in := func(name string) string {
		if name == "" {
			return ""
		}
		return filepath.Join(dir, name)
	}
	r, _ := rs.find(string(rc.Role))
	req := Request{
		Role: string(rc.Role), Cert: in(certFileFor(p, c, r)), Key: in(existing(dir, c.Files.Key)),
		Names: rc.Names, Domain: rc.Domain, CUCM: rc.CUCM, LyncFQDN: rc.LyncFQDN,
		Version: firstNonEmpty(rc.Version, p.Version), IRP: rc.IRP, SecureAudio: rc.SecureAudio,
	}
	if r.File == LeafFile {
		req.Bundle = in(existing(dir, caBundle(p, c)))
	}
	if rc.Trust != "" {
		req.Trust = in(trustFile(p, rc.Trust))
	}
	if r.File == UploadFile {
		uploadRequest(&req, p, c, dir)
	}
	if peer := planCert(p, rc.PeerCert); peer != nil {
		req.PeerCert = in(peer.Files.Cert)
	}
	return req
}

// certFileFor is the file the role judges: Web Bridge 3 its full chain, CWMS
// and MeetingPlace the upload bundle holding the certificate.
func certFileFor(p *plan.Plan, c *plan.Certificate, r Role) string {
	switch r.File {
	case FullChain:
		return firstNonEmpty(c.Files.FullChain, c.Files.Cert)
	case UploadFile:
		if b := uploadBundle(p, c); b != nil {
			return b.File
		}
	}
	return c.Files.Cert
}

// uploadRequest judges an upload file as it is uploaded: the planned key is
// given only when the plan puts it into the file (CWMS, seed 001), and the
// chain's anchor is the signer's CA certificate, or for a public CA the
// issuers --import kept (a test or private root is in no system store).
func uploadRequest(req *Request, p *plan.Plan, c *plan.Certificate, dir string) {
	if b := uploadBundle(p, c); b == nil || !b.Key {
		req.Key = ""
	}
	if req.Trust != "" {
		return
	}
	anchor := plan.IssuersFile
	if c.Signer != plan.SignerPublic && c.Signer != plan.SignerSelf {
		anchor = trustFile(p, c.Signer)
	}
	if f := existing(dir, anchor); f != "" {
		req.Trust = filepath.Join(dir, f)
	}
}

// uploadBundle is the CWMS or MeetingPlace upload bundle holding c.
func uploadBundle(p *plan.Plan, c *plan.Certificate) *plan.Bundle {
	for i, b := range p.Bundles {
		if slices.Contains(b.Members, c.Name) && b.Layout.HasLeaf() && b.Layout != chain.LayoutFullchain {
			return &p.Bundles[i]
		}
	}
	return nil
}

// caBundle is the CA bundle (layout cms) of the certificate's signer.
func caBundle(p *plan.Plan, c *plan.Certificate) string {
	for _, b := range p.Bundles {
		if b.Layout == chain.LayoutCMS && (b.CA == c.Signer || slices.Contains(b.Members, c.Name)) {
			return b.File
		}
	}
	return ""
}

// trustFile is the file holding the named CA's certificate, or the trust
// bundle of that name (an Expressway Trusted CA list): its CA bundle,
// not an upload file of a certificate it signed (a CWMS bundle names its CA
// too, but holds the leaf).
func trustFile(p *plan.Plan, ca string) string {
	for _, b := range p.Bundles {
		if b.Name == ca && b.Issuers {
			return b.File // a trust list of CA certificates, named by the bundle
		}
	}
	for _, b := range p.Bundles {
		if b.CA == ca && !b.Layout.HasLeaf() {
			return b.File
		}
	}
	return ca + ".crt"
}

func planCert(p *plan.Plan, name string) *plan.Certificate {
	for _, c := range p.Certificates {
		if name != "" && c.Name == name {
			return c
		}
	}
	return nil
}

// existing returns name when the file exists in dir, else "": optional
// inputs (a key kept elsewhere, a bundle not built yet) are simply not used.
func existing(dir, name string) string {
	if name == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		return ""
	}
	return name
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
