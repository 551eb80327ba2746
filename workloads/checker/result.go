package checker

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxListedKeys bounds the key lists of a Result.
const maxListedKeys = 100

// Result is the outcome of one checker over one history. It marshals to JSON
// for results.json.
type Result struct {
	// Checker names the check: "kv", "register" or "append".
	Checker string  `json:"checker"`
	Verdict Verdict `json:"verdict"`
	// Ops is the number of ops the check considered. The porcupine checks
	// drop failed ops and reads with unknown outcome first; the append
	// check drops such reads but keeps failed appends, which must not
	// appear in any read.
	Ops int `json:"ops"`
	// Keys is the number of keys checked.
	Keys int `json:"keys"`
	// KeysInvalid and KeysUnknown count keys by verdict.
	KeysInvalid int `json:"keys_invalid,omitempty"`
	KeysUnknown int `json:"keys_unknown,omitempty"`
	// FailingKeys and UnknownKeys name those keys, sorted, at most 100 each.
	FailingKeys []string `json:"failing_keys,omitempty"`
	UnknownKeys []string `json:"unknown_keys,omitempty"`
	// Counts counts anomalies by kind. The append checker counts ops: each
	// stale read, lost append, and so on, once.
	Counts map[AnomalyKind]int `json:"counts,omitempty"`
	// Unread counts acknowledged appends that no read saw and nothing
	// contradicts (no op began after they completed and was ordered before
	// them): legal, but unconfirmed.
	Unread int `json:"unread,omitempty"`
	// Anomalies holds explained examples, the smallest cycle first.
	Anomalies []Anomaly `json:"anomalies,omitempty"`
	// Reason says why the verdict is Unknown.
	Reason string `json:"reason,omitempty"`
	// Visualization is the path of porcupine's HTML visualization, if one
	// was written to a path.
	Visualization string `json:"visualization,omitempty"`
	// Text, when set, is the whole one-line summary: checks that judge no
	// ops (the job output) and checks that could not run say it in words.
	Text string `json:"text,omitempty"`
	// Elapsed is how long the check took.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Summary describes the result on one line, for the terminal.
func (r *Result) Summary() string {
	if r.Text != "" {
		return r.Text
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %s on %s", r.Checker, r.Verdict, plural(r.Ops, "op"), plural(r.Keys, "key"))
	if r.KeysInvalid > 0 {
		fmt.Fprintf(&b, ", %d invalid", r.KeysInvalid)
	}
	if r.KeysUnknown > 0 {
		fmt.Fprintf(&b, ", %d unknown", r.KeysUnknown)
	}
	if len(r.Counts) > 0 {
		kinds := make([]AnomalyKind, 0, len(r.Counts))
		for k := range r.Counts {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%s %d", k, r.Counts[k])
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, ": %s", r.Reason)
	}
	fmt.Fprintf(&b, " in %v", r.Elapsed.Round(time.Millisecond))
	return b.String()
}

// Details returns Counts (and Unread) keyed by name, the shape of
// results.json check details.
func (r *Result) Details() map[string]int64 {
	if len(r.Counts) == 0 && r.Unread == 0 {
		return nil
	}
	d := make(map[string]int64, len(r.Counts)+1)
	for k, n := range r.Counts {
		d[k.String()] = int64(n)
	}
	if r.Unread > 0 {
		d["unread"] = int64(r.Unread)
	}
	return d
}

// count adds n anomalies of kind k.
func (r *Result) count(k AnomalyKind, n int) {
	if n == 0 {
		return
	}
	if r.Counts == nil {
		r.Counts = make(map[AnomalyKind]int)
	}
	r.Counts[k] += n
}

// NothingToCheck is the reason a check gives for an empty history.
const NothingToCheck = "nothing to check: the history has no operations"

// judgedNothing makes r Unknown when the check considered no op of the
// total in the history: a check that judged nothing proves nothing, so it
// is never Valid. It is the one place the history checks (porcupine's and
// the append check) apply that rule.
func (r *Result) judgedNothing(total int) {
	if r.Ops > 0 || r.Verdict == Invalid {
		return
	}
	r.Verdict = Unknown
	r.Reason = NothingToCheck
	if total > 0 {
		r.Reason = fmt.Sprintf("nothing to check: none of the history's %s constrains it (failed ops and reads of unknown outcome prove nothing)",
			plural(total, "op"))
	}
	r.Text = fmt.Sprintf("%s: unknown: %s", r.Checker, r.Reason)
}

// listKeys sorts keys and keeps the first maxListedKeys.
func listKeys(keys []string) []string {
	sort.Strings(keys)
	if len(keys) > maxListedKeys {
		keys = keys[:maxListedKeys]
	}
	return keys
}
