package kvcheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Token is the value client appends as its j-th append: unique and
// self-delimiting, so that counting it in a value is exact.
func Token(client, j int) string { return fmt.Sprintf("x %d %d y", client, j) }

// Appends remembers, per key and client, the appends issued and whether
// each was acknowledged. It is safe for concurrent use.
type Appends struct {
	mu   sync.Mutex
	recs map[string]map[int][]appendRec // key -> client -> appends in order
}

type appendRec struct {
	j     int
	acked bool
}

// NewAppends returns an empty log.
func NewAppends() *Appends { return &Appends{recs: map[string]map[int][]appendRec{}} }

// Add records that client issued Token(client, j) to key, acknowledged or not.
func (a *Appends) Add(key string, client, j int, acked bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.recs[key]
	if m == nil {
		m = map[int][]appendRec{}
		a.recs[key] = m
	}
	m[client] = append(m[client], appendRec{j: j, acked: acked})
}

// Reset forgets the appends to key (after a Put replaced its value).
func (a *Appends) Reset(key string) {
	a.mu.Lock()
	delete(a.recs, key)
	a.mu.Unlock()
}

// Keys returns the keys appended to, sorted.
func (a *Appends) Keys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Sorted(maps.Keys(a.recs))
}

// Verify checks key's final value v: every acknowledged append appears
// exactly once, an unacknowledged one at most once, and each client's
// appends appear in the order it issued them.
func (a *Appends) Verify(t testing.TB, key, v string) {
	t.Helper()
	if err := a.verify(key, v); err != nil {
		t.Fatal(err)
	}
}

func (a *Appends) verify(key, v string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for client, recs := range a.recs[key] {
		lastAt := -1
		for _, rec := range recs {
			tok := Token(client, rec.j)
			n := strings.Count(v, tok)
			if n > 1 || (rec.acked && n == 0) {
				return fmt.Errorf("key %q: append %q (acknowledged: %v) appears %d times in %q", key, tok, rec.acked, n, v)
			}
			if n == 0 {
				continue
			}
			at := strings.Index(v, tok)
			if at < lastAt {
				return fmt.Errorf("key %q: client %d's append %q is out of order in %q", key, client, tok, v)
			}
			lastAt = at
		}
	}
	return nil
}
