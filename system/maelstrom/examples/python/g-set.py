#!/usr/bin/env python3
"""A Maelstrom node for the g-set workload: a grow-only set.

"add" with an element keeps it; "read" answers read_ok with every element
in "value". The set and its gossip are gossip_set.py's, as for the
broadcast node: an element is kept and resent to every other node until
acknowledged, so elements survive lost messages and partitions. Between
nodes it speaks the Go g-set node's messages.
"""

from gossip_set import serve
from maelstrom_node import Node

node = Node()
serve(node, "add", "element", "value")
node.main()
