package expressway

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/confcert/confcert/internal/release"
)

// versionRE reads an Expressway release: X15.5, X15.5.1, x14.3.2.
var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[Xx](\d+)\.(\d+)(?:\.\d+)*$`) })

// ParseVersion reads an Expressway version such as X15.5 (the rolecheck
// form: major 15, minor 5).
func ParseVersion(s string) (release.Version, error) {
	m := versionRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return release.Version{}, fmt.Errorf("version %q: write the Expressway release as X<major>.<minor>, for example X15.3, X15.4, X15.5", s)
	}
	v := release.Version{Text: s}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	return v, nil
}

// ekuEra is what a release asks of extended key usage (Cisco FN74362; TAC
// 225482, 225693; research EXP-15 to EXP-18).
type ekuEra int

const (
	// eraBoth: up to X15.3 every server certificate needs serverAuth and
	// clientAuth: "The system will not let you upload a server certificate
	// without this extension when UC features are enabled" (Expressway
	// Administrator Guide X15.4, Unified Communications).
	eraBoth ekuEra = iota
	// eraX154: X15.4 lets Expressway-E upload a serverAuth-only certificate
	// once `xConfiguration XCP TLS Certificate CVS EnableServerEkuUpload: On`
	// is set; Expressway-C still needs both (FN74362; TAC 225482).
	eraX154
	// eraX155: X15.5 has separate server and client certificates sharing
	// one Trusted CA list; the client certificate must carry clientAuth
	// (Certificate Creation and Use Deployment Guide X15.5, "Managing
	// Expressway Certificates"; TAC 225693).
	eraX155
)

func eraOf(v release.Version) ekuEra {
	switch {
	case v.AtLeast(15, 5, 0):
		return eraX155
	case v.AtLeast(15, 4, 0):
		return eraX154
	}
	return eraBoth
}
