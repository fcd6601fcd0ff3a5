package cli

// PLACEHOLDER owned by helper H2a: replace this whole file with the real verb.

import "github.com/spf13/cobra"

func newPKCS12ToSSHCmd(a *app) *cobra.Command {
	return &cobra.Command{Use: "pkcs12tossh", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return badInput(errorf("pkcs12tossh is not built yet"), "")
	}}
}
