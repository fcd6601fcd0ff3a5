package meetingplace

import "github.com/confcert/confcert/internal/release"

// ParseVersion reads a MeetingPlace release for `check --version` (6.0,
// 6.0MR5, 8.5 ...; seed 004): the common grammar. The deployment file has no
// version: the plan is the same for every release.
func ParseVersion(s string) (release.Version, error) { return release.Parse(s) }
