// Package meetingplace is everything confcert knows about Cisco Unified
// MeetingPlace web conferencing (spec plan.md "Cisco Unified MeetingPlace";
// seed 004, its SSL guide): plan.go holds the deployment file's schema, the
// two certificates and the install notes; roles.go the MeetingPlace role of
// `confcert check` and its rules.
package meetingplace
