package maelstrom

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// writesPerKey draws n requests from each of w's clients, concurrently,
// and counts the writes each key took: lin-kv's writes and cases, the
// transactions' write and append micro-ops.
func writesPerKey(t *testing.T, w Workload, clients, n int) map[string]int {
	t.Helper()
	var mu sync.Mutex
	writes := map[string]int{}
	var wg sync.WaitGroup
	for c := 1; c <= clients; c++ {
		wg.Go(func() {
			for _, r := range replay(w, c, 11, n, okReply) {
				var keys []string
				switch r.F {
				case "write", "cas":
					keys = append(keys, r.Op.Key)
				case "txn":
					var body struct{ Txn [][3]any }
					if err := json.Unmarshal(r.Args, &body); err != nil {
						t.Errorf("txn args %s: %v", r.Args, err)
						return
					}
					for _, m := range body.Txn {
						if m[0] != "r" {
							keys = append(keys, fmt.Sprint(m[1]))
						}
					}
				}
				mu.Lock()
				for _, k := range keys {
					writes[k]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return writes
}

// TestMaxWritesPerKey: with Maelstrom's --max-writes-per-key, no key of
// lin-kv or of the transactional workloads takes more writes than the
// bound over all clients together, and the clients move on to fresh keys;
// without it, keys take many more.
func TestMaxWritesPerKey(t *testing.T) {
	for _, name := range []string{"lin-kv", "txn-list-append", "txn-rw-register"} {
		t.Run(name, func(t *testing.T) {
			w, err := New(name, Options{Clients: 4, KeyCount: 2, MaxWritesPerKey: 3})
			if err != nil {
				t.Fatal(err)
			}
			writes := writesPerKey(t, w, 4, 150)
			for k, n := range writes {
				if n > 3 {
					t.Errorf("key %s took %d writes, bound 3", k, n)
				}
			}
			if len(writes) < 50 {
				t.Errorf("only %d keys written: the clients did not move to fresh keys", len(writes))
			}
			unbounded, err := New(name, Options{Clients: 4, KeyCount: 2})
			if err != nil {
				t.Fatal(err)
			}
			most := 0
			for _, n := range writesPerKey(t, unbounded, 4, 150) {
				most = max(most, n)
			}
			if most <= 3 {
				t.Errorf("without the bound the busiest key took %d writes; the test cannot tell the bound applies", most)
			}
		})
	}
	if _, err := New("lin-kv", Options{Clients: 1, MaxWritesPerKey: -1}); err == nil {
		t.Error("a negative bound was accepted")
	}
}
