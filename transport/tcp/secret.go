package tcp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// SecretLen is the length of the secrets NewSecret makes; MinSecretLen is
// the shortest Config.Secret that Validate accepts.
const (
	SecretLen    = 32
	MinSecretLen = 16
)

// SecretFile is the name of a cluster's secret file in its directory.
const SecretFile = "cluster.secret"

// maxSecretFile bounds what ReadSecretFile reads.
const maxSecretFile = 4096

// ErrSecretFile reports a secret file that must not be used: readable by
// group or others, not a regular file, empty or too short.
var ErrSecretFile = errors.New("unusable secret file")

// NewSecret returns a fresh random per-run secret of SecretLen bytes from
// crypto/rand.
func NewSecret() []byte {
	s := make([]byte, SecretLen)
	if _, err := io.ReadFull(rand.Reader, s); err != nil {
		panic(fmt.Sprintf("tcp: crypto/rand failed: %v", err)) // the OS has no randomness to give
	}
	return s
}

// WriteSecretFile writes secret to dir/SecretFile with mode 0600, creating
// the file (it fails if one is there, so a run never reuses a secret) and
// returns its path. Pass the path to the cluster's processes, never the
// secret: it then appears in no argv and no log.
func WriteSecretFile(dir string, secret []byte) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("tcp: write secret: %w: %d bytes, want >= %d", ErrSecretFile, len(secret), MinSecretLen)
	}
	path := filepath.Join(dir, SecretFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("tcp: write secret: %w", err)
	}
	// The umask may only remove bits, but be explicit about the mode.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("tcp: write secret: %w", err)
	}
	if _, err := f.Write(secret); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("tcp: write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("tcp: write secret: %w", err)
	}
	return path, nil
}

// ReadSecretFile reads a secret written by WriteSecretFile. It refuses a
// file that group or others may read or write (as ssh does a private key),
// one that is not a regular file (a symlink included), and one shorter than
// MinSecretLen; errors say why without showing any of the file's bytes.
func ReadSecretFile(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("tcp: read secret: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("tcp: read secret %s: %w: not a regular file", path, ErrSecretFile)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("tcp: read secret %s: %w: mode %04o, want no group or other access (0600)", path, ErrSecretFile, perm)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tcp: read secret: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("tcp: read secret %s: %w", path, err)
	}
	if len(b) < MinSecretLen || len(b) > maxSecretFile {
		return nil, fmt.Errorf("tcp: read secret %s: %w: %d bytes, want %d..%d", path, ErrSecretFile, len(b), MinSecretLen, maxSecretFile)
	}
	return b, nil
}
