package expressway

import "github.com/confcert/confcert/internal/plan"

// The Expressway roles of `confcert check`.
const (
	RoleC      plan.RoleName = "expressway-c"
	RoleE      plan.RoleName = "expressway-e"
	RoleClient plan.RoleName = "expressway-client"
)
