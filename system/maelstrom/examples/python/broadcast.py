#!/usr/bin/env python3
"""A Maelstrom node for the broadcast workload.

A value a client broadcasts (or a neighbour gossips) is kept and queued for
every neighbour in the topology but the one it came from. Every 100 ms the
node sends each neighbour one gossip request with all the values that
neighbour has not acknowledged yet, at most one in flight per neighbour; a
value leaves the queue only when a gossip_ok acknowledges it, so values
survive lost messages and partitions. Until a topology message arrives,
every other node is a neighbour. Between nodes it speaks the Go broadcast
node's messages: {"type": "gossip", "messages": [...]} and gossip_ok.
"""

import threading

from maelstrom_node import Node, canonical

node = Node()
lock = threading.Lock()
values = {}  # canonical text -> value
neighbours = []
unacked = {}  # neighbour -> {canonical text: value}
in_flight = set()


def add(value, came_from=None):
    with lock:
        key = canonical(value)
        if key in values:
            return
        values[key] = value
        for nb in neighbours:
            if nb != came_from:
                unacked.setdefault(nb, {})[key] = value


def push():
    with lock:
        for nb, queue in unacked.items():
            if not queue or nb in in_flight:
                continue
            batch = dict(queue)
            in_flight.add(nb)
            node.rpc(nb, {"type": "gossip", "messages": list(batch.values())}, acked(nb, batch))


def acked(nb, batch):
    def done(reply, error):
        with lock:
            in_flight.discard(nb)
            if error is None:
                for key in batch:
                    unacked[nb].pop(key, None)

    return done


@node.on_init
def start():
    neighbours[:] = node.peers()
    node.every(0.1, push)


@node.handle("topology")
def topology(req):
    mine = req["body"].get("topology", {}).get(node.node_id)
    if mine is not None:
        with lock:
            neighbours[:] = mine
    return {"type": "topology_ok"}


@node.handle("broadcast")
def broadcast(req):
    add(req["body"].get("message"))
    return {"type": "broadcast_ok"}


@node.handle("gossip")
def gossip(req):
    for value in req["body"].get("messages", []):
        add(value, req["src"])
    return {"type": "gossip_ok"}


@node.handle("read")
def read(req):
    with lock:
        return {"type": "read_ok", "messages": list(values.values())}


node.main()
