#!/usr/bin/env python3
"""A Maelstrom node for the broadcast workload.

"broadcast" with a message keeps it; "read" answers read_ok with every
message in "messages". The set and its gossip are gossip_set.py's: a
value is kept and resent to every neighbour in the topology (every other
node until a topology message arrives) until acknowledged, so values
survive lost messages and partitions. Between nodes it speaks the Go
broadcast node's messages: {"type": "gossip", "messages": [...]} and
gossip_ok.
"""

from gossip_set import serve
from maelstrom_node import Node

node = Node()
serve(node, "broadcast", "message", "messages")
node.main()
