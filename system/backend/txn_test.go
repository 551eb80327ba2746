package backend

import (
	"errors"
	"testing"
)

// TestTxnRoundTrip: a request parses into its micro-ops, keys kept as
// their JSON text, and the reply carries them back with reads filled in.
func TestTxnRoundTrip(t *testing.T) {
	ops, err := ParseTxn([]byte(`{"txn":[["r", 1, null],["append",1,7],["w","x",-3],["r","x",null]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 4 || ops[0].Key != "1" || !ops[0].Nil || ops[1].Value != 7 || ops[2].Key != `"x"` || ops[2].Value != -3 {
		t.Fatalf("parsed %+v", ops)
	}
	ops[0] = TxnOp{F: "r", Key: "1", IsList: true, List: []int64{4, 5}}
	ops[3] = TxnOp{F: "r", Key: `"x"`, Value: -3}
	want := `{"type":"txn_ok","txn":[["r",1,[4,5]],["append",1,7],["w","x",-3],["r","x",-3]]}`
	if got := string(TxnReply(ops)); got != want {
		t.Fatalf("reply %s\nwant  %s", got, want)
	}
	if got := string(TxnReply([]TxnOp{{F: "r", Key: "2", Nil: true}})); got != `{"type":"txn_ok","txn":[["r",2,null]]}` {
		t.Fatalf("nil read reply %s", got)
	}
}

// TestTxnMalformedIsDefinite: a malformed request is refused before it
// runs, so its error wraps ErrDefinite.
func TestTxnMalformedIsDefinite(t *testing.T) {
	for _, body := range []string{`{`, `{"txn":[["r",1]]}`, `{"txn":[["cas",1,2]]}`, `{"txn":[["append",1,"a"]]}`,
		`{"txn":[["r",null,null]]}`, `{"txn":[[1,1,1]]}`} {
		if _, err := ParseTxn([]byte(body)); !errors.Is(err, ErrDefinite) {
			t.Errorf("%s: error %v, want one wrapping ErrDefinite", body, err)
		}
	}
}
