#!/usr/bin/env python3
"""A Maelstrom node for the echo workload: echo_ok with the same payload."""

from maelstrom_node import Node

node = Node()


@node.handle("echo")
def echo(req):
    return {"type": "echo_ok", "echo": req["body"].get("echo")}


node.main()
