// Command broken-kafka is a kafka node that is wrong on purpose: it
// reuses offsets. Each node keeps its own logs in memory and numbers a
// key's messages from 0 with no coordination, so two nodes give the same
// offset of the same key to different messages, and each node's polls
// see only its own sends. The kafka checker must catch it with two or
// more nodes: one offset of a key holding two messages, and acknowledged
// sends that polls on other nodes never return.
//
// The handlers are the correct node's (internal/kafka); only the store
// differs.
//
// Imports: the standard library, the examples' node library, the shared
// kafka handlers (internal/kafka).
package main
