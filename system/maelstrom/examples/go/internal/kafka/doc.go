// Package kafka is the part of a kafka node that the correct node
// (go/kafka, logs in the lin-kv service) and the broken one
// (go/broken-kafka, logs in each node's memory) share: the handlers of
// send, poll, commit_offsets and list_committed_offsets over a Store.
// Where the logs live, and so whether offsets are right, is the node's
// own.
//
// Imports: the standard library and the examples' node library.
package kafka
