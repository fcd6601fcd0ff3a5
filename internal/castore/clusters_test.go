package castore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A database CA's cluster is recorded, read back and updated, on every
// backend (migration 4; Cisco Meeting Server Certificate Guidelines 2.9,
// §4.8 caution: one dedicated root CA per database cluster).
func TestCAClusters(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, _ string) {
		ctx := context.Background()
		mustCreateCA(t, s, "pod2-dbca")
		c, ok := s.(Clusters)
		if !ok {
			t.Fatalf("%T records no clusters", s)
		}
		if _, err := c.CACluster(ctx, "pod2-dbca"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("before any record: %v", err)
		}
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for _, want := range []string{"pod2.cms.lab: a.pod2.cms.lab", "pod2.cms.lab: a.pod2.cms.lab, b.pod2.cms.lab"} {
			if err := c.SetCACluster(ctx, "pod2-dbca", want, at); err != nil {
				t.Fatal(err)
			}
			if got, err := c.CACluster(ctx, "pod2-dbca"); err != nil || got != want {
				t.Errorf("cluster %q, %v; want %q", got, err, want)
			}
		}
	})
}
