// Package plan holds the deployment plan: every certificate, bundle and install
// instruction a deployment needs, as the product rules work it out. It is the
// document `confcert plan --json` prints and `plan.json` records (spec plan.md,
// "The plan document"). Product rules fill it in (the packages under
// internal/product); package apply carries it out; role checks read it
// (package rolecheck).
package plan

import (
	"github.com/confcert/confcert/internal/validity"

	"slices"
	"strings"

	"github.com/confcert/confcert/internal/chain"
)

// Signer values other than a local CA's name (spec plan.md, "The plan document").
const (
	SignerPublic = "public" // a public CA signs it: confcert writes the CSR and waits for --import
	SignerSelf   = "self"   // self-signed
)

// Status values of a certificate in the plan document.
const (
	StatusSigned     = "signed"
	StatusAwaitingCA = "awaiting-ca"
	StatusInvalid    = "invalid"
	// StatusAwaitingApproval starts the status of a certificate submitted to
	// the deployment's ca_server and not approved yet: "awaiting approval
	// (ID)", the words docs/serve.md gives scripts for a pending request.
	StatusAwaitingApproval = "awaiting approval"
)

// Plan is the whole plan document.
type Plan struct {
	Product string `json:"product"`
	// Products lists the products of a plan made of several deployments
	// (a deployments: list, or several files): Product is then their names
	// joined by '+', and each role check carries its product's version.
	Products     []string       `json:"products,omitempty"`
	Version      string         `json:"version,omitempty"`
	Certificates []*Certificate `json:"certificates"`
	Bundles      []Bundle       `json:"bundles"`
	Install      []Install      `json:"install"`
	CAs          []CA           `json:"cas,omitempty"`
	// Expects lists names one product needs in another product's
	// certificates (Expressway-C's Unified CM node names in the tomcat
	// certificate): when both are planned together they are checked.
	Expects []Expectation `json:"expects,omitempty"`
	// CAServer is the deployment's ca_server: the CA service (confcert
	// serve) the internal CSRs are submitted to instead of a local CA.
	CAServer string   `json:"ca_server,omitempty"`
	Warnings []string `json:"warnings"`
	// RunFlags are the flags this run needs repeated on the next one: a flag
	// that overrode the deployment file (spec plan.md "Phases and flags").
	// Not part of the plan document.
	RunFlags []string `json:"-"`
}

// Certificate is one certificate the deployment needs.
type Certificate struct {
	Name        string   `json:"name"`
	CN          string   `json:"cn"`
	SANs        []string `json:"sans"`
	Subject     Subject  `json:"subject,omitzero"`
	KeyType     string   `json:"key_type"`
	KeyUsage    []string `json:"key_usage"`
	ExtKeyUsage []string `json:"ext_key_usage"`
	Signer      string   `json:"signer"`
	Days        int      `json:"days,omitempty"`
	Files       Files    `json:"files"`
	UsedBy      []Use    `json:"used_by"`
	Status      string   `json:"status"`
	// Roles are the `confcert check` roles this certificate must pass
	// (spec roles.md), e.g. "cms-callbridge", with the names each role checks.
	Roles []RoleCheck `json:"roles,omitempty"`
	// KeyHeld, when set, says the key is made and kept elsewhere (the Unified
	// CM publisher generates it with the CSR): confcert makes no key, takes
	// the CSR that --import brings back, checks it and signs it.
	KeyHeld *KeyHeld `json:"key_held,omitempty"`
	// SubordinateCA, when true, says the signer issues the certificate as a
	// CA that may sign end-entity certificates only: basicConstraints
	// CA:TRUE with pathLenConstraint 0, critical, and the plan's key_usage
	// as it stands (digitalSignature, keyCertSign), whatever the CSR asks.
	// Only a local CA of the deployment signs it (the Unified CM CAPF, which
	// issues the phones' certificates).
	SubordinateCA bool `json:"subordinate_ca,omitempty"`
	// Template is the Microsoft CA certificate template for `certreq -submit`
	// when Signer is public or a Microsoft CA (seed 002 §3.3, seed 003).
	Template string `json:"template,omitempty"`
}

// Expectation is a set of names that the certificates of a role in
// another product of the deployment must carry.
type Expectation struct {
	Role  RoleName `json:"role"`
	Names []string `json:"names"`
	// By says who expects them, for messages.
	By string `json:"by"`
	// Why says what fails without them, citing the guide.
	Why string `json:"why"`
}

