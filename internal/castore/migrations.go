package castore

import (
	"fmt"
	"slices"
)

// Migration is one versioned step of the store's schema. Steps live beside
// the code that needs them (schema.go for the CAs and issued certificates,
// schema_service.go for `confcert serve`) and are listed in order by
// allMigrations; a step, once landed, is never edited: a change is a new
// step with the next version.
type Migration struct {
	// Version is the step's number: 1, 2, 3... without gaps.
	Version int
	// Name says what the step adds, for errors and docs/castore.md.
	Name string
	// SQL runs in one transaction with every other missing step, in the
	// common subset of SQLite and PostgreSQL (see schema.go).
	SQL []string
	// SQLite and Postgres, when set, run instead of SQL on that backend:
	// what the two dialects cannot say alike (triggers).
	SQLite, Postgres []string
}

// dialect names a backend's SQL, for the steps that differ.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

// statements is what the step runs on a backend.
func (m Migration) statements(d dialect) []string {
	switch {
	case d == dialectSQLite && m.SQLite != nil:
		return m.SQLite
	case d == dialectPostgres && m.Postgres != nil:
		return m.Postgres
	}
	return m.SQL
}

// migrations is every step in version order; checkMigrations (run by the
// tests) proves it has no gap, duplicate or misplaced step.
var migrations = allMigrations()

// allMigrations lists the steps of every file. To add one, write a function
// returning it in a file of its own and append that function here.
func allMigrations() []Migration {
	return []Migration{baseSchema(), serviceSchema(), serviceRevocation(), databaseClusters(), auditAppendOnly()}
}

// checkMigrations reports a list whose versions are not exactly 1..n in
// order, or a step without SQL or name.
func checkMigrations(ms []Migration) error {
	for i, m := range ms {
		if m.Version != i+1 {
			return fmt.Errorf("migration %q has version %d, want %d (versions are 1, 2, 3... in order)", m.Name, m.Version, i+1)
		}
		if m.Name == "" || !m.complete(dialectSQLite) || !m.complete(dialectPostgres) {
			return fmt.Errorf("migration %d has no name or an empty statement", m.Version)
		}
	}
	return nil
}

// complete reports whether the step has statements for d, none empty.
func (m Migration) complete(d dialect) bool {
	st := m.statements(d)
	return len(st) > 0 && !slices.Contains(st, "")
}
