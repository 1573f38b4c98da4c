// Package auth issues and verifies the bearer tokens of the API: HS256 JWTs
// whose subject is the user and whose "admin" claim grants the admin role.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthenticated is wrapped by every verification failure.
var ErrUnauthenticated = errors.New("unauthenticated")

// Identity is who a request comes from.
type Identity struct {
	User  string
	Admin bool
}

// MinSecretBytes is the shortest accepted signing secret.
const MinSecretBytes = 32

// Authority signs and verifies tokens with one secret.
type Authority struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// New returns an Authority; the secret must be at least MinSecretBytes long.
func New(secret []byte, ttl time.Duration) (*Authority, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("the JWT secret must be at least %d bytes, got %d", MinSecretBytes, len(secret))
	}
	return &Authority{secret: secret, ttl: ttl, now: time.Now}, nil
}

type claims struct {
	Admin bool `json:"admin,omitempty"`
	jwt.RegisteredClaims
}

var userName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidUser reports whether name is an acceptable user name: 1 to 64
// letters, digits, dots, dashes, underscores or @, starting with a letter or
// digit.
func ValidUser(name string) bool { return userName.MatchString(name) }

// TTL is how long the tokens it issues are valid.
func (a *Authority) TTL() time.Duration { return a.ttl }

// Issue signs a token for id.
func (a *Authority) Issue(id Identity) (string, error) {
	if !ValidUser(id.User) {
		return "", fmt.Errorf("user name %q: must be 1 to 64 letters, digits, '.', '_', '-' or '@'", id.User)
	}
	now := a.now()
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Admin: id.Admin,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   id.User,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(a.ttl)),
		},
	})
	s, err := t.SignedString(a.secret)
	if err != nil {
		return "", fmt.Errorf("sign token for %s: %w", id.User, err)
	}
	return s, nil
}

// Verify checks a token's signature, algorithm and expiry and returns whom
// it identifies.
func (a *Authority) Verify(token string) (Identity, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return a.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(a.now),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	if !ValidUser(c.Subject) {
		return Identity{}, fmt.Errorf("%w: the token's subject is not a valid user name", ErrUnauthenticated)
	}
	return Identity{User: c.Subject, Admin: c.Admin}, nil
}

// Secret returns the signing secret: configured, if set; otherwise a random
// one kept in dir (created on first use, readable by its owner only), so
// that tokens survive a restart. Only dev sign-in may go without a
// configured secret.
func Secret(configured, dir string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	path := filepath.Join(dir, "dev-jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= MinSecretBytes {
		return b, nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(buf))
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		return nil, fmt.Errorf("store the dev JWT secret: %w", err)
	}
	return secret, nil
}
