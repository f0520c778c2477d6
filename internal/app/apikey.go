package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"startupgraph/internal/auth"
	"startupgraph/internal/globalid"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

const apikeyUsage = `usage:
  startupgraph apikey create -name NAME -role ADMIN|ANALYST|UNIVERSITY [-university KEY] [-expires-in DURATION]
  startupgraph apikey list
  startupgraph apikey revoke ID
`

// runAPIKey manages API keys straight in the database, so the first ADMIN
// key needs no running server.
func runAPIKey(ctx context.Context, args []string, env Env) error {
	return withStore(ctx, "apikey", args, env, func(s *store.Store, rest []string) error {
		if len(rest) == 0 {
			fmt.Fprint(env.Stderr, apikeyUsage)
			return fmt.Errorf("apikey: give create, list or revoke")
		}
		switch rest[0] {
		case "create":
			return createKey(ctx, s, rest[1:], env)
		case "list":
			return listKeys(ctx, s, env.Stdout)
		case "revoke":
			if len(rest) != 2 {
				return fmt.Errorf("apikey revoke: give the key's ID (see apikey list)")
			}
			id, err := strconv.ParseInt(rest[1], 10, 64)
			if err != nil {
				return fmt.Errorf("apikey revoke: %q is not a key ID", rest[1])
			}
			k, err := s.RevokeAPIKey(ctx, id)
			if err != nil {
				return fmt.Errorf("apikey revoke: %w", err)
			}
			fmt.Fprintf(env.Stdout, "revoked key %d (%s); running servers refuse it at once (at the latest within %s)\n", k.ID, k.Name, auth.CacheTTL)
			return nil
		}
		fmt.Fprint(env.Stderr, apikeyUsage)
		return fmt.Errorf("apikey: unknown subcommand %q", rest[0])
	})
}

func createKey(ctx context.Context, s *store.Store, args []string, env Env) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	name := fs.String("name", "", "what the key is for, e.g. \"GMU partnership office\" (required)")
	role := fs.String("role", "", "ADMIN, ANALYST or UNIVERSITY (required)")
	university := fs.String("university", "", "for UNIVERSITY keys: the university's key, e.g. ghent-university")
	expiresIn := fs.Duration("expires-in", 0, "lifetime of the key, e.g. 2160h; none by default")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var problems []string
	r := viewer.Role(strings.ToUpper(*role))
	if strings.TrimSpace(*name) == "" || len(*name) > 100 {
		problems = append(problems, "-name: give 1 to 100 characters")
	}
	if !r.Valid() {
		problems = append(problems, "-role: must be ADMIN, ANALYST or UNIVERSITY")
	}
	if (r == viewer.University) != (*university != "") {
		problems = append(problems, "-university: required for UNIVERSITY keys and only for them")
	}
	if *expiresIn < 0 {
		problems = append(problems, "-expires-in: must not be negative")
	}
	if len(problems) > 0 {
		return fmt.Errorf("apikey create:\n  %s", strings.Join(problems, "\n  "))
	}
	nk := store.NewAPIKey{Name: strings.TrimSpace(*name), Role: string(r)}
	if *university != "" {
		id, err := s.IDByKey(ctx, globalid.University, *university)
		if err != nil {
			return fmt.Errorf("apikey create: -university %q: %w", *university, err)
		}
		nk.UniversityID = &id
	}
	if *expiresIn > 0 {
		t := time.Now().Add(*expiresIn)
		nk.ExpiresAt = &t
	}
	key, err := auth.NewKey()
	if err != nil {
		return err
	}
	nk.Hash, nk.Prefix = key.Hash, key.Prefix
	created, err := s.CreateAPIKey(ctx, nk)
	if err != nil {
		return fmt.Errorf("apikey create: %w", err)
	}
	fmt.Fprintf(env.Stdout, "created key %d (%s, %s). Store it now; it is not shown again:\n%s\n", created.ID, created.Name, created.Role, key.Secret)
	return nil
}

func listKeys(ctx context.Context, s *store.Store, w io.Writer) error {
	keys, err := s.ListAPIKeys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tROLE\tNAME\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%d\t%s…\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Role, k.Name,
			k.CreatedAt.Format(time.RFC3339), when(k.LastUsedAt), when(k.ExpiresAt), when(k.RevokedAt))
	}
	return tw.Flush()
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
