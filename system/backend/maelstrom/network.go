package maelstrom

import (
	"context"
	"encoding/json"

	"faultline/system/maelstrom"
	"faultline/transport"
)

// Network is what a Cluster needs of the network its nodes, clients and
// services talk through: Faultline's Maelstrom router (maelstrom.Router).
// Send must never block on the recipient; Attach gives an endpoint its
// unique id; Faults is the link fault table the chaos controller drives,
// per directed link between ids; Close stops delivering (the Cluster
// calls it once, after its nodes stopped).
type Network interface {
	maelstrom.Sender
	Attach(ep maelstrom.Endpoint) error
	Faults() transport.LinkFaulter
	Close()
}

// Caller is a client endpoint of the network (maelstrom.Client): Call
// sends a request of type typ with fields (the JSON object of the body's
// other fields, or nil) to dest and returns the reply's body. An error
// reply is returned as a *maelstrom.RPCError (errors.As), so that its
// code says whether the request certainly did not take effect; any other
// error (ctx ended, no reply) leaves the outcome unknown.
type Caller interface {
	maelstrom.Endpoint
	Call(ctx context.Context, dest, typ string, fields []byte) (json.RawMessage, error)
}

// NewCaller makes the client endpoint id, sending through s
// (maelstrom.NewClient). The Cluster attaches it to its Network.
type NewCaller func(id string, s maelstrom.Sender) Caller
