package nodeproc

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline/transport/tcp"
)

func TestSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cluster")
	s, err := NewSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.File != filepath.Join(dir, tcp.SecretFile) {
		t.Fatalf("secret file %q, want in %s", s.File, dir)
	}
	fi, err := os.Stat(s.File)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v, %v; want 0600", fi.Mode(), err)
	}
	got, err := LoadSecret(s.File)
	if err != nil || !bytes.Equal(got, s.Key) {
		t.Fatalf("LoadSecret = %x, %v; want the written key", got, err)
	}
	if !bytes.Equal(s.Config().Secret, s.Key) {
		t.Fatal("Config does not carry the key")
	}
	// A second cluster in the same directory gets a fresh secret.
	s2, err := NewSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(s2.Key, s.Key) {
		t.Fatal("a new cluster reused the secret")
	}
	// The node arguments carry the path, never the key.
	args := strings.Join(EncodeArgs(struct{ SecretFile string }{s2.File}), " ")
	if strings.Contains(args, string(s2.Key)) || !strings.Contains(args, s2.File) {
		t.Fatalf("node arguments %q", args)
	}
	if k, err := LoadSecret(""); k != nil || err != nil {
		t.Fatalf("LoadSecret(\"\") = %x, %v; want nil, nil", k, err)
	}
	if err := os.Chmod(s2.File, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSecret(s2.File); err == nil {
		t.Fatal("LoadSecret accepted a file others can read")
	}
}
