package castore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config says which store to open: what `--store`, `CONFCERT_STORE`,
// `--kek-file` and `CONFCERT_KEK_FILE` say (spec serve.md).
type Config struct {
	// URL is "sqlite:PATH" (PATH the database file; its directory holds the
	// key files), "postgres://..." or "postgresql://...", or empty for the
	// confcert home's confcert.db.
	URL string
	// Home is the confcert home (Home), where the default database, key
	// files and KEK live.
	Home string
	// KEKFile is the key-encryption key; empty means Home/confcert.kek when
	// that file exists or Seal is set, else no KEK (keys stay files).
	KEKFile string
	// Seal: keep CA keys sealed in the store, creating the KEK file when
	// absent (what `confcert serve` does).
	Seal bool
	// ReadOnly opens an existing SQLite database for reading, as
	// OpenExisting does: nothing created, locks waited for only briefly.
	ReadOnly bool
}

// Opened is an open store with what opening it did.
type Opened struct {
	Store Service
	// KEKCreated names the KEK file when it was created now.
	KEKCreated string
	// Where says which database this is, for messages (never a password).
	Where string
}

// OpenConfig opens the store c names, running the schema migrations.
func OpenConfig(ctx context.Context, c Config) (*Opened, error) {
	kek, kekPath, created, err := c.kek()
	if err != nil {
		return nil, err
	}
	var s *sqlStore
	var where string
	switch {
	case strings.HasPrefix(c.URL, "postgres://"), strings.HasPrefix(c.URL, "postgresql://"):
		where = "PostgreSQL " + redact(c.URL)
		var st Store
		st, err = OpenPostgres(ctx, c.URL, c.Home)
		if st != nil {
			s = st.(*sqlStore)
		}
	case c.URL == "" || strings.HasPrefix(c.URL, "sqlite:"):
		dir := c.Home
		if path := strings.TrimPrefix(c.URL, "sqlite:"); path != "" {
			dir = filepath.Dir(path)
			where = path
		} else {
			where = filepath.Join(dir, DBFile)
		}
		if c.ReadOnly {
			s, err = openExistingFile(ctx, dir, where)
		} else {
			s, err = openSQLiteFile(ctx, dir, where)
		}
	default:
		return nil, fmt.Errorf("store %q: want sqlite:PATH or postgres://...", redact(c.URL))
	}
	if err != nil {
		return nil, err
	}
	s.kek = kek
	o := &Opened{Store: s, Where: where}
	if created {
		o.KEKCreated = kekPath
	}
	return o, nil
}

// kek loads the KEK the config asks for: nil when none is configured.
func (c Config) kek() (*KEK, string, bool, error) {
	path := c.KEKFile
	if path == "" {
		if c.Home == "" {
			return nil, "", false, errors.New("no confcert home for the key-encryption key")
		}
		path = filepath.Join(c.Home, KEKFile)
		if _, err := os.Stat(path); err != nil && !c.Seal {
			return nil, "", false, nil
		}
	}
	k, created, err := LoadKEK(path)
	return k, path, created, err
}

// redact drops the password from a connection URL for messages.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	creds := u[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return u[:scheme+3] + user + ":xxxxx" + u[at:]
	}
	return u
}
