package caservice

import "testing"

// FuzzParseProfiles: a profile file never panics the parser, and what it
// accepts is normalised (a known role, a usage, a positive cap, an
// approval mode).
func FuzzParseProfiles(f *testing.F) {
	f.Add([]byte("profiles:\n- {name: cb, role: cms-callbridge, approval: auto, max_days: 90, allowed_suffixes: [example.com]}\n"))
	f.Add([]byte("profiles:\n- name: db\n  role: cms-dbclient\n  usage: client\n"))
	f.Add([]byte("profiles: []\n"))
	f.Add([]byte("profiles:\n- {name: x, role: nope}\n"))
	f.Add([]byte("profiles:\n- {name: x, role: cwms, layout: cwms-25, version: '2.6', extra: 1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseProfiles(data)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.MaxDays < 1 || (p.Approval != ApprovalAuto && p.Approval != ApprovalManual) || p.Usage == "" {
				t.Errorf("accepted an unnormalised profile %+v", p)
			}
		}
	})
}
