// Command broken-lin-kv is a lin-kv node that is wrong on purpose: it
// serves stale reads. Every node talks to the lin-kv service itself and
// remembers each value it wrote, cas'd or read in a local cache; a read
// of a cached key is answered from the cache without asking the service.
// When another node changes the key, this node keeps answering the old
// value. The lin-kv checker (porcupine, per key) must catch it with two
// or more nodes: a read returns a value that a completed write or cas
// had already replaced.
//
// Imports: the standard library, the examples' node library.
package main
