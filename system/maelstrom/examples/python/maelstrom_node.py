"""A small library for Maelstrom nodes in Python 3 (standard library only).

A Node reads messages, one JSON object a line, from stdin, answers init
itself, and runs the handler registered for each request's body type in a
thread of its own (a one-way message, without msg_id, is handled in order
before the next message is read, so its handler must not block). A handler returns the reply body (a dict with "type";
the Node adds msg_id and in_reply_to), or None for no reply, or raises
RPCError to answer with a Maelstrom error code; any other exception is
answered as crash (13, indefinite). Nodes talk to other nodes and to
services with send (no reply expected), call (waits for the reply, bounded
by the node's RPC timeout), rpc (call in the background with a callback)
and forward. KV speaks to Maelstrom's key-value services.

This is the Python twin of the Go library in ../node; the example nodes
in this folder are built on it.
"""

import json
import os
import sys
import threading

# Maelstrom's error codes (doc/protocol.md).
TIMEOUT = 0
NOT_SUPPORTED = 10
TEMPORARILY_UNAVAILABLE = 11
MALFORMED_REQUEST = 12
CRASH = 13
KEY_DOES_NOT_EXIST = 20
PRECONDITION_FAILED = 22


class RPCError(Exception):
    """An error reply: a Maelstrom code and a text."""

    def __init__(self, code, text=""):
        super().__init__(f"maelstrom error {code}: {text}")
        self.code = code
        self.text = text


def rpc_timeout_from_env():
    """The RPC timeout in seconds: MAELSTROM_NODE_RPC_TIMEOUT if it is a
    positive number (a loaded machine may need more), else 1 (the Go
    library reads the same variable)."""
    try:
        seconds = float(os.environ.get("MAELSTROM_NODE_RPC_TIMEOUT", ""))
    except ValueError:
        return 1.0
    return seconds if seconds > 0 else 1.0


