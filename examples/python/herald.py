#!/usr/bin/env python3
"""Herald from Python 3, standard library only: commands on the Text port with socket, then the
HTTP API with urllib.request.

    python3 examples/python/herald.py

Environment: HERALD_TEXT_ADDRESS (default 127.0.0.1:5678), HERALD_HTTP_ADDRESS (default
127.0.0.1:5679), HERALD_API_KEY (only if the server sets http.api-keys).
"""
import json
import os
import socket
import sys
import urllib.error
import urllib.request

TEXT = os.environ.get("HERALD_TEXT_ADDRESS") or "127.0.0.1:5678"
HTTP = os.environ.get("HERALD_HTTP_ADDRESS") or "127.0.0.1:5679"
API_KEY = os.environ.get("HERALD_API_KEY") or None


def compact(params):
    return json.dumps(params, separators=(",", ":"), ensure_ascii=False)


class TextPort:
    """One persistent connection; each command is "<verb> <json>\\n", each reply one line of JSON."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.replies = self.sock.makefile("rb")

    def command(self, verb, params):
        line = verb + " " + compact(params)
        print("text> " + line)
        self.sock.sendall(line.encode("utf-8") + b"\n")
        reply = self.replies.readline()
        if not reply:
            sys.exit("no reply from the Text port")
        reply = reply.decode("utf-8").rstrip("\r\n")
        print("    < " + reply)
        return json.loads(reply)

    def close(self):
        self.replies.close()
        self.sock.close()


def api(verb, params):
    """POST /api/<verb> with the JSON as the body; errors come with their HTTP status."""
    body = compact(params)
    print("http> POST /api/%s %s" % (verb, body))
    headers = {"Content-Type": "application/json"}
    if API_KEY:
        headers["Authorization"] = "Bearer " + API_KEY
    request = urllib.request.Request(
        "http://%s/api/%s" % (HTTP, verb), data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, reply = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:  # a 4xx or 5xx: the body is the JSON error
        status, reply = error.code, error.read().decode("utf-8")
    print("    < %d %s" % (status, reply))
    return json.loads(reply)


def main():
    try:
        text = TextPort(TEXT)
    except OSError as error:
        sys.exit("cannot connect to the Text port %s: %s" % (TEXT, error))

    # Push to a uid: every open connection of alice gets {"text":"hello from Python"}.
    pushed = text.command("push", {"uid": "alice", "data": {"text": "hello from Python"}})
    print("      reached %d connection(s)" % pushed["connections"])

    # Who is online?
    online = text.command("online", {"uids": ["alice", "bob"]})
    for uid, is_online in online["online"].items():
        print("      %s is %s" % (uid, "online" if is_online else "offline"))
    text.close()

    try:
        api("join", {"group": "room:42", "uids": ["alice", "bob"]})
        api("push", {"group": "room:42", "data": "room news from Python"})
        count = api("count", {"group": "room:42"})
        print("      room:42 has %d member(s), %d online" % (count["members"], count["online"]))

        # Carol is offline: the message waits up to an hour for her next herald.v1 connection, a
        # retry of the same id is not delivered twice, and the receipt says where it stands.
        api("push", {"uid": "carol", "data": "while you were away", "ttl": 3600,
                     "id": "welcome-carol", "receipt": True})
        receipt = api("receipt", {"id": "welcome-carol"})
        print("      carol's copy: %s" % receipt["uids"]["carol"]["state"])

        # A refused command: no data. The error names the field.
        refused = api("push", {"uid": "alice"})
        print("      refused: %s (%s)" % (refused["error"]["code"], refused["error"]["field"]))
    except urllib.error.URLError as error:
        sys.exit("cannot reach the HTTP API at %s: %s" % (HTTP, error.reason))


if __name__ == "__main__":
    main()
