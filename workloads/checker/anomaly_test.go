package checker

import "testing"

// TestAnomalyKindNames checks that every defined kind has a distinct name
// that survives MarshalText and UnmarshalText, and that undefined kinds do
// not marshal.
func TestAnomalyKindNames(t *testing.T) {
	seen := map[string]AnomalyKind{}
	for k := StaleRead; k <= lastAnomalyKind; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatalf("kind %d: %v", k, err)
		}
		if prev, dup := seen[string(b)]; dup || len(b) == 0 {
			t.Fatalf("kind %d named %q, as kind %d", k, b, prev)
		}
		seen[string(b)] = k
		var back AnomalyKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Fatalf("kind %d: %q read back as %d (%v)", k, b, back, err)
		}
		if k.String() != string(b) {
			t.Fatalf("kind %d: String %q, text %q", k, k.String(), b)
		}
	}
	for _, k := range []AnomalyKind{0, lastAnomalyKind + 1} {
		if _, err := k.MarshalText(); err == nil {
			t.Fatalf("kind %d marshalled", k)
		}
	}
}
