package cli

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// atUsage is the help of the --at flag of plan, check and expiry.
const atUsage = "judge as of `DAY` (2027-03-15 or an RFC 3339 time) instead of now: the public-CA calendar, validity, expiry"

// addAtFlag adds --at to a verb whose judgement depends on the day.
func addAtFlag(fl *pflag.FlagSet, at *string) {
	fl.StringVar(at, "at", "", atUsage)
}

// setClock makes the app's clock read the --at day, when one is given.
func (a *app) setClock(at string) error {
	if at == "" {
		return nil
	}
	t, err := parseAt(at)
	if err != nil {
		return badInput(err, "write it like 2027-03-15 or 2027-03-15T12:00:00Z")
	}
	a.clock = func() time.Time { return t }
	return nil
}

// parseAt reads a day (midnight UTC) or an RFC 3339 time.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q is neither a day (YYYY-MM-DD) nor an RFC 3339 time", s)
	}
	return t, nil
}
