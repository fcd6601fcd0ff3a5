package cms

import "github.com/confcert/confcert/internal/plan"

// The Meeting Server roles of `confcert check` (spec roles.md), named once:
// the plan asks for them (certificates.go) and roles.go gives their rules.
const (
	RoleCallbridge      plan.RoleName = "cms-callbridge"
	RoleWebbridge       plan.RoleName = "cms-webbridge"
	RoleWebbridge3HTTPS plan.RoleName = "cms-webbridge3-https"
	RoleWebbridge3C2W   plan.RoleName = "cms-webbridge3-c2w"
	RoleXMPP            plan.RoleName = "cms-xmpp"
	RoleTURN            plan.RoleName = "cms-turn"
	RoleDBServer        plan.RoleName = "cms-dbserver"
	RoleDBClient        plan.RoleName = "cms-dbclient"
	RoleTrunk           plan.RoleName = "cms-trunk"
	RoleLoadbalancer    plan.RoleName = "cms-loadbalancer"
	RoleWebadmin        plan.RoleName = "cms-webadmin"
	RoleRecorder        plan.RoleName = "cms-recorder"
	RoleStreamer        plan.RoleName = "cms-streamer"
)

// genericRole is the role of a service checked by the generic rules only
// (spec roles.md: Web Admin, Recorder, Streamer; seed 002 Table 3).
func genericRole(service string) plan.RoleName {
	switch service {
	case svcRecorder:
		return RoleRecorder
	case svcStreamer:
		return RoleStreamer
	}
	return RoleWebadmin
}
