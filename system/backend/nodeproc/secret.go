package nodeproc

import (
	"fmt"
	"os"
	"path/filepath"

	"faultline/transport/tcp"
)

// Secret is a cluster's per-run secret as the harness holds it: Key, for
// every tcp.Config the harness builds (its clients, clerks and admin
// callers), and File, the 0600 file in the cluster's directory whose path
// (never the key) travels to node processes in their arguments.
type Secret struct {
	// Key is the secret itself; it must appear in no argv, env or log.
	Key []byte
	// File is the path of the secret file (tcp.SecretFile in the
	// cluster's directory).
	File string
}

// NewSecret makes a fresh secret (tcp.NewSecret) for a cluster whose
// directory is dir, creating dir if missing, and writes it to
// dir/tcp.SecretFile with mode 0600. A file left there by an earlier
// cluster is replaced: a run never reuses a secret.
func NewSecret(dir string) (Secret, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Secret{}, fmt.Errorf("cluster secret: %w", err)
	}
	s := Secret{Key: tcp.NewSecret()}
	if err := os.Remove(filepath.Join(dir, tcp.SecretFile)); err != nil && !os.IsNotExist(err) {
		return Secret{}, fmt.Errorf("cluster secret: %w", err)
	}
	var err error
	if s.File, err = tcp.WriteSecretFile(dir, s.Key); err != nil {
		return Secret{}, fmt.Errorf("cluster secret: %w", err)
	}
	return s, nil
}

// Config returns the default tcp.Config with the secret set, for the
// harness's clients of the cluster.
func (s Secret) Config() tcp.Config { return tcp.Config{Secret: s.Key} }

// LoadSecret is the node side: it reads the secret file at path
// (tcp.ReadSecretFile, which refuses a file others may read). An empty
// path gives a nil secret, which leaves the node's transport
// unauthenticated: the backends always pass one.
func LoadSecret(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	s, err := tcp.ReadSecretFile(path)
	if err != nil {
		return nil, fmt.Errorf("node secret: %w", err)
	}
	return s, nil
}
