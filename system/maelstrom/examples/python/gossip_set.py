"""The part of a set node that broadcast.py and g-set.py share.

serve(node, add, field, read_field) registers the handlers of a set
workload on node: the add request (its type and value field), read (the
reply lists every value under read_field), topology and gossip between
nodes. A value a client adds (or a neighbour gossips) is kept and queued
for every neighbour but the one it came from. Every 100 ms the node sends
each neighbour one gossip request with all the values that neighbour has
not acknowledged yet, at most one in flight per neighbour; a value leaves
the queue only when a gossip_ok acknowledges it, so values survive lost
messages and partitions. Until a topology message arrives, every other
node is a neighbour. Between nodes it speaks the Go set nodes' messages:
{"type": "gossip", "messages": [...]} and gossip_ok.
"""

import threading

from maelstrom_node import MALFORMED_REQUEST, RPCError, canonical


class GossipSet:
    """The values, the neighbours and the unacknowledged queues."""

    def __init__(self, node):
        self.node = node
        self.lock = threading.Lock()
        self.values = {}  # canonical text -> value
        self.neighbours = []
        self.unacked = {}  # neighbour -> {canonical text: value}
        self.in_flight = set()

    def add(self, value, came_from=None):
        with self.lock:
            key = canonical(value)
            if key in self.values:
                return
            self.values[key] = value
            for nb in self.neighbours:
                if nb != came_from:
                    self.unacked.setdefault(nb, {})[key] = value

    def push(self):
        with self.lock:
            for nb, queue in self.unacked.items():
                if not queue or nb in self.in_flight:
                    continue
                batch = dict(queue)
                self.in_flight.add(nb)
                self.node.rpc(nb, {"type": "gossip", "messages": list(batch.values())}, self.acked(nb, batch))

    def acked(self, nb, batch):
        def done(reply, error):
            with self.lock:
                self.in_flight.discard(nb)
                if error is None:
                    for key in batch:
                        self.unacked[nb].pop(key, None)

        return done

    def read(self):
        with self.lock:
            return list(self.values.values())


def serve(node, add, field, read_field):
    """Registers the set workload's handlers on node (see the module doc)."""
    s = GossipSet(node)

    @node.on_init
    def start():
        with s.lock:
            s.neighbours[:] = node.peers()
        node.every(0.1, s.push)

    @node.handle("topology")
    def topology(req):
        mine = req["body"].get("topology", {}).get(node.node_id)
        if mine is not None:
            with s.lock:
                s.neighbours[:] = mine
        return {"type": "topology_ok"}

    @node.handle(add)
    def add_value(req):
        if field not in req["body"]:
            raise RPCError(MALFORMED_REQUEST, f"{add} without {field}")
        s.add(req["body"][field])
        return {"type": add + "_ok"}

    @node.handle("gossip")
    def gossip(req):
        for value in req["body"].get("messages", []):
            s.add(value, req["src"])
        return {"type": "gossip_ok"}

    @node.handle("read")
    def read(req):
        return {"type": "read_ok", read_field: s.read()}

    return s
