package cli

// PLACEHOLDER owned by helper H2a: replace this whole file with the real verb.

import "github.com/spf13/cobra"

func newUnlockCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "unlock", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return badInput(errorf("unlock is not built yet"), "")
	}}
}
