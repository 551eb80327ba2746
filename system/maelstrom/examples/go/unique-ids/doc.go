// Command unique-ids is a Maelstrom node for the unique-ids workload. An
// id is the node's id, a random boot nonce drawn when the process starts,
// and a counter: unique across nodes without coordination, and across a
// node's restarts (a fresh process draws a fresh nonce), so partitions
// and kills cannot make it repeat an id.
//
// Imports: the standard library, the examples' node library.
package main
