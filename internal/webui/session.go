package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Session lifetimes: a session ends after 12 hours whatever happens (a
// working day), or after 1 hour without a request.
const (
	sessionLifetime = 12 * time.Hour
	sessionIdle     = time.Hour
	// maxSessions bounds memory: only a valid token opens a session, so
	// this is reached only by a token holder signing in in a loop.
	maxSessions = 10000
)

// Cookie names. The __Host- prefix makes the browser refuse them unless
// Secure, on path / and without a Domain: no sibling host can set them.
const (
	sessionCookie = "__Host-confcert-session"
	loginCookie   = "__Host-confcert-login"
	csrfField     = "csrf"
)

// session is one signed-in browser. It keeps the token itself (in this
// process's memory only, never in the cookie) so that every page
// authenticates it again: a revoked token ends its sessions at once, and a
// role change applies on the next page.
type session struct {
	secret  string
	csrf    string
	created time.Time
	seen    time.Time
}

// sessions is the table of sessions of this process, by the random ID the
// cookie carries.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]*session{}}
}

// open starts a session for a token secret and returns its ID; ok is
// false when the table is full even after dropping the expired sessions.
func (s *sessions) open(secret string) (id string, ok bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSessions {
		s.prune(now)
	}
	if len(s.m) >= maxSessions {
		return "", false
	}
	id = randomToken()
	s.m[id] = &session{secret: secret, csrf: randomToken(), created: now, seen: now}
	return id, true
}

// get returns the live session of id and notes the request.
func (s *sessions) get(id string) (session, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[id]
	if !ok {
		return session{}, false
	}
	if expired(sess, now) {
		delete(s.m, id)
		return session{}, false
	}
	sess.seen = now
	return *sess, true
}

// close ends a session.
func (s *sessions) close(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

func (s *sessions) prune(now time.Time) {
	for id, sess := range s.m {
		if expired(sess, now) {
			delete(s.m, id)
		}
	}
}

func expired(sess *session, now time.Time) bool {
	return now.Sub(sess.created) >= sessionLifetime || now.Sub(sess.seen) >= sessionIdle
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sameToken compares a CSRF token in constant time; an empty one never
// matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
