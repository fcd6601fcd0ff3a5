package cucm_test

import (
	"testing"

	"github.com/confcert/confcert/internal/product/producttest"
)

// TestPlanVersionsCheckAccepts: every version the plan accepts, the plan's
// role checks accept as --version (one parser for both, issue 9).
func TestPlanVersionsCheckAccepts(t *testing.T) {
	producttest.VersionsCheckAccepted(t, "../../../examples/cucm-cluster.yaml", "15", []string{"12.5", "12.5(1)SU3", "14", "14SU2", "15 SU 5", "15su5"})
}
