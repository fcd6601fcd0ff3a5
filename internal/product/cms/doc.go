// Package cms is everything confcert knows about Cisco Meeting Server 2.x and
// 3.x (spec plan.md "Cisco Meeting Server"; seed 002, the Meeting Server 2.9
// certificate guidelines; seed 003, the 3-node lab), one file per concern:
//
//   - deployment.go: the deployment file's schema and every check of it;
//   - certificates.go: which certificates a checked deployment needs, their
//     names, signers, usages and the `confcert check` roles each must pass;
//   - bundles.go: the local CAs, chain bundles and trust bundles;
//   - install.go: each node's install file, in the guide's order;
//   - mmp.go: the writer of MMP command scripts the install files use;
//   - roles.go: the Meeting Server roles of `confcert check` and their rules.
package cms
