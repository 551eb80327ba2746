package runner

import (
	"testing"

	"faultline/workloads/history"
)

func TestFinalReadsAgreed(t *testing.T) {
	read := func(out string, o history.Outcome) history.Op {
		return history.Op{Kind: history.Call, Key: "read", Output: out, Outcome: o}
	}
	poll := history.Op{Kind: history.Call, Key: "poll", Output: `{"type":"poll_ok","msgs":{}}`, Outcome: history.OK}
	for _, tc := range []struct {
		name  string
		round []history.Op
		want  bool
	}{
		{"no reads", []history.Op{poll}, true},
		{"sets in any order", []history.Op{read(`{"type":"read_ok","messages":[3,1,2],"in_reply_to":4}`, history.OK),
			read(`{"type":"read_ok","messages":[1,2,3],"in_reply_to":9}`, history.OK)}, true},
		{"a value missing", []history.Op{read(`{"type":"read_ok","messages":[1,2]}`, history.OK),
			read(`{"type":"read_ok","messages":[1,2,3]}`, history.OK)}, false},
		{"counters differ", []history.Op{read(`{"type":"read_ok","value":5}`, history.OK),
			read(`{"type":"read_ok","value":6}`, history.OK)}, false},
		{"a read failed", []history.Op{read(`{"type":"read_ok","value":5}`, history.OK), read("", history.Info)}, false},
		{"malformed", []history.Op{read(`nope`, history.OK)}, false},
	} {
		if got := agreed(tc.round); got != tc.want {
			t.Errorf("%s: agreed %v, want %v", tc.name, got, tc.want)
		}
	}
}
