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

// IssuedLister is implemented by Authorities that can list what a local CA
// has issued, so that a CA already used for other certificates is not taken
// as a database cluster's dedicated CA.
type IssuedLister interface {
	IssuedBy(ctx context.Context, ca string) ([]castore.Issued, error)
}

// IssuedBy implements IssuedLister for a CA store.
func (s storeCAs) IssuedBy(ctx context.Context, ca string) ([]castore.Issued, error) {
	if s.store == nil {
		return nil, nil
	}
	return s.store.Issued(ctx, castore.Filter{CA: ca})
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
			if err := r.checkUnrecorded(ctx, ca); err != nil {
				return err
			}
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

// checkUnrecorded refuses, as the dedicated CA of a database cluster, an
// existing CA that no cluster record names but that has already signed
// certificates other than this cluster's dbserver and dbclient (another
// deployment's internal CA, say): "dedicated" means created for this cluster
// only (seed 002 §1.2.3 and §4.8 cautions; spec plan.md CMS rule 6). A CA
// that signed only this cluster's certificates (a store from before the
// cluster records) or nothing yet is taken.
func (r *run) checkUnrecorded(ctx context.Context, ca plan.CA) error {
	lister, ok := r.o.CAs.(IssuedLister)
	if ca.Cluster == "" || r.cas[ca.Name] == nil || !ok {
		return nil
	}
	issued, err := lister.IssuedBy(ctx, ca.Name)
	if err != nil {
		return fmt.Errorf("local CA %s: %w", ca.Name, err)
	}
	for _, c := range issued {
		if !plan.InCluster(c.SubjectCN, ca.Cluster) {
			return fmt.Errorf("local CA %s has already signed certificates outside the database cluster %s (%s, serial %X), and a database cluster needs a dedicated root CA used for nothing else, or its nodes accept every client certificate that CA signs (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution): name a new CA in database_cluster: {ca: ...}", ca.Name, ca.Cluster, c.SubjectCN, c.Serial)
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
