package nodetest

import (
	"context"
	"testing"

	"faultline/system/backend"
)

// GetPutAppend checks a client's three operations on key, which must be
// new: a Get finds "", then after Put "1" and Append "2" a Get finds "12".
// It returns the node that served the last Get (backend.Served), failing
// the test when the client does not say.
func GetPutAppend(ctx context.Context, t testing.TB, cl backend.Client, key string) string {
	t.Helper()
	if v, err := cl.Get(ctx, key); err != nil || v != "" {
		t.Fatalf("Get(%q) of a new key = %q, %v; want \"\", nil", key, v, err)
	}
	if err := cl.Put(ctx, key, "1"); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if err := cl.Append(ctx, key, "2"); err != nil {
		t.Fatalf("Append(%q): %v", key, err)
	}
	if v, err := cl.Get(ctx, key); err != nil || v != "12" {
		t.Fatalf("Get(%q) = %q, %v; want \"12\"", key, v, err)
	}
	s, ok := cl.(backend.Served)
	if !ok {
		t.Fatalf("client %T does not report the serving node", cl)
	}
	return s.LastNode()
}
