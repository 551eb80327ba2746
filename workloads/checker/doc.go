// Package checker decides whether a recorded history (package history) is
// linearizable.
//
// Three checks share one Result type, whose verdicts merge as Jepsen's
// checker compose does (invalid over unknown over valid; see Compose):
//
//   - CheckKV: porcupine with KVModel (get/put/append on string values),
//     partitioned by key, with a per-key and an overall time limit. A search
//     cut short by a limit is reported Unknown, never Valid. On a violation
//     porcupine's HTML visualization of the first failing key, with fault
//     windows drawn beside it, is written to a writer or a path.
//     CheckKeyedKV takes a history already split by key
//     (history.ReadKeyed), as bench check reads a file; CheckKV splits
//     a flat one first. Each key's ops are converted for porcupine in the
//     worker that checks the key.
//   - CheckRegister: the same with RegisterModel, a Jepsen cas-register
//     (read/write/cas), for register workloads and imported Jepsen runs.
//   - CheckAppend: an exact, near-linear check of append histories, for the
//     contended keys where porcupine's search cannot prune.
//
// In all three, an op with outcome fail is taken as never applied, an info
// op may take effect at any time after its invocation (porcupine sees it
// return at +infinity), and a read whose outcome is not ok is ignored.
// Real-time order is strict: a precedes b when a completed before b was
// invoked; equal times are concurrent (porcupine's closed intervals).
//
// # The append check
//
// The append workload appends unique tokens (history.Token, "c3.s17;"), so a
// read of a key is the exact sequence of appends that preceded it. Per key:
//
//  1. Version order. All ok reads must be prefixes of the longest one, S;
//     a read that is not is an IncomparableReads anomaly (the two reads are
//     shown). S's tokens, in order, are positions 1..n, each mapped to the
//     append that wrote it; a token no append wrote is NeverWritten, a token
//     seen twice is a DuplicateToken, the token of a failed append is a
//     FailedAppendRead, and a value that is not a sequence of tokens is a
//     MalformedRead.
//
//  2. Ranks. The append at position p must be the p-th to take effect in
//     any linearization, so it gets rank 2p. A read that saw k appends sits
//     right after the k-th and before the next: rank 2k+1. An acknowledged
//     append that no read saw must follow every read (else that read would
//     include it), so it gets rank 2n+2. An info append nobody read is left
//     out: it may never have happened. These are exactly the version-order
//     edges A_p -> A_p+1, A_k -> R -> A_k+1 and R -> unread appends, closed
//     under transitivity: a must precede b by version order iff
//     rank(a) < rank(b).
//
//  3. Real time. The history is linearizable iff the graph of version-order
//     and real-time edges is acyclic. Building the real-time edges naively is
//     quadratic; the usual remedy sweeps by time and links each op to a
//     frontier (a chain of barrier nodes, one per completion time, each op
//     linked into the barrier after its completion and from the last barrier
//     before its invocation, so that a reaches b through barriers iff
//     a.Complete < b.Invoke: the same reachability as the full order with
//     O(n) edges). Because version order here is a total preorder, the cycle
//     test needs no graph at all: if no pair has rank(a) < rank(b) while b
//     completed before a was invoked, then sorting ops by (rank, invocation)
//     respects every edge, since within one rank invocation order respects
//     real time (a.Complete < b.Invoke implies a.Invoke < b.Invoke). And any
//     such pair closes a cycle a ->version b ->real-time a. So one pass over
//     suffix minima of completion times by rank (and prefix maxima of
//     invocation times) finds every violating op exactly; the test suite
//     checks this against an explicit barrier graph with cycle detection, a
//     quadratic graph, and porcupine.
//
// Each violation is a cycle of two ops, or three when the rank order between
// them is witnessed by a third: StaleRead (a read missed an append that
// completed before it began, or that an earlier-completed read saw),
// FutureRead (a read saw an append invoked after the read completed),
// LostAppend (an acknowledged append no read saw, though an op ranked before
// it began after it completed), ReorderedAppends (reads order two appends
// against real time). Counts count the ops involved by kind; Anomalies
// explain the earliest example of each kind per key in plain words ("read
// by client 5 at 12.301 s missed append c3.s17; (client 3), which completed
// at 12.200 s"), smallest cycle first, each with its steps: the ops with
// their times and what each saw. Acknowledged appends that no read saw and
// nothing contradicts are counted as Unread: they constrain only the final
// state.
//
// The cost is O(n log n) time and O(n) memory for n ops, plus one memory
// compare per read against the longest read. Reads that share the longest
// read's bytes (as reads sliced from one value do) compare in O(1).
//
// # Checkers as values
//
// Checker is the interface the engine (workloads/runner) calls after a run:
// Linearizable, Append and Output (a batch job's output against its
// reference) implement it, and ForHistory picks the check of a history
// whose workload is unknown. Verdict is Faultline's one verdict type: zero
// value Unknown, merged invalid over unknown over valid (Failed, a run that
// failed, over all), merging nothing is Unknown, and ExitCode is the one
// mapping to the bench exit status.
//
// checker imports the standard library, porcupine and workloads/history
// only (no system package, so that reports can use its verdicts).
package checker
