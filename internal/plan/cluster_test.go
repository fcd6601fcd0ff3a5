package plan

import "testing"

// A database cluster is the same when the domain matches and a node is
// shared (spec plan.md CMS rule 6: a cluster that gains a node keeps its CA).
func TestSameCluster(t *testing.T) {
	a := ClusterID("pod2.cms.lab", []string{"a.pod2.cms.lab", "b.pod2.cms.lab"})
	tests := []struct {
		b    string
		want bool
	}{
		{a, true},
		{ClusterID("pod2.cms.lab", []string{"b.pod2.cms.lab", "c.pod2.cms.lab"}), true},
		{ClusterID("POD2.cms.lab", []string{"A.pod2.cms.lab"}), true},
		{ClusterID("pod2.cms.lab", []string{"c.pod2.cms.lab"}), false},
		{ClusterID("pod9.cms.lab", []string{"a.pod2.cms.lab"}), false},
		{"", false},
	}
	for _, tt := range tests {
		if got := SameCluster(a, tt.b); got != tt.want {
			t.Errorf("SameCluster(%q, %q) = %v, want %v", a, tt.b, got, tt.want)
		}
	}
}

// FuzzSameCluster: any two recorded strings compare without panic, and the
// relation is symmetric.
func FuzzSameCluster(f *testing.F) {
	f.Add("pod2.cms.lab: a.pod2.cms.lab, b.pod2.cms.lab", "pod2.cms.lab: b.pod2.cms.lab")
	f.Add("", ": ")
	f.Add("x", "x: , ")
	f.Fuzz(func(t *testing.T, a, b string) {
		if SameCluster(a, b) != SameCluster(b, a) {
			t.Errorf("not symmetric: %q %q", a, b)
		}
	})
}
