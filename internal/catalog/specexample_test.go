package catalog_test

import (
	"testing"

	"github.com/confcert/confcert/internal/catalog"
)

// The Meeting Server example of the deployment file reference, verbatim:
// every key it shows is accepted together, lync_fqdn beside a different
// callbridge_cluster included (the Call Bridge certificates then take the
// Lync FQDN as CN and keep the cluster name among their SANs, with a warning).
const cmsReferenceExample = `product: cms
version: "2.9"
domain: pod2.cms.lab
key: rsa2048
days: 730
subject: {O: Example Inc., C: GB}
internal_ca: podca
ca_key: rsa2048
public: [webbridge, xmpp]
certificates: combined
callbridge_cluster: cms1.pod2.cms.lab
xmpp_domain: conf.pod2.cms.lab
webbridge: join.pod2.cms.lab
expressway: join.pod2.cms.lab
cucm: true
lync_fqdn: cms.pod2.cms.lab
webbridge3: {https: meet.pod2.cms.lab, c2w_port: 9999}
database_cluster: {nodes: [cms1a, cms1b, cms1c], ca: pod2-dbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1c, fqdn: cms1c.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: edge1, fqdn: edge1.pod2.cms.lab, services: [loadbalancer]}
  - {name: wb3a, fqdn: wb3a.pod2.cms.lab, services: [webbridge3], c2w: [wb3a.pod2.cms.lab, 10.0.0.31]}
trunks: [{core: cms1a, edge: edge1}]
xmpp_srv_target: edge1.pod2.cms.lab
`

func TestCMSReferenceExamplePlans(t *testing.T) {
	p := planOf(t, cmsReferenceExample, catalog.Options{})
	a := certNamed(t, p, "cms1a")
	if a.CN != "cms.pod2.cms.lab" {
		t.Errorf("cms1a CN %s, want the Lync trusted-application FQDN", a.CN)
	}
	equal(t, "cms1a SANs", a.SANs, []string{"cms1a.pod2.cms.lab", "pod2.cms.lab", "cms1.pod2.cms.lab", "cms.pod2.cms.lab"})
	if !hasWarning(p, "lync_fqdn cms.pod2.cms.lab differs from callbridge_cluster cms1.pod2.cms.lab") {
		t.Errorf("no warning about the CN: %q", p.Warnings)
	}
}
