package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/rolecheck/rolechecktest"
)

// TestCheckRulesCLI runs the engine's table of rule outcomes through
// `confcert check --json`: the exit code (1 on any FAILURE) and each rule's
// severity. Cases that need the fixtures' fixed clock or injected roots run
// in the engine's tests only.
func TestCheckRulesCLI(t *testing.T) {
	for _, tc := range rolechecktest.Cases() {
		if tc.NoCLI {
			continue
		}
		t.Run(tc.Rule+"/"+tc.Name, func(t *testing.T) {
			req := rolechecktest.Prepare(t, tc)
			var out, errOut bytes.Buffer
			code := Main(append([]string{"check", "--json"}, rolechecktest.Args(req)...), strings.NewReader(""), &out, &errOut)
			var c rolecheck.Check
			if err := json.Unmarshal(out.Bytes(), &c); err != nil {
				t.Fatalf("exit %d, stderr %s: %v", code, errOut.String(), err)
			}
			wantCode := exitOK
			if !c.OK {
				wantCode = exitNo
			}
			if code != wantCode || (tc.Want == rolecheck.Failure && code != exitNo) {
				t.Fatalf("exit %d, want %d (stderr %s)", code, wantCode, errOut.String())
			}
			got, ok := rolechecktest.Worst(c.Results, tc.Rule)
			if !ok {
				t.Fatalf("no result for %s in %+v", tc.Rule, c.Results)
			}
			if got.Severity != tc.Want {
				t.Fatalf("%s = %s (%s), want %s", tc.Rule, got.Severity, got.Message, tc.Want)
			}
			if tc.Want != rolecheck.Success && got.Fix == "" {
				t.Errorf("%s %s has no fix", tc.Rule, got.Severity)
			}
		})
	}
}
