package tcp

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSecretFile(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if len(a) != SecretLen || bytes.Equal(a, b) {
		t.Fatalf("NewSecret gave %d bytes, twice the same: %v", len(a), bytes.Equal(a, b))
	}
	dir := t.TempDir()
	path, err := WriteSecretFile(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %04o, want 0600", fi.Mode().Perm())
	}
	got, err := ReadSecretFile(path)
	if err != nil || !bytes.Equal(got, a) {
		t.Fatalf("ReadSecretFile: %v, equal %v", err, bytes.Equal(got, a))
	}
	if _, err := WriteSecretFile(dir, b); err == nil {
		t.Error("WriteSecretFile replaced an existing secret")
	}
	if _, err := WriteSecretFile(t.TempDir(), []byte("short")); !errors.Is(err, ErrSecretFile) {
		t.Errorf("short secret written: %v", err)
	}

	refuse := func(name, path string) {
		t.Helper()
		_, err := ReadSecretFile(path)
		if !errors.Is(err, ErrSecretFile) {
			t.Errorf("%s: %v, want ErrSecretFile", name, err)
		}
		if err != nil && bytes.Contains([]byte(err.Error()), a) {
			t.Errorf("%s: the error shows the secret", name)
		}
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		refuse(mode.String(), path)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	refuse("symlink", link)
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	refuse("short", short)
	refuse("directory", dir)
}
