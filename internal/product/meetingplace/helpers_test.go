package meetingplace_test

import "github.com/confcert/confcert/internal/product/producttest"

// The helpers of package producttest, under the short names the tests use.
var (
	planOf      = producttest.PlanOf
	problemsOf  = producttest.ProblemsOf
	certNamed   = producttest.CertNamed
	bundleNamed = producttest.BundleNamed
	installOf   = producttest.InstallOf
	hasWarning  = producttest.HasWarning
	equal       = producttest.Equal
)
