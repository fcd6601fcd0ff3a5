package rolecheck

import (
	"crypto/x509"
	"slices"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
)

// UploadChain judges an upload file (a CWMS or MeetingPlace bundle) the way a
// mobile client does: the chain it holds must reach a trust anchor, --trust
// when given, else the system roots; a missing intermediate fails and is
// named. Mobile clients do not fetch missing intermediates ("keep the
// intermediates in the bundle"), so an incomplete chain that desktop browsers
// would mend is still refused (CWMS-CHAIN, MP-CHAIN of spec roles.md).
func UploadChain(id string, in *Input) []Result {
	roots := in.fileRoots()
	if in.Trust != nil {
		roots = slices.Concat(roots, anchors(in.Trust.Certs))
	} else if sys, err := in.publicRoots(); err == nil {
		roots = slices.Concat(roots, sys)
	}
	c, err := chain.Build(in.intermediates(), chain.Options{Leaf: in.Leaf, Roots: roots, At: in.Now})
	fix := "add every intermediate the CA sent to " + in.Cert.Path + " (confcert plan --import with the CA's files rebuilds it), or give the private root with --trust FILE"
	switch {
	case err != nil:
		return Fail(id, "the chain of "+in.Cert.Path+" cannot be built: "+err.Error(), fix)
	case !c.Complete:
		return Fail(id, "the chain is incomplete: the issuer "+c.MissingIssuer+" is in neither the file nor the trust anchors, and mobile clients refuse such a site", fix)
	}
	if err := in.Verify(roots); err != nil {
		return Fail(id, "the chain does not verify: "+VerifyWords(err), fix)
	}
	return Pass(id, "the chain is complete: "+pathWords(in, roots))
}

// KeyOnTop judges, when --key names the key made outside the product, that
// the upload file holds that key as its very first block (CWMS-KEY-MISSING of
// spec roles.md).
func KeyOnTop(id string, in *Input) []Result {
	if in.Key == nil || in.PrivKey == nil {
		return nil
	}
	fix := "rebuild the upload file with the key on top: confcert bundle --key " + in.KeyFrom + " ... (confcert plan does so unless key_in_bundle: false)"
	blocks := in.Cert.Layout.Blocks
	if len(blocks) == 0 || !IsKeyBlock(blocks[0].Type) {
		return Fail(id, in.Cert.Path+" does not start with the private key "+in.KeyFrom+": a key made outside the product must be the first block of the upload", fix)
	}
	for _, k := range in.Cert.File.PrivateKeys() {
		if k.PrivateKey != nil && keys.Match(k.PrivateKey, in.PrivKey.Public()) {
			return Pass(id, "the upload file starts with the key "+in.KeyFrom)
		}
	}
	return Fail(id, "the key on top of "+in.Cert.Path+" is not "+in.KeyFrom, fix)
}

// anchors are the roots of a --trust file: its self-signed certificates, so
// that an intermediate kept beside them (imported-issuers.pem) cannot stand
// in for one the upload file lacks; all of them when none is self-signed.
func anchors(certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		if chain.SelfSigned(c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return certs
	}
	return out
}
