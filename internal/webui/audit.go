package webui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/castore"
)

// auditShown caps the entries one page shows, newest first.
const auditShown = 500

// auditPage is the data of audit.html.
type auditPage struct {
	Query   string
	Entries []castore.AuditEntry
	// More is how many older matching entries are not shown.
	More int
}

// audit shows the audit log, newest first, to the roles the service lets
// read it; q keeps the entries whose actor, action, object or detail
// contain it.
func (u *UI) audit(w http.ResponseWriter, r *http.Request, c *call) {
	es, err := u.svc.Audit(r.Context(), c.p, 0)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := auditPage{Query: q}
	lower := strings.ToLower(q)
	for _, e := range slices.Backward(es) {
		if q != "" && !strings.Contains(strings.ToLower(e.Actor+" "+e.Action+" "+e.Object+" "+e.Detail), lower) {
			continue
		}
		if len(d.Entries) == auditShown {
			d.More++
			continue
		}
		d.Entries = append(d.Entries, e)
	}
	u.render(w, r, http.StatusOK, "audit", newView(c, "audit", "Audit log", d))
}
