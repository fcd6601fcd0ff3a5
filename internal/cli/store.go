package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/confcert/confcert/internal/castore"
)

// storeConfig is what --store/CONFCERT_STORE and --kek-file/CONFCERT_KEK_FILE
// say (spec serve.md): the same store for plan, ca and serve. seal keeps CA
// keys sealed in the store (serve), creating the KEK when absent.
func (a *app) storeConfig(seal bool) (castore.Config, error) {
	home, err := caHome()
	if err != nil {
		return castore.Config{}, err
	}
	c := castore.Config{URL: a.storeURL, Home: home, KEKFile: a.kekFile, Seal: seal}
	if c.URL == "" {
		c.URL = os.Getenv("CONFCERT_STORE")
	}
	if c.KEKFile == "" {
		c.KEKFile = os.Getenv("CONFCERT_KEK_FILE")
	}
	return c, nil
}

// sqliteAbsent reports whether a reading verb finds no SQLite store to
// read; a home that exists but is not private is refused first, as
// castore.OpenExisting does.
func sqliteAbsent(c castore.Config) (bool, error) {
	if c.URL != "" && !strings.HasPrefix(c.URL, "sqlite:") {
		return false, nil
	}
	if _, err := os.Stat(c.Home); err == nil {
		if err := castore.CheckHome(c.Home); err != nil {
			return false, storeError(err, c.Home)
		}
	}
	return defaultStoreAbsent(c), nil
}

// defaultStoreAbsent reports whether the store is the home's confcert.db
// and it does not exist yet (reading verbs then create nothing).
func defaultStoreAbsent(c castore.Config) bool {
	path := filepath.Join(c.Home, castore.DBFile)
	switch {
	case c.URL == "":
	case strings.HasPrefix(c.URL, "sqlite:"):
		path = strings.TrimPrefix(c.URL, "sqlite:")
	default:
		return false
	}
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// openConfigured opens the configured store for plan and ca; with
// create false a SQLite store not there yet gives (nil, nil), and an
// existing one is opened for reading (OpenExisting).
func (a *app) openConfigured(ctx context.Context, home string, create bool) (castore.Service, error) {
	c, err := a.storeConfig(false)
	if err != nil {
		return nil, err
	}
	if !create {
		if absent, err := sqliteAbsent(c); absent || err != nil {
			return nil, err
		}
	}
	c.ReadOnly = !create
	o, err := castore.OpenConfig(ctx, c)
	if err != nil {
		return nil, storeError(err, home)
	}
	return o.Store, nil
}
