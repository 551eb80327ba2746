package maelstrom

// Endpoint is something the router delivers messages to under one id: a
// node process, a client, or a service.
type Endpoint interface {
	// ID is the endpoint's Maelstrom id ("n0", "c3", "lin-kv").
	ID() string
	// Deliver hands m to the endpoint without blocking. It returns false
	// when the endpoint cannot take it now (its bounded queue is full, or
	// it is down); the router counts that as a drop.
	Deliver(m Message) bool
}

// Sender is what endpoints send through: the router. Send never blocks on
// the recipient; it applies the link's faults and delivers (or drops) on
// its own time.
type Sender interface {
	Send(m Message)
}
