package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// databaseClusters is version 4: which database cluster a CA serves. A
// Meeting Server database cluster needs a dedicated root CA used for nothing
// else (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution), and
// "dedicated" holds across the whole store: the CA of one cluster must never
// sign for another, or that cluster would accept the other's client
// certificates (spec plan.md CMS rule 6).
func databaseClusters() Migration {
	return Migration{Version: 4, Name: "database CAs: the cluster each serves", SQL: []string{
		`CREATE TABLE ca_clusters (
			ca_name     TEXT NOT NULL PRIMARY KEY REFERENCES cas (name),
			cluster     TEXT NOT NULL,
			recorded_at BIGINT NOT NULL
		)`,
	}}
}

// Clusters records which database cluster each database CA serves. The
// stores of package castore implement it.
type Clusters interface {
	// CACluster returns the cluster the CA serves, or an error wrapping
	// ErrNotFound when the CA serves none.
	CACluster(ctx context.Context, ca string) (string, error)
	// SetCACluster records (or updates) the cluster the CA serves.
	SetCACluster(ctx context.Context, ca, cluster string, at time.Time) error
}

// CACluster implements Clusters.
func (s *sqlStore) CACluster(ctx context.Context, ca string) (string, error) {
	var cluster string
	err := s.db.QueryRowContext(ctx, `SELECT cluster FROM ca_clusters WHERE ca_name = $1`, ca).Scan(&cluster)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("cluster of CA %s: %w", ca, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("reading the cluster of CA %s in %s: %w", ca, s.where, err)
	}
	return cluster, nil
}

// SetCACluster implements Clusters.
func (s *sqlStore) SetCACluster(ctx context.Context, ca, cluster string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ca_clusters SET cluster = $1, recorded_at = $2 WHERE ca_name = $3`, cluster, at.Unix(), ca)
		if err != nil {
			return fmt.Errorf("recording the cluster of CA %s: %w", ca, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ca_clusters (ca_name, cluster, recorded_at) VALUES ($1, $2, $3)`, ca, cluster, at.Unix()); err != nil {
			return fmt.Errorf("recording the cluster of CA %s: %w", ca, err)
		}
		return nil
	})
}
