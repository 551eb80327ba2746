// Command broken-counter is a g-counter node that is wrong on purpose: it
// double-counts retried adds. An add is counted locally and pushed to
// every other node as a delta request, resent every 300 ms until that
// node acknowledges it; a receiver adds every delta it gets, with no
// dedup of a resent one. When a delta arrives but its acknowledgement is
// lost or late (message loss, latency above the timeout, a partition
// that starts in between), the retry is counted again. The g-counter
// checker must catch it under --nemesis partition or lossy links: a final
// read above the sum of every add that was acknowledged or may have
// happened.
//
// Between nodes: {"type":"delta","delta":n} answered by delta_ok.
//
// Imports: the standard library, the examples' node library.
package main
