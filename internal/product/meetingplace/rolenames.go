package meetingplace

import "github.com/confcert/confcert/internal/plan"

// Role is the MeetingPlace web server role of `confcert check` (spec roles.md; seed 004).
const Role plan.RoleName = "meetingplace"
