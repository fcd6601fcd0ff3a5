package castore

import (
	"errors"
	"fmt"
	"path/filepath"
)

// DBFile is the name of the SQLite database inside the confcert home.
const DBFile = "confcert.db"

// Home returns the confcert home: $CONFCERT_HOME, else $XDG_DATA_HOME/confcert,
// else ~/.local/share/confcert (spec plan.md, "The local CA"). getenv is the
// environment lookup (os.Getenv in the CLI), so tests never touch a real home.
func Home(getenv func(string) string) (string, error) {
	if dir := getenv("CONFCERT_HOME"); dir != "" {
		return dir, nil
	}
	if dir := getenv("XDG_DATA_HOME"); dir != "" {
		return filepath.Join(dir, "confcert"), nil
	}
	if dir := getenv("HOME"); dir != "" {
		return filepath.Join(dir, ".local", "share", "confcert"), nil
	}
	return "", errors.New("no confcert home: set CONFCERT_HOME, XDG_DATA_HOME or HOME")
}

// CheckName refuses a CA name that cannot be a file name beside the database:
// the name becomes <name>.key, so only letters, digits and '-' (not first),
// at most 64 characters, like the MMP's file names (seed 002 §3.1).
func CheckName(name string) error {
	if name == "" {
		return errors.New("CA name is empty")
	}
	if len(name) > 64 {
		return fmt.Errorf("CA name %q is longer than 64 characters", name)
	}
	for i, r := range name {
		if !isNameRune(r) || (i == 0 && r == '-') {
			return fmt.Errorf("CA name %q: character %q at position %d is not allowed (letters, digits and '-' only)", name, r, i+1)
		}
	}
	return nil
}

func isNameRune(r rune) bool {
	return r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}
