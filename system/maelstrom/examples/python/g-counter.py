#!/usr/bin/env python3
"""A Maelstrom node for the g-counter (and pn-counter) workload: a
state-based CRDT with no service.

Each process counts its increments and decrements under a slot named by
its node id and a random boot nonce (a restarted node starts a fresh slot).
Every 200 ms it sends its whole state to every other node, which merges it
slot by slot with max: idempotent, so lost, duplicated or reordered state
messages never miscount. Between nodes it speaks the Go counter's message:
{"type": "counter_state", "inc": {slot: n}, "dec": {slot: n}}, no reply.
"""

import secrets
import threading

from maelstrom_node import Node

node = Node()
lock = threading.Lock()
nonce = secrets.token_hex(8)
inc = {}
dec = {}


def slot():
    return f"{node.node_id}/{nonce}"


@node.on_init
def start():
    node.every(0.2, gossip)


def gossip():
    with lock:
        state = {"type": "counter_state", "inc": dict(inc), "dec": dict(dec)}
    for peer in node.peers():
        node.send(peer, state)


@node.handle("add")
def add(req):
    delta = req["body"]["delta"]
    with lock:
        if delta >= 0:
            inc[slot()] = inc.get(slot(), 0) + delta
        else:
            dec[slot()] = dec.get(slot(), 0) - delta
    return {"type": "add_ok"}


@node.handle("read")
def read(req):
    with lock:
        return {"type": "read_ok", "value": sum(inc.values()) - sum(dec.values())}


@node.handle("counter_state")
def counter_state(req):
    body = req["body"]
    with lock:
        for mine, theirs in ((inc, body.get("inc", {})), (dec, body.get("dec", {}))):
            for s, v in theirs.items():
                mine[s] = max(mine.get(s, 0), v)


node.main()