// KeyHeld describes a certificate whose key and CSR another system makes.
type KeyHeld struct {
	// By names who makes the key and the CSR, e.g. "cucm-pub.example.com
	// (Unified CM publisher)".
	By string `json:"by"`
	// Hint is a word the CSR's file name holds when several planned
	// certificates share a CN (Unified CM names its CSR after the purpose:
	// tomcat.csr, CallManager.csr).
	Hint string `json:"hint,omitempty"`
	// MaxKeyBits refuses an RSA CSR with a larger key (0: no limit).
	MaxKeyBits int `json:"max_key_bits,omitempty"`
	// KeyAlgorithm is "RSA" or "ECDSA": the CSR's key must be of it.
	KeyAlgorithm string `json:"key_algorithm,omitempty"`
}

// Subject holds the optional subject attributes every CSR carries besides the CN.
type Subject struct {
	O            string `json:"O,omitempty" yaml:"O"`
	OU           string `json:"OU,omitempty" yaml:"OU"`
	L            string `json:"L,omitempty" yaml:"L"`
	ST           string `json:"ST,omitempty" yaml:"ST"`
	C            string `json:"C,omitempty" yaml:"C"`
	EmailAddress string `json:"emailAddress,omitempty" yaml:"emailAddress"`
}

// Files names a certificate's files inside the output directory.
type Files struct {
	Key  string `json:"key"`
	CSR  string `json:"csr"`
	Cert string `json:"cert"`
	// FullChain is the leaf-then-issuers file some services need
	// (Web Bridge 3, seed 002 D.1–D.3); empty when none.
	FullChain string `json:"fullchain,omitempty"`
	// PFX is the PKCS#12 file of key, certificate and chain, when asked for
	// (CWMS --pfx, spec plan.md CWMS rule 5); empty when none.
	PFX string `json:"pfx,omitempty"`
	// PFXEncryption is how PFX is encrypted: "" (PFXLegacy) for 3DES with a
	// 2048-iteration SHA-1 MAC, which every CWMS release imports, or PFXAES
	// for AES-256 with PBKDF2 (deployment key pfx_encryption: aes).
	PFXEncryption string `json:"pfx_encryption,omitempty"`
	// KeyFormat is how the key file is written: "" for PKCS#8 ("PRIVATE
	// KEY"), KeyTraditional for the traditional OpenSSL form ("RSA PRIVATE
	// KEY", or "EC PRIVATE KEY" for an ECDSA key) that some products' key
	// fields take (MeetingPlace, seed 004).
	KeyFormat string `json:"key_format,omitempty"`
}

// KeyTraditional is the traditional OpenSSL key form of Files.KeyFormat.
const KeyTraditional = "traditional"

// Use says which node and service use a certificate.
type Use struct {
	Node    string `json:"node"`
	Service string `json:"service"`
}

// RoleName names a `confcert check` role (spec roles.md), e.g.
// "cms-callbridge". Each product package declares its roles' names as
// constants and uses them both in its plan and in its role rules.
type RoleName string

