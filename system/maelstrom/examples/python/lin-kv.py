#!/usr/bin/env python3
"""A Maelstrom node for the lin-kv workload: a single-leader proxy in front
of Maelstrom's lin-kv service, with no Raft of its own.

The leader (the first of init's node_ids) sends each read, write and cas to
the lin-kv service and answers with its reply or its error (20, 22); the
other nodes forward requests to the leader unchanged and relay its answer.
No reply in time is code 0 (timeout, indefinite). The node keeps no state,
so it is linearizable because the service is.
"""

from maelstrom_node import Node

node = Node()


def proxy(req):
    leader = node.node_ids[0] if node.node_ids else node.node_id
    return node.forward("lin-kv" if leader == node.node_id else leader, req)


for typ in ("read", "write", "cas"):
    node.handle(typ)(proxy)

node.main()
