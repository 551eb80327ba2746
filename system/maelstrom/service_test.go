package maelstrom

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// direct drives a service without a network: each call delivers one
// request and returns the reply the service sent (at once, or from a
// goroutine of its own: a store-backed service).
type direct struct {
	t       *testing.T
	ep      Endpoint
	next    int64
	replies chan Message
}

func newDirect(t *testing.T, name string, seed int64) *direct {
	d := &direct{t: t, replies: make(chan Message, 64)}
	ep, err := NewService(name, d.sender(), seed)
	if err != nil {
		t.Fatal(err)
	}
	d.ep = ep
	return d
}

// sender is what the service under test sends its replies through.
func (d *direct) sender() Sender { return recorder(func(m Message) { d.replies <- m }) }

// reply returns the next reply the service sent, waiting up to 10 s.
func (d *direct) reply() Message {
	d.t.Helper()
	select {
	case m := <-d.replies:
		return m
	case <-time.After(10 * time.Second):
		d.t.Fatal("no reply from the service within 10s")
	}
	return Message{}
}

// call sends body (a JSON object without msg_id) from src and returns the
// reply body decoded.
func (d *direct) call(src, body string) map[string]any {
	d.t.Helper()
	d.next++
	b := strings.Replace(body, "{", fmt.Sprintf(`{"msg_id":%d,`, d.next), 1)
	if !d.ep.Deliver(Message{Src: src, Dest: d.ep.ID(), Body: json.RawMessage(b)}) {
		d.t.Fatal("service refused a request")
	}
	m := d.reply()
	if m.Dest != src || m.Src != d.ep.ID() {
		d.t.Fatalf("%s: service sent %+v, want a reply to %s", b, m, src)
	}
	var reply map[string]any
	if err := json.Unmarshal(m.Body, &reply); err != nil {
		d.t.Fatal(err)
	}
	if reply["in_reply_to"] != float64(d.next) {
		d.t.Fatalf("%s: reply %v does not answer msg_id %d", b, reply, d.next)
	}
	return reply
}

// want checks that a reply has type typ (and, for errors, code).
func (d *direct) want(reply map[string]any, typ string, code Code) {
	d.t.Helper()
	if reply["type"] != typ || (typ == "error" && reply["code"] != float64(code)) {
		d.t.Fatalf("reply %v, want %s %d", reply, typ, code)
	}
}

func TestLinKV(t *testing.T) { linKVScript(t, newDirect(t, LinKV, 1)) }

// linKVScript checks lin-kv's answers, in one order: missing keys, writes
// of any JSON value (canonical: object keys in any order), cas with and
// without create_if_not_exists, precondition failures.
func linKVScript(t *testing.T, d *direct) {
	d.want(d.call("n0", `{"type":"read","key":1}`), "error", CodeKeyDoesNotExist)
	d.want(d.call("n0", `{"type":"cas","key":1,"from":1,"to":2}`), "error", CodeKeyDoesNotExist)
	d.want(d.call("n0", `{"type":"write","key":1,"value":{"b":[1,2],"a":"x"}}`), "write_ok", 0)
	if v := d.call("n1", `{"type":"read","key":1}`); fmt.Sprint(v["value"]) != "map[a:x b:[1 2]]" {
		t.Fatalf("read %v", v)
	}
	d.want(d.call("n0", `{"type":"read","key":"1"}`), "error", CodeKeyDoesNotExist) // "1" is not 1
	d.want(d.call("n1", `{"type":"cas","key":1,"from":{"a":"y"},"to":3}`), "error", CodePreconditionFailed)
	d.want(d.call("n1", `{"type":"cas","key":1,"from":{"a":"x", "b":[1,2]},"to":3}`), "cas_ok", 0)
	if v := d.call("n0", `{"type":"read","key":1}`); v["value"] != float64(3) {
		t.Fatalf("read after cas %v", v)
	}
	d.want(d.call("n0", `{"type":"cas","key":2,"from":0,"to":5,"create_if_not_exists":true}`), "cas_ok", 0)
	if v := d.call("n0", `{"type":"read","key":2}`); v["value"] != float64(5) {
		t.Fatalf("read after creating cas %v", v)
	}
	d.want(d.call("n0", `{"type":"cas","key":2,"from":0,"to":6,"create_if_not_exists":true}`), "error", CodePreconditionFailed)
	d.want(d.call("n0", `{"type":"write","key":3,"value":null}`), "write_ok", 0)
	if v := d.call("n0", `{"type":"read","key":3}`); v["value"] != nil || v["type"] != "read_ok" {
		t.Fatalf("read of null %v", v)
	}
	d.want(d.call("n0", `{"type":"txn"}`), "error", CodeNotSupported)
}

func TestServiceMalformedAndReplies(t *testing.T) {
	for _, name := range ServiceNames() {
		d := newDirect(t, name, 1)
		d.ep.Deliver(Message{Src: "n0", Dest: name, Body: json.RawMessage(`{"type":"read_ok","in_reply_to":4}`)})
		if len(d.replies) != 0 {
			t.Errorf("%s answered a reply: %+v", name, <-d.replies)
		}
		d.ep.Deliver(Message{Src: "n0", Dest: name, Body: json.RawMessage(`{"type":3}`)})
		var e ErrorBody
		if m := d.reply(); json.Unmarshal(m.Body, &e) != nil || e.Code != CodeMalformedRequest {
			t.Errorf("%s: malformed request answered %+v", name, m)
		}
		if name != LinTSO {
			d.want(d.call("n0", `{"type":"cas","key":1,"from":1,"to":2,"create_if_not_exists":"yes"}`), "error", CodeMalformedRequest)
		}
	}
	if _, err := NewService("kv", nil, 0); err == nil || !strings.Contains(err.Error(), LinKV) {
		t.Errorf("unknown service: %v", err)
	}
}

