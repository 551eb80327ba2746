// Package examples holds Faultline's own Maelstrom nodes, written to
// exercise the Maelstrom backend (issue #19) and to show how such nodes
// are written:
//
//   - node: a small Go library for Maelstrom nodes.
//   - go/<name>: Go nodes for echo, unique-ids, broadcast, g-set,
//     g-counter, lin-kv and kafka, each a main package.
//   - python/<name>.py: the same seven in Python 3 with only the standard
//     library, on the shared python/maelstrom_node.py.
//   - go/broken-*: nodes that are wrong on purpose, one for each flaw a
//     checker must catch (see README.md).
//   - go/internal/broadcast, go/internal/kafka: handlers a correct node
//     and its broken twin share (broadcast's serve g-set too).
//
// The tests in this package build the Go nodes, start every node as a
// process and speak the protocol to it on its stdin and stdout, standing
// in for clients, peers and services. This file exists for the package
// doc; the package has no code of its own.
//
// Imports: the tests use the standard library, faultline/system/maelstrom
// and the examples' node library.
package examples
