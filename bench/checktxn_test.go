package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCheckTxnEDN: bench check reads a Jepsen transactional history.edn,
// detects its kind and checks it with the Elle-style checker.
func TestCheckTxnEDN(t *testing.T) {
	const dir = "../workloads/checker/elle/testdata/corpus/"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{dir + "elle-la-g1c-1.edn"}, 1, "anomalies G1c"},
		{[]string{"-models", "snapshot-isolation", dir + "elle-la-si-valid-1.edn"}, 0, "verdict: valid"},
		{[]string{"-models", "serializable", dir + "elle-rw-g-single-1.edn"}, 1, "G-single-item"},
		{[]string{"-models", "bogus", dir + "elle-la-g1c-1.edn"}, exitFailed, ""},
	} {
		var out, errb bytes.Buffer
		code := cmdCheck(context.Background(), tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("bench check %v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}
