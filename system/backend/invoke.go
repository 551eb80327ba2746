package backend

import "context"

// Invoker is a Client of a system whose workloads are not key/value ones:
// Maelstrom-protocol nodes answer echo, broadcast, kafka and other
// requests. Invoke sends a request of type f, with args the JSON-encoded
// fields of its body besides type and msg_id (nil for none), to node (""
// for the client's own node), and returns the JSON-encoded body of the
// reply.
//
// Errors classify the outcome as Client's do: one wrapping ErrDefinite
// means the request certainly did not take effect; any other means its
// outcome is unknown.
type Invoker interface {
	Invoke(ctx context.Context, node, f string, args []byte) ([]byte, error)
}
