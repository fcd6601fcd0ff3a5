package expressway_test

import (
	"testing"

	"github.com/confcert/confcert/internal/product/producttest"
)

// TestPlanVersionsCheckAccepts: every version the plan accepts, the plan's
// role checks accept as --version (one parser for both, issue 9).
func TestPlanVersionsCheckAccepts(t *testing.T) {
	producttest.VersionsCheckAccepted(t, "../../../examples/expressway-mra.yaml", "X15.5", []string{"X14.3", "X15.3.2", "X15.4", "x15.5", "X15.5.1", "X8.10"})
}
