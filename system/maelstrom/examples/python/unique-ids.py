#!/usr/bin/env python3
"""A Maelstrom node for the unique-ids workload.

An id is the node's id, a random boot nonce drawn when the process starts,
and a counter: unique across nodes without coordination and across a
node's restarts (a new process draws a new nonce).
"""

import itertools
import secrets
import threading

from maelstrom_node import Node

node = Node()
boot = secrets.token_hex(8)
counter = itertools.count(1)
lock = threading.Lock()


@node.handle("generate")
def generate(req):
    with lock:
        n = next(counter)
    return {"type": "generate_ok", "id": f"{node.node_id}-{boot}-{n}"}


node.main()
