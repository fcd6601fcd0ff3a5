package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/ui"
)

// localAdmin is who the audit log names for what is done on the server
// itself with the store at hand (token and profile verbs).
func localAdmin() caservice.Principal {
	name := "local"
	if u, err := user.Current(); err == nil {
		name = "local:" + u.Username
	}
	return caservice.Principal{Name: name, Role: caservice.RoleAdmin, Remote: "local"}
}

// withService opens the configured store (keys sealed) and runs f with a
// service on it that loads no CA.
func (a *app) withService(ctx context.Context, f func(*caservice.Service) error) error {
	opened, err := a.openSealed(ctx)
	if err != nil {
		return err
	}
	defer opened.Store.Close()
	return f(caservice.New(caservice.Config{Store: opened.Store, Now: a.now}))
}

func newServeTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke the API tokens of confcert serve", Args: cobra.NoArgs}
	cmd.AddCommand(newTokenCreateCmd(a), newTokenListCmd(a), newTokenRevokeCmd(a))
	return cmd
}

func newTokenCreateCmd(a *app) *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "create --name NAME --role requester|approver|admin|auditor",
		Short: "Make a token; it is printed once, alone on stdout, and never shown again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := caservice.ParseRole(role)
			if err != nil {
				return badInput(err, "give --role requester, approver, admin or auditor")
			}
			return a.withService(cmd.Context(), func(s *caservice.Service) error {
				secret, err := s.CreateToken(cmd.Context(), localAdmin(), name, r)
				if errors.Is(err, castore.ErrExists) {
					return badInput(err, "choose another --name, or revoke the old token: confcert serve token revoke "+name)
				}
				if errors.Is(err, caservice.ErrInvalid) {
					return badInput(err, "a token name is letters, digits and '-'")
				}
				if err != nil {
					return failed(err, "")
				}
				_, err = fmt.Fprintln(a.stdout, secret)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "who the token is for (letters, digits, '-'); the audit log names it")
	cmd.Flags().StringVar(&role, "role", "", "requester, approver, admin or auditor")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newTokenListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the tokens: names, roles, dates (never the tokens themselves)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withService(cmd.Context(), func(s *caservice.Service) error {
				ts, err := s.Tokens(cmd.Context())
				if err != nil {
					return failed(err, "")
				}
				t := ui.NewTable("NAME", "ROLE", "CREATED", "REVOKED")
				for _, tok := range ts {
					revoked := "-"
					if !tok.RevokedAt.IsZero() {
						revoked = tok.RevokedAt.Format(time.DateOnly)
					}
					t.Row(tok.Name, tok.Role, tok.CreatedAt.Format(time.DateOnly), revoked)
				}
				return t.Render(a.stdout)
			})
		},
	}
}

func newTokenRevokeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a token: the service refuses it from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withService(cmd.Context(), func(s *caservice.Service) error {
				err := s.RevokeToken(cmd.Context(), localAdmin(), args[0])
				if errors.Is(err, caservice.ErrNotFound) {
					return badInput(err, "confcert serve token list shows the tokens")
				}
				if err != nil {
					return failed(err, "")
				}
				fmt.Fprintf(a.stderr, "confcert: token %s revoked\n", args[0])
				return nil
			})
		},
	}
}

func newServeProfileCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "profile", Short: "Manage the profiles (certificate templates) of confcert serve", Args: cobra.NoArgs}
	cmd.AddCommand(&cobra.Command{
		Use:   "apply FILE",
		Short: "Add or replace the profiles of a YAML file (profiles: [{name, role, usage, max_days, approval, allowed_suffixes, ca}])",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return badInput(err, "")
			}
			return a.withService(cmd.Context(), func(s *caservice.Service) error {
				ps, err := s.ApplyProfiles(cmd.Context(), localAdmin(), data)
				if errors.Is(err, caservice.ErrInvalid) || errors.Is(err, caservice.ErrNotFound) {
					return badInput(fmt.Errorf("%s: %w", args[0], err), "a profile needs name, role, usage, max_days and approval (confcert help serve)")
				}
				if err != nil {
					return failed(err, "")
				}
				for _, p := range ps {
					fmt.Fprintf(a.stdout, "profile %s: role %s, usage %s, at most %d days, approval %s\n", p.Name, p.Role, p.Usage, p.MaxDays, p.Approval)
				}
				return nil
			})
		},
	})
	return cmd
}