// RoleCheck is one `confcert check` role run on a certificate, with the
// arguments that role takes (spec roles.md).
type RoleCheck struct {
	Role        RoleName `json:"role"`
	Names       []string `json:"names,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	CUCM        bool     `json:"cucm,omitempty"`
	LyncFQDN    string   `json:"lync_fqdn,omitempty"`
	PeerCert    string   `json:"peer_cert,omitempty"` // name of the peer certificate in the plan
	Trust       string   `json:"trust,omitempty"`     // name of the CA whose certificate must anchor the chain
	Version     string   `json:"version,omitempty"`
	IRP         []string `json:"irp,omitempty"`
	SecureAudio bool     `json:"secure_audio,omitempty"`
}

// Bundle is a chain or trust file the deployment needs.
type Bundle struct {
	Name    string       `json:"name"`
	File    string       `json:"file"`
	Layout  chain.Layout `json:"layout"`
	Members []string     `json:"members"`
	// CA is the local CA whose chain this bundle carries, when it is a CA bundle.
	CA string `json:"ca,omitempty"`
	// Key is true when the private key block goes on top (seed 001; CWMS --key-in-bundle).
	Key bool `json:"key,omitempty"`
	// Issuers is true for a trust bundle of CA certificates: the issuers of
	// each member's chain, root included, each once (an Expressway Trusted
	// CA list, a Unified CM trust store), not the members themselves.
	Issuers bool `json:"issuers,omitempty"`
}

// Install is the install instruction file of one node. A Meeting Server's
// file has five parts (spec plan.md CMS rule 9): Uploads, Checks before any
// change, Record of the configuration now, the Commands that change it (each
// with the line the server prints on success in Expect), and Rollback.
type Install struct {
	Node    string   `json:"node"`
	File    string   `json:"file"`
	Uploads []string `json:"uploads,omitempty"`
	// Pending are the uploads that exist only after --import (a public CA's
	// certificate and the files built from it).
	Pending []string `json:"pending,omitempty"`
	// Checks run before changing anything: stop on any FAILURE.
	Checks []string `json:"checks,omitempty"`
	// Record prints the configuration now, to keep for rollback.
	Record   []string `json:"record,omitempty"`
	Commands []string `json:"commands,omitempty"`
	// Expect is, per command, what the server prints on success ("" when it
	// prints nothing to look for).
	Expect   []string `json:"expect,omitempty"`
	Rollback []string `json:"rollback,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// CA is a local CA the plan uses, created on first use (spec plan.md, "The local CA").
type CA struct {
	Name    string `json:"name"`
	KeyType string `json:"key_type"`
	// Purpose says why it exists, e.g. "internal" or "database cluster" (seed 002 §1.2.3, §3.1.5).
	Purpose string `json:"purpose,omitempty"`
	// Cluster names the database cluster a database CA is dedicated to
	// (ClusterID); empty for every other CA (spec plan.md CMS rule 6).
	Cluster string `json:"cluster,omitempty"`
}

// ClusterID names a database cluster by its deployment's domain and its
// database nodes' FQDNs, e.g. "pod2.cms.lab: cms1a.pod2.cms.lab, cms1b.pod2.cms.lab".
func ClusterID(domain string, fqdns []string) string {
	return domain + ": " + strings.Join(fqdns, ", ")
}

// InCluster reports whether a certificate's CN is one a database cluster's
// dedicated CA signs: dbclient's "postgres", or a node FQDN of the cluster
// (dbserver's CN is the first node's, seed 002 §3.1.5).
func InCluster(cn, cluster string) bool {
	if cn == "postgres" {
		return true
	}
	_, nodes, _ := strings.Cut(cluster, ": ")
	return slices.ContainsFunc(strings.Split(nodes, ", "), func(n string) bool { return strings.EqualFold(n, cn) })
}

// SameCluster reports whether two ClusterIDs name one cluster: the same
// domain and at least one database node in common, so that a cluster that
// gains or loses a node is still the same one.
func SameCluster(a, b string) bool {
	da, na, _ := strings.Cut(a, ": ")
	db, nb, _ := strings.Cut(b, ": ")
	if !strings.EqualFold(da, db) {
		return false
	}
	for _, n := range strings.Split(na, ", ") {
		if slices.ContainsFunc(strings.Split(nb, ", "), func(m string) bool { return strings.EqualFold(m, n) }) {
			return true
		}
	}
	return false
}

// IssuersFile is the file of the output directory that keeps the CA
// certificates `--import` found (intermediates and roots), so that later runs
// and checks can rebuild and verify public chains whose upload layout leaves
// the root out (CWMS, MeetingPlace).
const IssuersFile = "imported-issuers.pem"

// How a plan's .pfx files are encrypted (Files.PFXEncryption).
const (
	PFXLegacy = "3des"
	PFXAES    = "aes"
)

// Microsoft CA certificate templates for `certreq -submit -attrib
// "CertificateTemplate:..."`: WebServer issues serverAuth only (seed 002 §3.3);
// a certificate that also needs clientAuth needs a template allowing both
// "TLS Web Client and Server Authentication" (seed 002 §2.2, §3.3 notes),
// which seed 003's lab calls ClientandServerAuthentication.
const (
	TemplateServer       = "WebServer"
	TemplateServerClient = "ClientandServerAuthentication"
)

// TemplateFor returns the Microsoft CA template for a certificate with the
// given extended key usages.
func TemplateFor(eku []string) string {
	if slices.Contains(eku, "clientAuth") {
		return TemplateServerClient
	}
	return TemplateServer
}

// ValidityDays returns the certificate's planned validity, validity.DefaultDays when
// the plan gives none.
func (c *Certificate) ValidityDays() int {
	if c.Days > 0 {
		return c.Days
	}
	return validity.DefaultDays
}

// CertreqTemplate returns the Microsoft CA template for the certificate: the
// planned one, or the one its extended key usages call for.
func (c *Certificate) CertreqTemplate() string {
	if c.Template != "" {
		return c.Template
	}
	return TemplateFor(c.ExtKeyUsage)
}
