package kernelnet

import (
	"errors"
	"strings"
	"testing"
)

// TestPrivilegesRefusal: without CAP_NET_ADMIN or CAP_SYS_ADMIN the error
// names what is missing and what to do instead.
func TestPrivilegesRefusal(t *testing.T) {
	for _, tc := range []struct {
		eff     uint64
		missing string
	}{
		{0, "CAP_NET_ADMIN and CAP_SYS_ADMIN"},
		{1 << capSysAdmin, "lacks CAP_NET_ADMIN;"},
		{1 << capNetAdmin, "lacks CAP_SYS_ADMIN;"},
	} {
		err := checkCaps(tc.eff)
		if !errors.Is(err, ErrPrivileges) || !strings.Contains(err.Error(), tc.missing) || !strings.Contains(err.Error(), "run as root") {
			t.Errorf("caps %#x: %v", tc.eff, err)
		}
	}
	if err := checkCaps(1<<capNetAdmin | 1<<capSysAdmin); err != nil {
		t.Errorf("both: %v", err)
	}
}
