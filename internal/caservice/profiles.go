package caservice

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/castore"
)

// Profiles returns every profile: the built-in ones, replaced by applied
// profiles of the same name, then the other applied ones, by name.
//
// The applied profiles are read from the store on every call, so a profile
// applied by another process (`serve profile apply`, another instance on
// PostgreSQL) counts from the next request on; only their parsing is
// remembered, for as long as the stored names and bodies stay the same.
func (s *Service) Profiles(ctx context.Context) ([]Profile, error) {
	stored, err := s.cfg.Store.Profiles(ctx)
	if err != nil {
		return nil, err
	}
	return s.profiles.get(stored)
}

// profileCache holds the profiles parsed from the stored ones last read.
type profileCache struct {
	mu       sync.Mutex
	key      string // the stored names and bodies they were parsed from
	profiles []Profile
}

func (c *profileCache) get(stored []castore.StoredProfile) ([]Profile, error) {
	var k strings.Builder
	for _, sp := range stored {
		fmt.Fprintf(&k, "%d:%s%d:%s", len(sp.Name), sp.Name, len(sp.Body), sp.Body)
	}
	key := k.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.profiles != nil && c.key == key {
		return slices.Clone(c.profiles), nil
	}
	ps, err := mergeProfiles(stored)
	if err != nil {
		return nil, err
	}
	c.key, c.profiles = key, ps
	return slices.Clone(ps), nil
}

// builtin is Builtin, made once.
var builtin = sync.OnceValue(Builtin)

// mergeProfiles parses the stored profiles over the built-in ones.
func mergeProfiles(stored []castore.StoredProfile) ([]Profile, error) {
	byName := map[string]Profile{}
	for _, p := range builtin() {
		byName[p.Name] = p
	}
	for _, sp := range stored {
		ps, err := ParseProfiles([]byte(sp.Body))
		if err != nil {
			return nil, fmt.Errorf("stored profile %s: %w", sp.Name, err)
		}
		for _, p := range ps {
			if p.Name == sp.Name {
				byName[p.Name] = p
			}
		}
	}
	out := make([]Profile, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Profile) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Profile returns the named profile; an unknown name is ErrInvalid (the
// request names it in its body, not its path).
func (s *Service) Profile(ctx context.Context, name string) (Profile, error) {
	ps, err := s.Profiles(ctx)
	if err != nil {
		return Profile{}, err
	}
	for _, p := range ps {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, invalid("unknown profile %q: `confcert serve profile apply` adds one; the built-in ones are named after the check roles", name)
}

// ApplyProfiles adds or replaces the profiles of a YAML file (`confcert
// serve profile apply FILE`); each is stored as its own YAML.
func (s *Service) ApplyProfiles(ctx context.Context, p Principal, data []byte) ([]Profile, error) {
	if err := p.require(PermManage); err != nil {
		return nil, err
	}
	ps, err := ParseProfiles(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	for _, prof := range ps {
		if prof.CA != "" {
			if _, _, err := s.issuer(ctx, prof.CA); err != nil {
				return nil, fmt.Errorf("profile %s: %w", prof.Name, err)
			}
		}
	}
	for _, prof := range ps {
		body, err := yaml.Marshal(profileFile{Profiles: []Profile{prof}})
		if err != nil {
			return nil, err
		}
		sp := castore.StoredProfile{Name: prof.Name, Body: string(body), UpdatedBy: p.Name, UpdatedAt: s.now()}
		if err := s.cfg.Store.PutProfile(ctx, sp); err != nil {
			return nil, err
		}
		detail := fmt.Sprintf("role %s, approval %s, max %d days", prof.Role, prof.Approval, prof.MaxDays)
		if err := s.audit(ctx, p, "profile", "profile "+prof.Name, detail); err != nil {
			return nil, err
		}
	}
	return ps, nil
}
