// Command echo is a Maelstrom node for the echo workload: it answers each
// echo request with echo_ok carrying the same payload.
//
// Imports: the standard library, the examples' node library.
package main
