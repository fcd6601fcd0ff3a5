package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/plan"
)

// ClusterRecords records which database cluster a local CA serves
// (castore.Clusters). Authorities that have a store offer it through
// ClusterRecorder.
type ClusterRecords interface {
	CACluster(ctx context.Context, ca string) (string, error)
	SetCACluster(ctx context.Context, ca, cluster string, at time.Time) error
}

// ClusterRecorder is implemented by Authorities whose store records the
// cluster of each database CA; nil when it records none.
type ClusterRecorder interface {
	ClusterRecords() ClusterRecords
}

// ClusterRecords implements ClusterRecorder for a CA store.
func (s storeCAs) ClusterRecords() ClusterRecords {
	if c, ok := s.store.(castore.Clusters); ok {
		return c
	}
	return nil
}

func (r *run) clusterRecords() ClusterRecords {
	if cr, ok := r.o.CAs.(ClusterRecorder); ok {
		return cr.ClusterRecords()
	}
	return nil
}

// checkClusters refuses a database CA that already serves another cluster,
// and a CA that serves a cluster used for anything else: a database cluster
// needs a dedicated root CA, across the whole store, or one cluster accepts
// the other's client certificates (seed 002 §4.8 caution; spec plan.md CMS
// rule 6).
func (r *run) checkClusters(ctx context.Context) error {
	recs := r.clusterRecords()
	if recs == nil {
		return nil
	}
	for _, ca := range r.local {
		have, err := recs.CACluster(ctx, ca.Name)
		switch {
		case errors.Is(err, castore.ErrNotFound):
			continue
		case err != nil:
			return err
		case ca.Cluster == "":
			return fmt.Errorf("local CA %s is the dedicated CA of the database cluster %s and signs nothing else (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution): choose another CA name", ca.Name, have)
		case !plan.SameCluster(have, ca.Cluster):
			return fmt.Errorf("database CA %s already serves another cluster (%s), and a database cluster needs a dedicated root CA or it accepts the other cluster's client certificates (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution): name another CA in database_cluster: {ca: ...} for %s", ca.Name, have, ca.Cluster)
		}
	}
	return nil
}

// recordClusters records the cluster each database CA of the plan serves,
// once it exists (the node list follows the deployment).
func (r *run) recordClusters(ctx context.Context) error {
	recs := r.clusterRecords()
	if recs == nil {
		return nil
	}
	for _, ca := range r.local {
		if ca.Cluster == "" || r.cas[ca.Name] == nil {
			continue
		}
		if have, err := recs.CACluster(ctx, ca.Name); err == nil && have == ca.Cluster {
			continue
		}
		if err := recs.SetCACluster(ctx, ca.Name, ca.Cluster, r.o.Now); err != nil {
			return fmt.Errorf("local CA %s: %w", ca.Name, err)
		}
	}
	return nil
}
