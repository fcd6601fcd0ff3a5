// Package cwms is everything confcert knows about Cisco WebEx Meetings Server
// (spec plan.md "Cisco WebEx Meetings Server"; seed 000, the CWMS certificate
// article; seed 001, the bundle article): plan.go holds the deployment file's
// schema, the certificates, bundles and install notes it needs; roles.go the
// CWMS roles of `confcert check` and their rules.
package cwms