def canonical(value):
    """One text per JSON value, so equal values compare equal."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Node:
    """One Maelstrom node: register handlers and init hooks, then main()."""

    def __init__(self, rpc_timeout=None):
        self.node_id = None
        self.node_ids = []
        self.rpc_timeout = rpc_timeout or rpc_timeout_from_env()
        self._handlers = {}
        self._init_hooks = []
        self._lock = threading.Lock()
        self._out_lock = threading.Lock()
        self._next_id = 0
        self._pending = {}  # msg_id -> [threading.Event, reply message]
        self._stopping = threading.Event()

    def handle(self, typ):
        """Decorator: the function answers requests of body type typ."""

        def register(f):
            self._handlers[typ] = f
            return f

        return register

    def on_init(self, f):
        """Decorator: f runs once the node knows its id, before init_ok."""
        self._init_hooks.append(f)
        return f

    def peers(self):
        """Every node but this one."""
        return [n for n in self.node_ids if n != self.node_id]

    def log(self, *args):
        print(self.node_id, *args, file=sys.stderr, flush=True)

    def every(self, seconds, f):
        """Run f every seconds in a background thread until the node stops."""

        def loop():
            while not self._stopping.wait(seconds):
                try:
                    f()
                except Exception as e:  # keep the loop alive; say why
                    self.log("periodic task failed:", repr(e))

        threading.Thread(target=loop, daemon=True).start()

    def _write(self, src, dest, body):
        line = json.dumps({"src": src, "dest": dest, "body": body}, separators=(",", ":"))
        with self._out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def send(self, dest, body):
        """Send body to dest with no msg_id: no reply is expected."""
        body = {k: v for k, v in body.items() if k not in ("msg_id", "in_reply_to")}
        self._write(self.node_id, dest, body)

    def call(self, dest, body):
        """Send a request and return the reply body; raise RPCError for an
        error reply, or code 0 (timeout, indefinite) for no reply in time."""
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
            slot = [threading.Event(), None]
            self._pending[msg_id] = slot
        body = {k: v for k, v in body.items() if k != "in_reply_to"}
        body["msg_id"] = msg_id
        self._write(self.node_id, dest, body)
        if not slot[0].wait(self.rpc_timeout):
            with self._lock:
                self._pending.pop(msg_id, None)
            raise RPCError(TIMEOUT, f"no reply from {dest}")
        reply = slot[1]["body"]
        if reply.get("type") == "error":
            raise RPCError(reply.get("code", CRASH), reply.get("text", ""))
        return reply

    def rpc(self, dest, body, callback):
        """call in a background thread; callback(reply, error) gets the
        reply body or the RPCError."""

        def run():
            try:
                reply = self.call(dest, body)
            except RPCError as e:
                callback(None, e)
                return
            callback(reply, None)

        threading.Thread(target=run, daemon=True).start()

    def forward(self, dest, req):
        """Send the body of request req to dest; return the reply body
        ready to be returned by a handler."""
        reply = self.call(dest, req["body"])
        return {k: v for k, v in reply.items() if k not in ("msg_id", "in_reply_to")}

    def _respond(self, req, reply=None, error=None):
        body = req["body"]
        if "msg_id" not in body:
            if error is not None:
                self.log(body.get("type"), "from", req["src"], "failed:", repr(error))
            return
        if error is not None:
            if not isinstance(error, RPCError):
                error = RPCError(CRASH, repr(error))
            reply = {"type": "error", "code": error.code, "text": error.text}
        if reply is None:
            return
        reply = dict(reply)
        reply.pop("msg_id", None)
        reply["in_reply_to"] = body["msg_id"]
        self._write(self.node_id or req["dest"], req["src"], reply)

    def _serve(self, handler, req):
        try:
            reply = handler(req)
        except Exception as e:  # every failure becomes an error reply
            self._respond(req, error=e)
            return
        self._respond(req, reply)

    def _init(self, req):
        body = req["body"]
        if not isinstance(body.get("node_id"), str):
            self._respond(req, error=RPCError(MALFORMED_REQUEST, "init needs node_id"))
            return
        self.node_id = body["node_id"]
        self.node_ids = list(body.get("node_ids") or [])
        hooks, self._init_hooks = self._init_hooks, []
        for f in hooks:
            f()
        self._respond(req, {"type": "init_ok"})

    def _dispatch(self, msg):
        body = msg["body"]
        if "in_reply_to" in body:
            with self._lock:
                slot = self._pending.pop(body["in_reply_to"], None)
            if slot is not None:
                slot[1] = msg
                slot[0].set()
            return
        typ = body.get("type")
        if typ == "init":
            self._init(msg)
        elif self.node_id is None:
            self._respond(msg, error=RPCError(TEMPORARILY_UNAVAILABLE, "not initialised"))
        elif typ not in self._handlers:
            self._respond(msg, error=RPCError(NOT_SUPPORTED, f"no handler for {typ}"))
        elif "msg_id" not in body:
            # One-way: handled before the next message is read, in order.
            self._serve(self._handlers[typ], msg)
        else:
            threading.Thread(target=self._serve, args=(self._handlers[typ], msg), daemon=True).start()

    def run(self):
        """Serve stdin until it ends."""
        for raw in sys.stdin.buffer:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
                if not isinstance(msg.get("body"), dict):
                    raise ValueError("body is not an object")
            except (ValueError, AttributeError) as e:
                self.log("skipped input", line[:80], repr(e))
                continue
            self._dispatch(msg)
        self._stopping.set()

    def main(self):
        self.run()
        sys.exit(0)


class KV:
    """A client of a Maelstrom key-value service (lin-kv, seq-kv, lww-kv)."""

    def __init__(self, node, service):
        self.node = node
        self.service = service

    def read(self, key):
        return self.node.call(self.service, {"type": "read", "key": key})["value"]

    def write(self, key, value):
        self.node.call(self.service, {"type": "write", "key": key, "value": value})

    def cas(self, key, old, new, create=False):
        body = {"type": "cas", "key": key, "from": old, "to": new}
        if create:
            body["create_if_not_exists"] = True
        self.node.call(self.service, body)
