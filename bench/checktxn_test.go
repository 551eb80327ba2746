package main

import (
	"bytes"
	"context"
	"os"
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
		{[]string{"-linearizable-keys", "-models", "serializable", dir + "elle-rw-valid-cyclic-versions-bug-1.edn"}, 0, "verdict: valid"},
	} {
		var out, errb bytes.Buffer
		code := cmdCheck(context.Background(), tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("bench check %v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}

// TestCheckTxnCalls: a Faultline history.jsonl of Maelstrom txn calls is
// checked by the Elle-style checker too.
func TestCheckTxnCalls(t *testing.T) {
	path := t.TempDir() + "/history.jsonl"
	lines := []string{
		`{"type":"op","client":1,"kind":"call","key":"txn","value":"{\"txn\":[[\"append\",1,1],[\"r\",2,null]]}","output":"{\"type\":\"txn_ok\",\"txn\":[[\"append\",1,1],[\"r\",2,[1]]]}","invoke":0,"complete":10,"outcome":"ok"}`,
		`{"type":"op","client":2,"kind":"call","key":"txn","value":"{\"txn\":[[\"append\",1,2],[\"append\",2,1]]}","output":"{\"type\":\"txn_ok\",\"txn\":[[\"append\",1,2],[\"append\",2,1]]}","invoke":1,"complete":11,"outcome":"ok"}`,
		`{"type":"op","client":3,"kind":"call","key":"txn","value":"{\"txn\":[[\"r\",1,null]]}","output":"{\"type\":\"txn_ok\",\"txn\":[[\"r\",1,[1,2]]]}","invoke":20,"complete":30,"outcome":"ok"}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := cmdCheck(context.Background(), []string{path}, &out, &errb); code != 1 || !strings.Contains(out.String(), "G1c") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
}
