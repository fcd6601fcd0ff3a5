// Package cucm is everything confcert knows about Cisco Unified
// Communications Manager, IM and Presence and Unity Connection certificates
// (spec plan.md "Cisco Unified CM, IM and Presence, Unity Connection"), from
// the Security Guide for Cisco Unified Communications Manager Release 14
// ("Certificates"), the Administration Guide 12.5(1)SU3 ("Manage
// Certificates"), Field Notice FN74345 and TAC documents 214231, 225746 and
// 118731. The research notes that gather them (shared/research/
// expressway-cucm.md) number the facts UCM-01 to UCM-22; comments cite both,
// users read only the Cisco document.
//
// Unified CM makes its keys itself: the publisher generates each CSR
// (multi-server when asked). confcert makes no key: it plans the CSRs, checks
// and signs them when `plan --import` brings them back
// (plan.Certificate.KeyHeld), and writes what to upload in which order.
//
//   - deployment.go: the deployment file and its checks;
//   - types.go: the certificate purposes (tomcat, CallManager, CAPF, cup-xmpp...);
//   - certificates.go: the CSRs, their names, the trust bundles; CAPF as a
//     subordinate CA (pathLenConstraint 0) of the internal CA;
//   - install.go: each cluster's install file, trust first, one type at a time;
//   - roles.go: the `confcert check` roles cucm-tomcat, cucm-callmanager,
//     cucm-cup-xmpp, one per purpose family (none for TVS, ipsec and CAPF,
//     so the CA service has no CAPF profile: docs/plan-rules.md).
package cucm
