// Package elle checks transactional histories for isolation anomalies, in
// the manner of Jepsen's Elle (Kingsbury and Alvaro, "Elle: Inferring
// Isolation Anomalies from Experimental Observations", VLDB 2020).
//
// Check takes a list-append or rw-register history (history.Txns, read
// from Jepsen's EDN by workloads/jepsen or from Maelstrom's txn calls by
// FromCalls) and infers dependencies between transactions:
//
//   - list-append: the longest read of each key is its version order
//     (every other read must be a prefix of it: else incompatible-order);
//     ww links the appender of each element to the appender of the next,
//     wr the appender of a read's last element to the reader, rw each
//     reader of a state to the appender of the element after it. An
//     append no read saw follows the last element read.
//   - rw-register: only what unique writes make sound, as Elle does by
//     default: a read follows the write of its value (wr), and the
//     initial nil state precedes every written value, so a transaction
//     that read nil precedes every writer of the key (rw). Options add
//     Elle's assumptions about each key's version order (WFRKeys,
//     SequentialKeys, LinearizableKeys: the last links, per key, each
//     transaction to the real-time frontier of those before it); an
//     assumption that orders some key's versions in a cycle is dropped
//     and reported as cyclic-versions. Version edges give ww (writer to
//     writer) and rw (reader to writer) edges.
//
// When a model checked orders transactions in real time
// (strict-serializable), real-time edges join each completed transaction
// to those invoked after it, through the frontier of latest completions
// (Elle's transitive reduction); strong-session-serializable adds each
// process's order instead.
//
// Each edge is explained by one kind, the first of ww, wr, rw, process and
// realtime it carries, as Elle's explainers take them. The strongly
// connected components of the graph (Tarjan's algorithm, iterative) hold
// every cycle; within each, a breadth-first search over (transaction,
// state) pairs finds the shortest cycle of each type, whose state tracks
// what the type needs: G0 (ww only), G1c (ww and wr, at least one wr),
// G-single-item (exactly one rw), G-nonadjacent-item (two or more rw, no
// two adjacent), G2-item (two or more, some adjacent), each also with
// -process and -realtime suffixes when the cycle needs those edges. Types
// are searched from the most severe; a type implied by one found in the
// component is not searched again.
//
// Beside cycles: G1a (a read of a failed transaction's write), G1b (a read
// of an intermediate state), internal (a read that contradicts the
// transaction's own reads and writes), future-read, lost-update (two
// committed transactions read one state of a key and both wrote it),
// dirty-update, duplicate-elements, never-written, and
// duplicate-appends (a malformed history: appended values must be
// unique).
//
// Options name the models expected (strict-serializable by default) or
// further anomalies, as Elle's :consistency-models and :anomalies. The
// Result is Invalid when an anomaly they prohibit was found, Unknown when
// only the check's own limits were (an empty transaction graph, a cycle
// search cut by its budget), else Valid; it lists the models the history
// rules out, and every anomaly with its explanation and, for a cycle, the
// transactions and edge reasons in order (Cycle), ready to draw. Output is
// deterministic: components, searches and anomalies are all sorted.
//
// Cost: near-linear. For n transactions the inference is O(n + total read
// length) with per-key arrays (no maps in the hot loops for Jepsen's
// per-key counters), the graph is built in compressed sparse rows, and
// cycle searches run only inside components of two or more transactions
// (bounded by a budget per component). BenchmarkCheckAppend measures 10k,
// 100k and 1M transactions.
//
// elle imports the standard library, workloads/history and
// workloads/checker (for the one Verdict) only.
package elle
