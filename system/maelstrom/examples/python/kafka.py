#!/usr/bin/env python3
"""A Maelstrom node for the kafka workload, kept in Maelstrom's lin-kv
service (the same layout as the Go kafka node, so the two can share a
cluster).

The log of key K is one lin-kv value, "log/K": a JSON array whose index is
the offset. send appends by read and compare-and-set, retrying lost races
(code 22), so offsets are dense, unique and increasing. The committed offset
of K is "commit/K", only ever raised. No answer from lin-kv in time is code
0 (timeout, indefinite); losing every race for five seconds is 11
(temporarily unavailable, definite).
"""

import time

from maelstrom_node import (KEY_DOES_NOT_EXIST, PRECONDITION_FAILED,
                            TEMPORARILY_UNAVAILABLE, KV, Node, RPCError)

POLL_LIMIT = 100  # messages of one key in one poll_ok
UPDATE_FOR = 5.0  # seconds one send or commit retries lost races

node = Node()
kv = KV(node, "lin-kv")


def read_or_none(key):
    try:
        return kv.read(key)
    except RPCError as e:
        if e.code == KEY_DOES_NOT_EXIST:
            return None
        raise


def update(key, step):
    """Set key to step(current) by read and cas until a cas wins; step gets
    None for a missing key and returns None to leave the key alone."""
    deadline = time.monotonic() + UPDATE_FOR
    while time.monotonic() < deadline:
        cur = read_or_none(key)
        new = step(cur)
        if new is None:
            return
        try:
            kv.cas(key, cur, new, create=cur is None)
            return
        except RPCError as e:
            if e.code != PRECONDITION_FAILED:
                raise
    raise RPCError(TEMPORARILY_UNAVAILABLE, "lost every race for " + key)


@node.handle("send")
def send(req):
    body = req["body"]
    offset = []

    def append(cur):
        msgs = list(cur or [])
        offset[:] = [len(msgs)]
        return msgs + [body["msg"]]

    update("log/" + body["key"], append)
    return {"type": "send_ok", "offset": offset[0]}


@node.handle("poll")
def poll(req):
    out = {}
    for key, start in req["body"].get("offsets", {}).items():
        msgs = read_or_none("log/" + key) or []
        start = max(start, 0)
        got = [[off, msgs[off]] for off in range(start, min(len(msgs), start + POLL_LIMIT))]
        if got:
            out[key] = got
    return {"type": "poll_ok", "msgs": out}


@node.handle("commit_offsets")
def commit_offsets(req):
    for key, off in req["body"].get("offsets", {}).items():
        update("commit/" + key, lambda cur, off=off: off if cur is None or off > cur else None)
    return {"type": "commit_offsets_ok"}


@node.handle("list_committed_offsets")
def list_committed_offsets(req):
    out = {}
    for key in req["body"].get("keys", []):
        off = read_or_none("commit/" + key)
        if off is not None:
            out[key] = off
    return {"type": "list_committed_offsets_ok", "offsets": out}


node.main()
