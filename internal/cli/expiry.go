package cli

// PLACEHOLDER owned by helper H6: replace this whole file with the real verb.

import "github.com/spf13/cobra"

func newExpiryCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "expiry", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return badInput(errorf("expiry is not built yet"), "")
	}}
}