func TestLinTSO(t *testing.T) {
	d := newDirect(t, LinTSO, 1)
	for i := range 100 {
		if v := d.call(fmt.Sprintf("n%d", i%3), `{"type":"ts"}`); v["type"] != "ts_ok" || v["ts"] != float64(i) {
			t.Fatalf("request %d: %v", i, v)
		}
	}
	d.want(d.call("n0", `{"type":"read","key":1}`), "error", CodeNotSupported)
}

// TestSeqKVMonotonic runs a writer of rising values and readers against
// seq-kv: each client's reads never go back (nor behind its own writes),
// and stale reads do happen.
func TestSeqKVMonotonic(t *testing.T) {
	for seed := range int64(5) {
		d := newDirect(t, SeqKV, seed)
		last := map[string]float64{}
		latest, stale := 0.0, 0
		for i := 1; i <= 400; i++ {
			if i%4 == 0 {
				latest = float64(i)
				d.want(d.call("n0", fmt.Sprintf(`{"type":"write","key":"x","value":%d}`, i)), "write_ok", 0)
				last["n0"] = latest
				continue
			}
			src := fmt.Sprintf("n%d", i%4)
			v := d.call(src, `{"type":"read","key":"x"}`)
			val, _ := v["value"].(float64) // a missing key reads as 0
			if val < last[src] {
				t.Fatalf("seed %d: %s read %v after seeing %v", seed, src, val, last[src])
			}
			if val < latest {
				stale++
			}
			last[src] = val
		}
		if stale == 0 {
			t.Errorf("seed %d: no stale read in 300 reads", seed)
		}
	}
}

// TestSeqKVUpdatesApplyToLatest checks that a cas that changes state sees
// the latest state, and that a write that changes nothing may go to the
// past (doc/services.md's example).
func TestSeqKVUpdatesApplyToLatest(t *testing.T) {
	d := newDirect(t, SeqKV, 3)
	d.want(d.call("n1", `{"type":"write","key":"x","value":1}`), "write_ok", 0)
	for i := 1; i < 50; i++ {
		d.want(d.call("n2", fmt.Sprintf(`{"type":"cas","key":"x","from":%d,"to":%d}`, i, i+1)), "cas_ok", 0)
	}
	d.want(d.call("n1", `{"type":"write","key":"x","value":1}`), "write_ok", 0)
	// n1's write of 1 changed the latest state (50 -> 1): n1 reads it.
	if v := d.call("n1", `{"type":"read","key":"x"}`); v["value"] != float64(1) {
		t.Fatalf("n1 wrote 1 over 50 and read %v", v["value"])
	}
}

// TestLWWKVConverges writes from several clients and then reads until
// every replica agrees on the newest write.
func TestLWWKVConverges(t *testing.T) {
	d := newDirect(t, LWWKV, 11)
	for i := range 50 {
		d.want(d.call(fmt.Sprintf("n%d", i%5), fmt.Sprintf(`{"type":"write","key":"k","value":%d}`, i)), "write_ok", 0)
	}
	kv := d.ep.(*service).st.(kvStore).kv.(*lwwKV)
	var newest stamped
	for _, r := range kv.reps {
		if v, ok := r.m[`"k"`]; ok && v.newer(newest) {
			newest = v
		}
	}
	agree := func() bool {
		for _, r := range kv.reps {
			if r.m[`"k"`] != newest {
				return false
			}
		}
		return true
	}
	reads := 0
	for ; !agree(); reads++ {
		if reads == 1000 {
			t.Fatal("replicas did not converge in 1000 reads")
		}
		d.call("c1", `{"type":"read","key":"k"}`)
	}
	for range 20 {
		if v := d.call("c1", `{"type":"read","key":"k"}`); fmt.Sprint(v["value"]) != newest.value {
			t.Fatalf("after converging, read %v, want %s", v["value"], newest.value)
		}
	}
	t.Logf("converged after %d reads on %s", reads, newest.value)
}

func TestServicesOverRouter(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	c := NewClient("c1", r)
	attach(t, r, c)
	for i, name := range ServiceNames() {
		s, err := NewService(name, r, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		attach(t, r, s)
	}
	for _, name := range []string{LinKV, SeqKV, LWWKV} {
		if _, err := c.Call(t.Context(), name, "write", []byte(`{"key":"a","value":7}`)); err != nil {
			t.Fatal(err)
		}
	}
	if body, err := c.Call(t.Context(), LinKV, "read", []byte(`{"key":"a"}`)); err != nil || string(body) != `{"in_reply_to":4,"type":"read_ok","value":7}` {
		t.Fatalf("lin-kv read: %s %v", body, err)
	}
	if body, err := c.Call(t.Context(), LinTSO, "ts", nil); err != nil || string(body) != `{"in_reply_to":5,"type":"ts_ok","ts":0}` {
		t.Fatalf("lin-tso: %s %v", body, err)
	}
	if s := r.Stats(); s.ByType["write"].Sent != 3 || s.Clients.Sent != 10 {
		t.Fatalf("stats %+v", s)
	}
}
