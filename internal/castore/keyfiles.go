package castore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/fileout"
)

// keyDir keeps each CA's private key as <name>.key (mode 0600) and a copy of
// its certificate as <name>.crt, beside the database.
//
// A new key is first staged under a name unique to the CA certificate's
// serial, then the CA row is inserted, then the staged key is renamed into
// place. Only the process whose insert won ever renames, so two processes
// creating the same CA can never leave the loser's key under the winner's
// certificate; a crash between insert and rename is finished by load.
type keyDir string

func (d keyDir) keyPath(name string) string {
	return filepath.Join(string(d), name+".key")
}

func (d keyDir) stagedPath(name, serial string) string {
	return filepath.Join(string(d), "."+name+".key.staged-"+serial)
}

// stage writes the key under its staged name.
func (d keyDir) stage(name, serial string, keyPEM []byte) error {
	return fileout.Write(fileout.File{Path: d.stagedPath(name, serial), Data: keyPEM, Private: true})
}

// discard removes a staged key whose CA row lost the race.
func (d keyDir) discard(name, serial string) {
	_ = os.Remove(d.stagedPath(name, serial)) // a leftover staged key is harmless: it is 0600 and never read
}

// commit moves the staged key into place and writes the CA certificate copy.
// It never replaces a key already there (fileout.Install).
func (d keyDir) commit(name, serial string, certPEM []byte) error {
	if err := fileout.Install(d.stagedPath(name, serial), d.keyPath(name)); err != nil {
		return fmt.Errorf("installing CA key: %w", err)
	}
	crt := filepath.Join(string(d), name+".crt")
	return fileout.Write(fileout.File{Path: crt, Data: certPEM})
}

// load reads the CA key, first finishing a commit a crash interrupted. The
// creator holds the home's creation lock from staging to commit, so load
// finishes a commit only under that lock and after looking again: a reader
// that came between another process's insert and its rename would otherwise
// rename the staged key itself and make the creator fail on "already exists".
func (d keyDir) load(ctx context.Context, name, serial string, certPEM []byte) ([]byte, error) {
	data, err := os.ReadFile(d.keyPath(name))
	if !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	if _, serr := os.Stat(d.stagedPath(name, serial)); serr != nil {
		return nil, fmt.Errorf("CA key %s is missing: %w", d.keyPath(name), err)
	}
	lock, err := dirlock.Acquire(ctx, string(d), createWait)
	if err != nil {
		return nil, fmt.Errorf("reading CA %s: %w", name, err)
	}
	defer lock.Release()
	if data, err := os.ReadFile(d.keyPath(name)); !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	if err := d.commit(name, serial, certPEM); err != nil {
		return nil, err
	}
	return os.ReadFile(d.keyPath(name))
}
