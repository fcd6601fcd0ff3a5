// Package expressway is everything confcert knows about Cisco Expressway-C
// and Expressway-E certificates (spec plan.md "Cisco Expressway"), from
// Cisco's Expressway Certificate Creation and Use Deployment Guides X15.4 and
// X15.5, the Expressway Administrator Guide X15.4, the Mobile and Remote
// Access Through Cisco Expressway Deployment Guide X15.0, Field Notice
// FN74362 and TAC documents 225482, 225693, 221624, 213872, 215670. The
// research notes that gather them (shared/research/expressway-cucm.md)
// number the facts EXP-01 to EXP-32; comments cite both, users read only
// the Cisco document.
//
//   - deployment.go: the deployment file's schema and its checks;
//   - version.go: Expressway versions (X15.3, X15.4, X15.5) and what each
//     needs of extended key usage;
//   - certificates.go: one key and certificate per peer, names by role, the
//     X15.5 client certificate, trust bundles;
//   - install.go: each cluster's install file, in the web workflow's order;
//   - roles.go: the `confcert check` roles expressway-c, expressway-e and
//     expressway-client.
package expressway
