package testseed

import "testing"

func TestOr(t *testing.T) {
	*seedFlag = 0
	if got := Or(t, 42); got != 42 {
		t.Fatalf("no -seed: got %d, want the default 42", got)
	}
	if Time(t) == 0 {
		t.Fatal("Time returned 0")
	}
	*seedFlag = 7
	defer func() { *seedFlag = 0 }()
	if got, ok := Flag(); got != 7 || !ok {
		t.Fatalf("Flag() = %d, %v, want 7, true", got, ok)
	}
	if got := Or(t, 42); got != 7 {
		t.Fatalf("-seed 7: got %d", got)
	}
}
