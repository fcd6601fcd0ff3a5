package cwms

import "github.com/confcert/confcert/internal/plan"

// The CWMS roles of `confcert check` (spec roles.md; seed 000): the one
// certificate before 2.5MR5, then the external (site URL) and internal ones.
const (
	RoleSingle   plan.RoleName = "cwms"
	RoleExternal plan.RoleName = "cwms-external"
	RoleInternal plan.RoleName = "cwms-internal"
)
