package storage

import "testing"

func TestAllZero(t *testing.T) {
	b := make([]byte, 3*len(zeroBlock)+17)
	if !allZero(b) || !allZero(nil) || !allZero(b[:5]) {
		t.Fatal("zeros not reported as zeros")
	}
	for _, at := range []int{0, 1, len(zeroBlock) - 1, len(zeroBlock), 2*len(zeroBlock) + 3, len(b) - 1} {
		b[at] = 1
		if allZero(b) {
			t.Errorf("a byte set at %d of %d not seen", at, len(b))
		}
		b[at] = 0
	}
}
