package maelstrom

import "strings"

// DropCause says why the router dropped a message.
type DropCause string

// Drop causes.
const (
	// DropPartition: the directed link was Blocked (a partition).
	DropPartition DropCause = "partition"
	// DropLoss: the link's loss (Drop, Burst) took it.
	DropLoss DropCause = "loss"
	// DropUnknownDest: no endpoint has the message's dest id.
	DropUnknownDest DropCause = "unknown-dest"
	// DropSlowEndpoint: the recipient refused it (Deliver returned false:
	// its queue was full, or it was down).
	DropSlowEndpoint DropCause = "slow-endpoint"
	// DropOverload: its sender already had RouterConfig.MaxInFlight
	// messages on their way (a flood), so the network took no more from it.
	DropOverload DropCause = "overload"
)

// Drops counts dropped messages by cause.
type Drops struct {
	Partition    int64 `json:"partition"`
	Loss         int64 `json:"loss"`
	UnknownDest  int64 `json:"unknown_dest"`
	SlowEndpoint int64 `json:"slow_endpoint"`
	Overload     int64 `json:"overload"`
}

// Total is the number of dropped messages of every cause.
func (d Drops) Total() int64 {
	return d.Partition + d.Loss + d.UnknownDest + d.SlowEndpoint + d.Overload
}

func (d *Drops) add(c DropCause) {
	switch c {
	case DropPartition:
		d.Partition++
	case DropLoss:
		d.Loss++
	case DropUnknownDest:
		d.UnknownDest++
	case DropSlowEndpoint:
		d.SlowEndpoint++
	case DropOverload:
		d.Overload++
	}
}

// Traffic counts the messages of one kind of traffic. Sent counts each
// message once (Maelstrom's msg-count); Delivered counts deliveries, so a
// duplicated message that arrives twice counts twice there and once in
// Duplicated. A message is in flight while it is neither delivered nor
// dropped.
type Traffic struct {
	Sent       int64 `json:"sent"`
	Delivered  int64 `json:"delivered"`
	Duplicated int64 `json:"duplicated"`
	Dropped    Drops `json:"dropped"`
	// Bytes is the size of the messages sent, each as one line of JSON.
	Bytes int64 `json:"bytes"`
}

// OtherTypes is the NetStats.ByType key of messages without a type, and
// of all types beyond the first maxTypes (4096) a router sees.
const OtherTypes = "(other)"

// NetStats is the router's network statistics, as Maelstrom's net stats
// show them: all traffic, client traffic (any message from or to a client
// c1, c2, ...) and server traffic (between nodes and services), plus all
// traffic by body type (see OtherTypes).
type NetStats struct {
	All     Traffic            `json:"all"`
	Clients Traffic            `json:"clients"`
	Servers Traffic            `json:"servers"`
	ByType  map[string]Traffic `json:"by_type"`
	// JournalOmitted counts the messages of the journal window that the
	// journal had no room for.
	JournalOmitted int64 `json:"journal_omitted"`
}

// trafficClass is client or server traffic.
type trafficClass uint8

const (
	serverTraffic trafficClass = iota
	clientTraffic
)

// classify says whether a message between src and dest is client traffic.
func classify(src, dest string) trafficClass {
	if isClient(src) || isClient(dest) {
		return clientTraffic
	}
	return serverTraffic
}

// isClient reports whether id names a client: "c" and a number (c0 is the
// harness's own client).
func isClient(id string) bool {
	if len(id) < 2 || id[0] != 'c' {
		return false
	}
	return strings.Trim(id[1:], "0123456789") == ""
}

// counters is the router's running NetStats; the router's lock guards it.
type counters struct {
	all, clients, servers Traffic
	byType                map[string]*Traffic
	journalOmitted        int64
}

// each calls f on the three Traffic values a message of class c and type
// typ counts in.
func (c *counters) each(class trafficClass, typ string, f func(t *Traffic)) {
	f(&c.all)
	if class == clientTraffic {
		f(&c.clients)
	} else {
		f(&c.servers)
	}
	t := c.byType[typ]
	if t == nil {
		if typ == "" || len(c.byType) >= maxTypes {
			typ = OtherTypes
		}
		if t = c.byType[typ]; t == nil {
			t = &Traffic{}
			c.byType[typ] = t
		}
	}
	f(t)
}

func (c *counters) sent(class trafficClass, typ string, size int) {
	c.each(class, typ, func(t *Traffic) { t.Sent++; t.Bytes += int64(size) })
}

func (c *counters) delivered(class trafficClass, typ string) {
	c.each(class, typ, func(t *Traffic) { t.Delivered++ })
}

func (c *counters) duplicated(class trafficClass, typ string) {
	c.each(class, typ, func(t *Traffic) { t.Duplicated++ })
}

func (c *counters) dropped(class trafficClass, typ string, cause DropCause) {
	c.each(class, typ, func(t *Traffic) { t.Dropped.add(cause) })
}

// snapshot copies the counters out.
func (c *counters) snapshot() NetStats {
	s := NetStats{All: c.all, Clients: c.clients, Servers: c.servers, JournalOmitted: c.journalOmitted,
		ByType: make(map[string]Traffic, len(c.byType))}
	for k, t := range c.byType {
		s.ByType[k] = *t
	}
	return s
}
