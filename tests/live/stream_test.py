#!/usr/bin/env python3
"""Integration tests of helpdeskd's live stream, GET /api/v1/stream.

The daemon under test is the real binary, started here on port 0 in a
temporary data directory (more than one for the tests that need a flag of
their own, a second epoch or a restart), and the websocket client is one we
did not write: Debian's python3-websockets (10.4, its asyncio client). The
contract is the live protocol (README, "Live"): filters, credentials, resume
without gap or duplicate across disconnects and restarts, the reasons a
resume is refused, slow consumers, what each role may see, and the close
codes for what a client must not send.

    python3 tests/live/stream_test.py BUILD/daemon/helpdeskd [unittest args]
    HELPDESKD=BUILD/daemon/helpdeskd python3 tests/live/stream_test.py

Nothing waits by sleeping: every wait is for a condition (a message, a
count of tickets written, a file) with a deadline. Every daemon started is
killed at the end, also when a test fails or the run is interrupted.
"""

import os
import sys

# The websockets module is Debian's, under the system interpreter; a python3
# earlier on the PATH (pyenv, a venv) does not see it: run again under it.
try:
    import websockets  # noqa: F401
except ImportError:
    _system = "/usr/bin/python3"
    if (os.path.exists(_system) and not os.environ.get("HELPDESK_LIVE_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(_system)):
        os.environ["HELPDESK_LIVE_REEXEC"] = "1"
        os.execv(_system, [_system] + sys.argv)
    sys.stderr.write("stream_test.py needs python3-websockets "
                     "(apt-get install python3-websockets)\n")
    sys.exit(1)

import asyncio
import base64
import collections
import http.client
import json
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import websockets.exceptions

BINARY = None  # set by main()
DAEMONS = []  # every daemon started, for the cleanup
MUNICIPALITIES = ["kongsberg", "notodden", "nore-og-uvdal", "flesberg",
                  "rollag", "tinn", "hjartdal"]
SERVICE = "skrivere-og-utskrift"
# The keys of an Event that are not its body; the body's key is its type.
EVENT_COMMON = {"seq", "at", "actor", "requestId", "clientAddress", "ticketId",
                "ticketVersion", "ticket"}
# A received message of a stream within this, or the test fails.
MESSAGE_TIMEOUT = 10.0


def help_text():
    out = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                         timeout=20)
    return out.stdout + out.stderr


# ------------------------------------------------------------------ HTTP


def call(port, method, path, token=None, body=None, headers=None, timeout=15):
    """One request over a connection of its own: (status, headers, json, raw)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {}
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        try:
            js = json.loads(raw) if raw else None
        except ValueError:
            js = None
        return r.status, r.headers, js, raw
    finally:
        conn.close()


def upgrade_headers():
    return {"Connection": "Upgrade", "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}


class KeepAlive:
    """A keep-alive HTTP client for one thread; reconnects after a failure."""

    def __init__(self, port, token):
        self.port, self.token, self.conn = port, token, None

    def post(self, path, body, timeout=15):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                   timeout=timeout)
        try:
            self.conn.request("POST", path, body=json.dumps(body).encode(),
                              headers={"Authorization": "Bearer " + self.token,
                                       "Content-Type": "application/json"})
            r = self.conn.getresponse()
            raw = r.read()
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            return r.status, (json.loads(raw) if raw else None)
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def ticket_body(municipality, n, reporter="innringer", description_bytes=0):
    text = "Papirstopp i skuff 2 (%d)." % n
    if description_bytes > len(text):
        text += " " + "x" * (description_bytes - len(text) - 1)
    return {"title": "Skriver virker ikke %d" % n,
            "description": text,
            "municipality": municipality, "serviceId": SERVICE,
            "reporter": reporter}


class Writer(threading.Thread):
    """Creates tickets one after another until stopped, round the given
    municipalities; keeps each (id, municipality, acknowledged at). With
    tolerate_down it carries on through a daemon that is away (restarts)."""

    def __init__(self, port, token, municipalities=None, tolerate_down=False,
                 limit=None, description_bytes=0):
        super().__init__(daemon=True)
        self.description_bytes = description_bytes
        self.port, self.token = port, token
        self.municipalities = municipalities or MUNICIPALITIES
        self.tolerate_down, self.limit = tolerate_down, limit
        self.stop_event = threading.Event()
        self.cond = threading.Condition()
        self.created = []  # guarded by cond
        self.failures = []  # guarded by cond: unexpected answers

    def run(self):
        client = KeepAlive(self.port, self.token)
        n = 0
        while not self.stop_event.is_set():
            if self.limit is not None and n >= self.limit:
                break
            m = self.municipalities[n % len(self.municipalities)]
            try:
                status, js = client.post(
                    "/api/v1/tickets",
                    ticket_body(m, n, description_bytes=self.description_bytes))
            except (OSError, http.client.HTTPException) as e:
                if not self.tolerate_down:
                    with self.cond:
                        self.failures.append(repr(e))
                        self.cond.notify_all()
                    return
                # The daemon is away (a restart): try again shortly; this
                # paces retries, it synchronises nothing.
                self.stop_event.wait(0.02)
                continue
            n += 1
            with self.cond:
                if status == 201:
                    self.created.append((js["id"], m, time.monotonic()))
                elif not (self.tolerate_down and status == 503):
                    self.failures.append("%d %s" % (status, js))
                self.cond.notify_all()
        client.close()
        with self.cond:
            self.cond.notify_all()

    def count(self):
        with self.cond:
            return len(self.created)

    def wait_count(self, n, timeout=20.0):
        with self.cond:
            return self.cond.wait_for(
                lambda: len(self.created) >= n or self.failures
                or not self.is_alive(), timeout) and len(self.created) >= n

    def finish(self):
        self.stop_event.set()
        self.join(30)
        return self.created


# ------------------------------------------------------------------ daemon


class Daemon:
    """One helpdeskd on a temporary data directory."""

    def __init__(self, name, extra=()):
        self.dir = tempfile.mkdtemp(prefix="helpdeskd-live-%s-" % name)
        self.data = os.path.join(self.dir, "data")
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.extra = list(extra)
        self.port = None
        self.proc = None
        self.passwords = {}
        self.tokens = {}
        DAEMONS.append(self)

    def start(self, port=None):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        args = [BINARY, "--port", str(port if port is not None else 0),
                "--data-dir", self.data, "--port-file", self.port_file,
                "--password-cost=minimum", "--rate-limit=0",
                "--address-rate-limit=0", "--log-level", "warn"] + self.extra
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while True:  # the port file is written, atomically, once listening
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except FileNotFoundError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("helpdeskd exited with %s at start:\n%s" %
                                   (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise RuntimeError("helpdeskd did not listen within 30 s:\n" +
                                   self.log_tail())
            time.sleep(0.02)
        if not self.passwords:
            with open(os.path.join(self.data,
                                   "first-start-credentials.txt")) as f:
                for line in f:
                    line = line.rstrip("\n")
                    if not line or line.startswith("#"):
                        continue
                    account, _roles, password = line.split("\t")
                    self.passwords[account] = password
        return self

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        rc = self.proc.returncode
        self.proc = None
        return rc

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None
        if os.environ.get("HELPDESK_LIVE_KEEP"):
            sys.stderr.write("kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- the API, synchronously

    def call(self, method, path, token=None, body=None, headers=None):
        return call(self.port, method, path, token, body, headers)

    def login(self, account):
        """A session secret of the account (one per account and daemon)."""
        if account not in self.tokens:
            status, _, js, raw = self.call(
                "POST", "/api/v1/session",
                body={"account": account, "password": self.passwords[account]})
            if status != 201:
                raise AssertionError("login %s: %d %s" % (account, status, raw))
            self.tokens[account] = js["token"]
        return self.tokens[account]

    def session(self, account):
        """A fresh login: (token, the whole answer)."""
        status, _, js, raw = self.call(
            "POST", "/api/v1/session",
            body={"account": account, "password": self.passwords[account]})
        if status != 201:
            raise AssertionError("login %s: %d %s" % (account, status, raw))
        return js["token"], js

    def make_account(self, account, roles, **fields):
        body = {"id": account, "name": account.title(), "roles": roles}
        body.update(fields)
        status, _, js, raw = self.call("POST", "/api/v1/accounts",
                                       self.login("admin"), body)
        if status == 409:  # made by an earlier test
            return js
        if status not in (200, 201):
            raise AssertionError("make account %s: %d %s" %
                                 (account, status, raw))
        return js

    def make_token(self, account, name="test"):
        """(secret, credential id) of a new API token of the account."""
        status, _, js, raw = self.call("POST", "/api/v1/tokens",
                                       self.login("admin"),
                                       {"account": account, "name": name})
        if status != 201:
            raise AssertionError("make token for %s: %d %s" %
                                 (account, status, raw))
        return js["token"], js.get("credential", {}).get("id")

    def create(self, token, municipality=None, reporter="innringer", n=0):
        body = ticket_body(municipality, n, reporter)
        if municipality is None:  # an employee: their own, as themselves
            body = {"title": body["title"], "description": body["description"],
                    "serviceId": SERVICE}
        status, _, js, raw = self.call("POST", "/api/v1/tickets", token, body)
        if status != 201:
            raise AssertionError("create ticket: %d %s" % (status, raw))
        return js

    def comment(self, token, ticket, body, visibility="public"):
        status, _, js, raw = self.call(
            "POST", "/api/v1/tickets/%s/comments" % ticket, token,
            {"body": body, "visibility": visibility})
        if status != 201:
            raise AssertionError("comment on %s: %d %s" % (ticket, status, raw))
        return js

    def log_token(self):
        """Who pages the global log: the admin if it may, else an agent."""
        if "_log" not in self.tokens:
            admin = self.login("admin")
            status, _, _, _ = self.call("GET", "/api/v1/events?after=0&limit=1",
                                        admin)
            self.tokens["_log"] = (admin if status == 200 else
                                   self.login("kari.haugen"))
        return self.tokens["_log"]

    def log(self, after=0):
        """Every event of the global log after seq `after`, oldest first."""
        events = []
        token = self.log_token()
        while True:
            status, _, js, raw = self.call(
                "GET", "/api/v1/events?after=%d&limit=200" % after, token)
            if status != 200:
                raise AssertionError("GET /api/v1/events: %d %s" % (status, raw))
            page = js.get("events", [])
            if not page:
                return events
            events.extend(page)
            after = int(page[-1]["seq"])
            if not js.get("nextCursor") and len(page) < 200:
                return events


def kill_all_daemons():
    for d in DAEMONS:
        d.cleanup()


# ------------------------------------------------------------------ streams


def seq(x):
    return int(x)


def event_type(event):
    keys = [k for k in event if k not in EVENT_COMMON]
    return keys[0] if keys else ""


def status_of(exc):
    """The HTTP status of a refused upgrade, whatever the websockets version."""
    if hasattr(exc, "status_code"):
        return exc.status_code
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


class Stream:
    """One websockets client on GET /api/v1/stream, with what it received."""

    def __init__(self, ws):
        self.ws = ws
        self.hello = None
        self.snapshot = None
        self.messages = []
        self.events = []
        self.received_at = {}  # seq -> time.monotonic() when read
        self.positions = []
        self.closed = None  # the ConnectionClosed, once closed

    @classmethod
    async def open(cls, port, query="", token=None, headers=None, origin=None,
                   start=True, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        uri = "ws://127.0.0.1:%d/api/v1/stream%s" % (
            port, ("?" + query) if query else "")
        kw.setdefault("max_size", 1 << 24)
        # Unbounded on our side: a test that waits on something else must
        # not make the daemon think this client slow.
        kw.setdefault("max_queue", None)
        ws = await websockets.connect(uri, extra_headers=h, origin=origin,
                                      open_timeout=10, close_timeout=5, **kw)
        s = cls(ws)
        if start:
            await s.start()
        return s

    async def recv(self, timeout=MESSAGE_TIMEOUT):
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        now = time.monotonic()
        if not isinstance(raw, str):
            raise AssertionError("a binary message: %r" % raw[:100])
        m = json.loads(raw)
        self.messages.append(m)
        kind = m.get("type")
        if kind == "events":
            if not m.get("events"):
                raise AssertionError("an events message without events: %s" % raw)
            for e in m["events"]:
                s = seq(e["seq"])
                if self.events and s <= seq(self.events[-1]["seq"]):
                    raise AssertionError(
                        "events out of order: %d after %s" %
                        (s, self.events[-1]["seq"]))
                self.events.append(e)
                self.received_at[s] = now
        elif kind == "position":
            self.positions.append(seq(m["seq"]))
        return m

    async def start(self):
        """Reads the hello, and the snapshot when not recovered."""
        self.hello = await self.recv()
        if self.hello.get("type") != "hello":
            raise AssertionError("first message is not a hello: %s" %
                                 self.hello)
        if not self.hello["recovered"]:
            self.snapshot = await self.recv()
            if self.snapshot.get("type") != "snapshot":
                raise AssertionError("no snapshot after a hello not "
                                     "recovered: %s" % self.snapshot)
        return self

    async def until(self, predicate, timeout=MESSAGE_TIMEOUT * 2, what=""):
        """Receives until predicate(self) holds; fails at the deadline."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    "timed out waiting for %s; last seqs %s" %
                    (what or predicate, [e["seq"] for e in self.events[-5:]]))
            try:
                await self.recv(left)
            except asyncio.TimeoutError:
                continue
        return self

    async def until_seq(self, s, timeout=MESSAGE_TIMEOUT * 2):
        return await self.until(lambda st: st.max_seq() >= s, timeout,
                                "seq %d" % s)

    async def until_closed(self, timeout=MESSAGE_TIMEOUT):
        """Reads on until the connection closes; returns the exception."""
        deadline = time.monotonic() + timeout
        while self.closed is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the stream was not closed in time")
            try:
                await self.recv(left)
            except websockets.exceptions.ConnectionClosed as e:
                self.closed = e
            except asyncio.TimeoutError:
                continue
        return self.closed

    def seqs(self):
        return [seq(e["seq"]) for e in self.events]

    def max_seq(self):
        """The highest seq seen: what a client resumes from."""
        best = seq(self.snapshot["seq"]) if self.snapshot else 0
        if self.events:
            best = max(best, seq(self.events[-1]["seq"]))
        if self.positions:
            best = max(best, max(self.positions))
        return best

    def epoch(self):
        return self.hello["epoch"]

    async def close(self):
        await self.ws.close()


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


# --------------------------------------------------------- raw websocket


def raw_connect(port, query, token, rcvbuf=None, extra=""):
    """A websocket handshake by hand (a client that will not read): the
    socket and the bytes read after the 101's head."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /api/v1/stream%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "Authorization: Bearer %s\r\n%s\r\n" %
               ("?" + query if query else "", port, key, token,
                extra)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(1)  # byte by byte: leave the frames in the kernel
        if not chunk:
            raise AssertionError("closed during the handshake: %r" % buf)
        buf += chunk
    head = buf.split(b"\r\n", 1)[0]
    if b" 101 " not in head:
        raise AssertionError("handshake refused: %r" % buf)
    return s


def parse_frames(data):
    """Server frames (unmasked) from bytes: [(fin, opcode, payload)], rest."""
    frames, at = [], 0
    while len(data) - at >= 2:
        b0, b1 = data[at], data[at + 1]
        n, h = b1 & 0x7F, 2
        if n == 126:
            if len(data) - at < 4:
                break
            n, h = struct.unpack(">H", data[at + 2:at + 4])[0], 4
        elif n == 127:
            if len(data) - at < 10:
                break
            n, h = struct.unpack(">Q", data[at + 2:at + 10])[0], 10
        if b1 & 0x80:
            h += 4
        if len(data) - at < h + n:
            break
        frames.append((bool(b0 & 0x80), b0 & 0x0F, data[at + h:at + h + n]))
        at += h + n
    return frames, data[at:]


def read_until_close_frame(s, timeout=20.0):
    """Reads a raw client's socket until the server's close frame or EOF:
    (close code or None, reason or what happened instead, [messages])."""
    deadline = time.monotonic() + timeout
    rest, messages, partial = b"", [], b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            break
        except ConnectionResetError:
            return None, "connection reset", messages
        if not chunk:
            return None, "EOF without a close frame", messages
        frames, rest = parse_frames(rest + chunk)
        for fin, opcode, payload in frames:
            if opcode == 8:
                code = (struct.unpack(">H", payload[:2])[0]
                        if len(payload) >= 2 else None)
                return code, payload[2:].decode(errors="replace"), messages
            if opcode in (0, 1, 2):  # a message may come in fragments
                partial += payload
                if fin:
                    messages.append(partial.decode())
                    partial = b""
    return None, "no close frame within %.0f s" % timeout, messages


# ------------------------------------------------------------------ tests

MAIN = None


def setUpModule():
    global MAIN
    MAIN = Daemon("main").start()


def tearDownModule():
    kill_all_daemons()


class FilterTest(unittest.TestCase):
    """A subscription gets the events its filter names, and only those."""

    def test_municipality_filter(self):
        async def body():
            kari = MAIN.login("kari.haugen")
            s = await Stream.open(MAIN.port, "municipality=tinn", kari)
            self.assertEqual(s.hello["reason"], "no_since")
            self.assertEqual(s.hello["view"], "staff")
            for t in s.snapshot.get("tickets", []):
                self.assertEqual(t["municipality"], "tinn", t)
            ids = {}
            for i, m in enumerate(["rollag", "tinn", "kongsberg", "hjartdal",
                                   "tinn", "notodden", "tinn"]):
                ids[MAIN.create(kari, m, n=i)["id"]] = m
            last_tinn = [t for t, m in ids.items() if m == "tinn"][-1]
            await s.until(lambda st: any(
                e["ticketId"] == last_tinn and event_type(e) == "ticketCreated"
                for e in st.events), what="the last tinn ticket")
            seen = {e["ticketId"] for e in s.events}
            for e in s.events:
                self.assertEqual((e.get("ticket") or {}).get("municipality"),
                                 "tinn", e)
            self.assertEqual(seen & set(ids),
                             {t for t, m in ids.items() if m == "tinn"})
            await s.close()
        run(body())

    def test_types_filter(self):
        async def body():
            kari = MAIN.login("kari.haugen")
            s = await Stream.open(MAIN.port, "types=ticketCreated,commentAdded",
                                  kari)
            a = MAIN.create(kari, "flesberg")["id"]
            b = MAIN.create(kari, "rollag")["id"]
            MAIN.comment(kari, a, "Vi ser på det.")
            await s.until(lambda st: any(
                e["ticketId"] == a and event_type(e) == "commentAdded"
                for e in st.events), what="the comment")
            types = collections.Counter(event_type(e) for e in s.events)
            self.assertLessEqual(set(types), {"ticketCreated", "commentAdded"},
                                 types)
            created = {e["ticketId"] for e in s.events
                       if event_type(e) == "ticketCreated"}
            self.assertLessEqual({a, b}, created)
            await s.close()
        run(body())

    def test_ticket_filter(self):
        async def body():
            kari = MAIN.login("kari.haugen")
            a = MAIN.create(kari, "tinn")["id"]
            b = MAIN.create(kari, "tinn")["id"]
            s = await Stream.open(MAIN.port, "ticket=%s" % a, kari)
            for t in s.snapshot.get("tickets", []):
                self.assertEqual(t["id"], a)
            MAIN.comment(kari, b, "Ikke denne.")
            MAIN.comment(kari, a, "Denne.")
            MAIN.comment(kari, b, "Ikke denne heller.")
            MAIN.comment(kari, a, "Og denne.", "internal")
            await s.until(lambda st: len(
                [e for e in st.events if event_type(e) == "commentAdded"]) >= 2,
                what="two comments on %s" % a)
            for e in s.events:
                self.assertEqual(e["ticketId"], a, e)
            await s.close()
        run(body())

    def test_position_on_a_quiet_filtered_stream(self):
        # A filtered stream that matches nothing while the log moves on is
        # told the position (within ~10 s), and resumes from it without a
        # replay of what it does not want.
        async def body():
            kari = MAIN.login("kari.haugen")
            s = await Stream.open(MAIN.port, "municipality=hjartdal&"
                                  "types=priorityChanged", kari)
            for i in range(3):
                MAIN.create(kari, "rollag", n=i)
            head = seq(MAIN.log(seq(s.snapshot["seq"]))[-1]["seq"])
            await s.until(lambda st: st.positions and
                          st.positions[-1] >= head, timeout=25,
                          what="a position at or past %d" % head)
            self.assertFalse(s.events, s.events[:3])
            await s.close()
            r = await Stream.open(MAIN.port, "municipality=hjartdal&"
                                  "types=priorityChanged&since=%d&epoch=%s" %
                                  (s.positions[-1], s.epoch()), kari)
            self.assertTrue(r.hello["recovered"], r.hello)
            await r.close()
        run(body())

    def test_bad_filter_is_refused_naming_the_parameter(self):
        async def body():
            kari = MAIN.login("kari.haugen")
            with self.assertRaises(websockets.exceptions.InvalidHandshake) as c:
                await Stream.open(MAIN.port, "status=bogus", kari)
            self.assertEqual(status_of(c.exception), 400, c.exception)
        run(body())
        # The same upgrade request by hand, to read the problem.
        h = upgrade_headers()
        h["Authorization"] = "Bearer " + MAIN.login("kari.haugen")
        status, headers, js, raw = MAIN.call("GET",
                                             "/api/v1/stream?status=bogus",
                                             headers=h)
        self.assertEqual(status, 400, raw)
        self.assertIn("application/problem+json",
                      headers.get("Content-Type", ""))
        self.assertEqual(js.get("type"), "/problems/invalid-parameter", js)
        self.assertEqual(js.get("parameter"), "status", js)


class CredentialTest(unittest.TestCase):
    """Who may open a stream, and how the credential may travel."""

    @classmethod
    def setUpClass(cls):
        MAIN.make_account("wall", ["dashboard"])
        cls.wall_token, _ = MAIN.make_token("wall", "screen")
        cls.kari_token, _ = MAIN.make_token("kari.haugen", "integration")

    def refused(self, query="", token=None, headers=None, origin=None):
        async def body():
            try:
                s = await Stream.open(MAIN.port, query, token, headers, origin)
            except websockets.exceptions.InvalidHandshake as e:
                return status_of(e)
            await s.close()
            return 101
        return run(body())

    def test_no_credential_is_401(self):
        self.assertEqual(self.refused(), 401)

    def test_access_token_of_a_non_dashboard_account_is_401(self):
        self.assertEqual(self.refused("access_token=" + self.kari_token), 401)
        session = MAIN.login("kari.haugen")
        self.assertEqual(self.refused("access_token=" + session), 401)
        # The answer tells to use the header.
        status, _, js, raw = MAIN.call(
            "GET", "/api/v1/stream?access_token=" + self.kari_token,
            headers=upgrade_headers())
        self.assertEqual(status, 401, raw)
        self.assertIn("Authorization", (js or {}).get("detail", ""), js)

    def test_dashboard_token_in_access_token_works(self):
        async def body():
            s = await Stream.open(MAIN.port, "access_token=" + self.wall_token)
            self.assertEqual(s.hello["view"], "dashboard")
            self.assertIn("board", s.snapshot)
            board = s.snapshot["board"]
            self.assertEqual(board["epoch"], s.epoch())
            # Who is on vakt and how to reach them; nothing else of their
            # records (absences, working hours, skills, notes).
            vakt = board["vakt"]
            self.assertTrue(vakt["covered"], vakt)
            self.assertTrue(vakt["primary"]["name"], vakt)
            for who in ("primary", "backup"):
                for key, value in vakt.get(who, {}).items():
                    if key not in ("id", "name", "phone"):
                        self.assertFalse(value, (who, key, vakt[who]))
            self.assertIsInstance(board["staffNames"], dict)
            await s.close()
        run(body())

    def test_foreign_origin_is_403_with_cookie_or_bearer(self):
        evil = "http://evil.example"
        session, _ = MAIN.session("kari.haugen")
        cookie = {"Cookie": "hd_session=" + session}
        self.assertEqual(self.refused(headers=cookie, origin=evil), 403)
        self.assertEqual(self.refused(token=session, origin=evil), 403)
        self.assertEqual(self.refused(token=self.wall_token, origin=evil), 403)
        self.assertEqual(self.refused("access_token=" + self.wall_token,
                                      origin=evil), 403)
        # The page's own origin with its cookie is let in.
        own = "http://127.0.0.1:%d" % MAIN.port
        self.assertEqual(self.refused(headers=cookie, origin=own), 101)

    def test_plain_get_is_426(self):
        status, headers, js, raw = MAIN.call("GET", "/api/v1/stream",
                                             MAIN.login("kari.haugen"))
        self.assertEqual(status, 426, raw)
        self.assertIn("application/problem+json",
                      headers.get("Content-Type", ""))


def expected_seqs(log, after, until, keep=lambda e: True):
    return [seq(e["seq"]) for e in log
            if after < seq(e["seq"]) <= until and keep(e)]


class ResumeTest(unittest.TestCase):
    """A client that reconnects with since= gets every event once."""

    def assert_union(self, parts, expected, what):
        got = [s for part in parts for s in part]
        counts = collections.Counter(got)
        dups = sorted(s for s, c in counts.items() if c > 1)
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        self.assertFalse(dups, "%s: duplicates %s" % (what, dups[:20]))
        self.assertFalse(missing, "%s: missing %d seqs, e.g. %s" %
                         (what, len(missing), missing[:20]))
        self.assertFalse(extra, "%s: unexpected seqs %s" % (what, extra[:20]))

    def test_resume_after_disconnect(self):
        admin = MAIN.login("admin")
        kari = MAIN.login("kari.haugen")
        municipality = {}  # ticket id -> municipality, from the writer

        def in_tinn(e):
            t = e.get("ticket") or {}
            if t.get("municipality"):
                return t["municipality"] == "tinn"
            return municipality.get(e.get("ticketId")) == "tinn"

        async def body():
            everything = await Stream.open(MAIN.port, "", admin)
            tinn = await Stream.open(MAIN.port, "municipality=tinn", admin)
            epoch = everything.epoch()
            self.assertEqual(tinn.epoch(), epoch)
            start_all = seq(everything.snapshot["seq"])
            start_tinn = seq(tinn.snapshot["seq"])
            writer = Writer(MAIN.port, kari)
            writer.start()
            try:
                await everything.until(lambda st: len(st.events) >= 20,
                                       what="20 events")
                await tinn.until(lambda st: len(st.events) >= 4,
                                 what="4 tinn events")
                await everything.close()
                await tinn.close()
                before_all, before_tinn = everything.seqs(), tinn.seqs()
                since_all, since_tinn = everything.max_seq(), tinn.max_seq()
                # While disconnected, the writer goes on.
                n = writer.count()
                self.assertTrue(await asyncio.to_thread(writer.wait_count,
                                                        n + 20),
                                writer.failures)
                again_all = await Stream.open(
                    MAIN.port, "since=%d&epoch=%s" % (since_all, epoch), admin)
                again_tinn = await Stream.open(
                    MAIN.port, "municipality=tinn&since=%d&epoch=%s" %
                    (since_tinn, epoch), admin)
                for s, since in ((again_all, since_all),
                                 (again_tinn, since_tinn)):
                    self.assertTrue(s.hello["recovered"], s.hello)
                    self.assertEqual(s.hello["reason"], "", s.hello)
                    self.assertEqual(seq(s.hello["since"]), since)
                    self.assertEqual(s.epoch(), epoch)
                    # The hello's seq is what the hub has fanned out, which
                    # may trail the writes just acknowledged by up to a
                    # round (kRound, 25 ms): that they are replayed is
                    # checked below, by the union of what both saw.
                # ... and while reconnected.
                n = writer.count()
                self.assertTrue(await asyncio.to_thread(writer.wait_count,
                                                        n + 20),
                                writer.failures)
            finally:
                created = await asyncio.to_thread(writer.finish)
            self.assertFalse(writer.failures, writer.failures)
            for tid, m, _ in created:
                municipality[tid] = m
            log = await asyncio.to_thread(MAIN.log, min(start_all, start_tinn))
            head = seq(log[-1]["seq"])
            want_all = expected_seqs(log, start_all, head)
            want_tinn = expected_seqs(log, start_tinn, head, in_tinn)
            await again_all.until_seq(head)
            await again_tinn.until(
                lambda st: st.max_seq() >= want_tinn[-1], what="last tinn")
            after_all = [s for s in again_all.seqs() if s <= head]
            after_tinn = [s for s in again_tinn.seqs() if s <= head]
            self.assertTrue(all(s > since_all for s in after_all))
            self.assertTrue(all(s > since_tinn for s in after_tinn))
            self.assert_union([before_all, after_all], want_all, "unfiltered")
            self.assert_union([before_tinn, after_tinn], want_tinn,
                              "municipality=tinn")
            sys.stderr.write(
                "resume: unfiltered %d + %d events (replayed up to %s), "
                "tinn %d + %d ... " %
                (len(before_all), len(after_all), again_all.hello["seq"],
                 len(before_tinn), len(after_tinn)))
            await again_all.close()
            await again_tinn.close()
        run(body())


class RestartTest(unittest.TestCase):
    """Resuming across a restart of the daemon, clean or killed."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("restart").start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def resume_across(self, sig):
        d = self.daemon
        admin, kari = d.login("admin"), d.login("kari.haugen")

        async def body():
            s = await Stream.open(d.port, "", admin)
            epoch, start = s.epoch(), seq(s.snapshot["seq"])
            writer = Writer(d.port, kari, tolerate_down=True)
            writer.start()
            try:
                await s.until(lambda st: len(st.events) >= 10,
                              what="10 events")
                port = d.port
                rc = await asyncio.to_thread(d.stop, sig)
                if sig == signal.SIGTERM:
                    self.assertEqual(rc, 0, d.log_tail())
                closed = await s.until_closed(15)
                before, since = s.seqs(), s.max_seq()
                if sig == signal.SIGTERM:
                    self.assertEqual(closed.code, 1001, closed)
                    # The reason says where to resume: after the last sent.
                    m = re.search(r"since=(\d+)", closed.reason)
                    self.assertTrue(m, closed.reason)
                    self.assertEqual(int(m.group(1)), since, closed.reason)
                await asyncio.to_thread(d.start, port)
                n = writer.count()
                self.assertTrue(await asyncio.to_thread(writer.wait_count,
                                                        n + 15), writer.failures)
                again = await Stream.open(
                    d.port, "since=%d&epoch=%s" % (since, epoch), admin)
                self.assertTrue(again.hello["recovered"], again.hello)
                self.assertEqual(again.epoch(), epoch, "epoch after restart")
                self.assertGreater(seq(again.hello["seq"]), since)
                n = writer.count()
                self.assertTrue(await asyncio.to_thread(writer.wait_count,
                                                        n + 15), writer.failures)
            finally:
                await asyncio.to_thread(writer.finish)
            self.assertFalse(writer.failures, writer.failures)
            log = await asyncio.to_thread(d.log, start)
            head = seq(log[-1]["seq"])
            await again.until_seq(head)
            after = [x for x in again.seqs() if x <= head]
            ResumeTest.assert_union(self, [before, after],
                                    expected_seqs(log, start, head),
                                    "across %s" % signal.Signals(sig).name)
            sys.stderr.write("%d + %d events (replayed up to %s) ... " %
                             (len(before), len(after), again.hello["seq"]))
            await again.close()
        run(body())

    def test_resume_after_sigterm(self):
        self.resume_across(signal.SIGTERM)

    def test_resume_after_sigkill(self):
        self.resume_across(signal.SIGKILL)


class ReplayLimitTest(unittest.TestCase):
    """When since cannot be honoured the hello says why and a snapshot
    comes instead."""

    LIMIT = 10

    @classmethod
    def setUpClass(cls):
        flag = None
        for candidate in ("--live-replay-limit", "--replay-limit",
                          "--stream-replay-limit"):
            if candidate in help_text():
                flag = candidate
                break
        if flag is None:
            raise unittest.SkipTest("helpdeskd --help names no replay limit "
                                    "flag")
        cls.daemon = Daemon("replay", [flag, str(cls.LIMIT)]).start()
        kari = cls.daemon.login("kari.haugen")
        for i in range(cls.LIMIT + 2):  # each makes two events or more
            cls.daemon.create(kari, MUNICIPALITIES[i % 7], n=i)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def head_and_epoch(self):
        """The log's head once the hub has fanned it out (its hello may
        trail the writes just acknowledged by a round), the epoch, and
        the hello."""
        head = seq(self.daemon.log()[-1]["seq"])

        async def body():
            s = await Stream.open(self.daemon.port, "",
                                  self.daemon.login("admin"))
            await s.until_seq(head)
            await s.close()
            return head, s.epoch(), s.hello
        return run(body())

    def test_too_old_gives_a_snapshot_then_live_events(self):
        d = self.daemon
        head, epoch, hello = self.head_and_epoch()
        self.assertEqual(seq(hello["replayLimit"]), self.LIMIT, hello)
        self.assertGreater(head, self.LIMIT + 1)
        kari = d.login("kari.haugen")

        async def body():
            s = await Stream.open(d.port, "since=1&epoch=%s" % epoch, kari)
            self.assertFalse(s.hello["recovered"])
            self.assertEqual(s.hello["reason"], "too_old", s.hello)
            self.assertGreaterEqual(seq(s.snapshot["seq"]), head)
            t = (await asyncio.to_thread(d.create, kari, "tinn"))["id"]
            await s.until(lambda st: any(e["ticketId"] == t
                                         for e in st.events), what="live")
            self.assertTrue(all(x > seq(s.snapshot["seq"]) for x in s.seqs()))
            await s.close()
            # Within the limit it resumes: exactly the events after since.
            since = seq(s.snapshot["seq"]) - 3
            r = await Stream.open(d.port, "since=%d&epoch=%s" % (since, epoch),
                                  kari)
            self.assertTrue(r.hello["recovered"], r.hello)
            log = await asyncio.to_thread(d.log, since)
            last = seq(log[-1]["seq"])
            await r.until_seq(last)
            self.assertEqual([x for x in r.seqs() if x <= last],
                             [seq(e["seq"]) for e in log])
            await r.close()
        run(body())

    def test_since_ahead_of_head(self):
        head, epoch, _ = self.head_and_epoch()

        async def body():
            for query in ("since=%d&epoch=%s" % (head + 1000, epoch),
                          "since=%d" % (head + 1000)):
                s = await Stream.open(self.daemon.port, query,
                                      self.daemon.login("kari.haugen"))
                self.assertFalse(s.hello["recovered"])
                self.assertEqual(s.hello["reason"], "ahead", (query, s.hello))
                self.assertEqual(s.snapshot["type"], "snapshot")
                await s.close()
        run(body())

    def test_epoch_changed(self):
        head, epoch, _ = self.head_and_epoch()
        other = "0123456789abcdef" if epoch != "0123456789abcdef" else "ab"

        async def body():
            s = await Stream.open(self.daemon.port,
                                  "since=%d&epoch=%s" % (head - 1, other),
                                  self.daemon.login("kari.haugen"))
            self.assertFalse(s.hello["recovered"])
            self.assertEqual(s.hello["reason"], "epoch_changed", s.hello)
            self.assertEqual(s.hello["epoch"], epoch)
            self.assertEqual(s.snapshot["type"], "snapshot")
            await s.close()
        run(body())

    def test_another_data_directory_has_another_epoch(self):
        _, epoch, _ = self.head_and_epoch()

        async def body():
            s = await Stream.open(MAIN.port, "", MAIN.login("admin"))
            await s.close()
            return s.epoch()
        self.assertNotEqual(run(body()), epoch)


class SlowConsumerTest(unittest.TestCase):
    """A client that does not read is cut off, and does not hold up the
    others."""

    QUEUE = 256  # events a subscriber may have waiting

    @classmethod
    def setUpClass(cls):
        extra = []
        if "--live-queue-events" in help_text():
            extra = ["--live-queue-events", str(cls.QUEUE)]
        cls.queue = cls.QUEUE if extra else 4096
        cls.daemon = Daemon("slow", extra).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def test_slow_client_closed_4000_fast_client_on_time(self):
        d = self.daemon
        admin, kari = d.login("admin"), d.login("kari.haugen")
        # A client with a tiny receive buffer that reads nothing after the
        # handshake: the daemon's write to it stalls and its queue fills.
        slow = raw_connect(d.port, "", admin, rcvbuf=4096)
        writers = []
        overflowed = threading.Event()
        stop_monitor = threading.Event()

        def too_slow_total():
            _, _, _, raw = d.call("GET", "/metrics", admin)
            for line in raw.decode().splitlines():
                if line.startswith("helpdesk_live_too_slow_total "):
                    return int(float(line.split()[1]))
            return None

        def monitor():  # until the daemon counts the slow client
            while not stop_monitor.is_set():
                if (too_slow_total() or 0) >= 1:
                    overflowed.set()
                    return
                stop_monitor.wait(0.1)  # paces the polling only

        epoch = []

        async def body():
            fast = await Stream.open(d.port, "", kari)
            epoch.append(fast.epoch())
            # Large descriptions: fewer tickets fill the socket buffers and
            # the queue.
            for i in range(4):
                w = Writer(d.port, kari, description_bytes=16000)
                writers.append(w)
                w.start()
            watcher = threading.Thread(target=monitor, daemon=True)
            watcher.start()
            created = {}
            count_at_overflow = None
            deadline = time.monotonic() + 60
            # Reads while the writers write; the writers go on for 50
            # tickets after the daemon counted the slow client, and stop.
            while True:
                # Whether any writer is alive is read before what they
                # created: once none is, what is collected next is all.
                writing = any(w.is_alive() for w in writers)
                for w in writers:
                    with w.cond:
                        for tid, _, at in w.created:
                            created[tid] = at
                if overflowed.is_set() and count_at_overflow is None:
                    count_at_overflow = len(created)
                if (count_at_overflow is not None and
                        len(created) >= count_at_overflow + 50):
                    for w in writers:
                        w.stop_event.set()
                if len(created) > 3000 and not overflowed.is_set():
                    self.fail("3000 tickets and the slow client's queue "
                              "never filled (too_slow_total %s)" %
                              too_slow_total())
                got = {e["ticketId"] for e in fast.events
                       if event_type(e) == "ticketCreated"}
                if not writing and set(created) <= got:
                    break
                if time.monotonic() > deadline:
                    self.fail("in 60 s: %d tickets, overflow %s, the fast "
                              "client missed %d" %
                              (len(created), overflowed.is_set(),
                               len(set(created) - got)))
                try:
                    await fast.recv(1.0)
                except asyncio.TimeoutError:
                    pass
            for w in writers:
                self.assertFalse(w.failures, w.failures)
            late = []
            for e in fast.events:
                if event_type(e) != "ticketCreated":
                    continue
                delay = fast.received_at[seq(e["seq"])] - created[e["ticketId"]]
                if delay > 2.0:
                    late.append((e["ticketId"], round(delay, 2)))
            self.assertFalse(late, "events later than 2 s: %s" % late[:10])
            # Gap-free for the fast one.
            seqs = fast.seqs()
            self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))))
            sys.stderr.write("slow consumer: %d tickets, the slow client "
                             "counted after %s\n" %
                             (len(created), count_at_overflow))
            await fast.close()

        try:
            run(body(), 120)
            slow_total = too_slow_total()
            # Reading now lets the stalled write end; the close follows.
            code, reason, messages = read_until_close_frame(slow)
            self.assertEqual(code, 4000, "slow client: %s (%d messages; "
                             "metrics: %s)" % (reason, len(messages),
                                               slow_total))
            # It resumes from where the reason says: with what it had,
            # every event of the log exactly once.
            m = re.search(r"since=(\d+)", reason)
            self.assertTrue(m, reason)
            since = int(m.group(1))
            had = []
            for text in messages:
                msg = json.loads(text)
                if msg["type"] == "snapshot":  # events after it follow
                    start = seq(msg["seq"])
                elif msg["type"] == "events":
                    had += [seq(e["seq"]) for e in msg["events"]]
            self.assertTrue(had)
            self.assertEqual(had[-1], since, "the reason's since is the last "
                             "event it was sent")

            async def resume():
                r = await Stream.open(d.port, "since=%d&epoch=%s" %
                                      (since, epoch[0]), admin)
                self.assertTrue(r.hello["recovered"], r.hello)
                log = await asyncio.to_thread(d.log, start)
                head = seq(log[-1]["seq"])
                await r.until_seq(head)
                ResumeTest.assert_union(
                    self, [had, [x for x in r.seqs() if x <= head]],
                    expected_seqs(log, start, head), "slow client resumed")
                await r.close()
            run(resume())
        finally:
            stop_monitor.set()
            slow.close()
            for w in writers:
                w.finish()


class ViewTest(unittest.TestCase):
    """What each role's stream holds."""

    FORBIDDEN_FOR_DASHBOARD = {"reporter", "title", "description", "body",
                               "actor"}

    def find_keys(self, value, keys, path="", empty=False):
        """Where keys hold something (or, with empty, where they are there
        but empty: "", {}, [])."""
        found = []
        if isinstance(value, dict):
            for k, v in value.items():
                if k in keys and (v in ("", {}, [], None)) == empty:
                    found.append(path + "/" + k)
                found += self.find_keys(v, keys, path + "/" + k, empty)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                found += self.find_keys(v, keys, "%s/%d" % (path, i), empty)
        return found

    def test_views(self):
        d = MAIN
        kari = d.login("kari.haugen")
        tinn, rollag = d.login("ansatt.tinn"), d.login("ansatt.rollag")
        d.make_account("wall", ["dashboard"])
        wall, _ = d.make_token("wall", "views")
        # An admin who is IT staff reads the log whole; one who is not,
        # like the first start's admin, gets figures (as on the routes).
        d.make_account("drift.admin", ["admin", "agent"])
        admin, _ = d.make_token("drift.admin", "views")
        admin_only = d.login("admin")

        async def body():
            s_emp = await Stream.open(d.port, "", tinn)
            s_wall = await Stream.open(d.port, "access_token=" + wall)
            s_staff = await Stream.open(d.port, "", kari)
            s_admin = await Stream.open(d.port, "", admin)
            s_admin_only = await Stream.open(d.port, "", admin_only)
            self.assertEqual(s_admin_only.hello["view"], "dashboard")
            self.assertEqual(s_emp.hello["view"], "employee")
            self.assertEqual(s_wall.hello["view"], "dashboard")
            self.assertEqual(s_staff.hello["view"], "staff")
            self.assertEqual(s_admin.hello["view"], "admin")

            def act():
                own = d.create(tinn)["id"]
                other = d.create(rollag)["id"]
                staff_in_tinn = d.create(kari, "tinn", "noen.andre")["id"]
                d.comment(kari, own, "Intern: skriveren er gammel.", "internal")
                d.comment(kari, own, "Vi kommer i morgen.")
                d.comment(kari, staff_in_tinn, "Ikke for ansatt.tinn.")
                d.comment(kari, own, "Intern igjen.", "internal")
                # The employee's own last comment: every stream sees it, and
                # once it is in, everything before it is (ascending seqs).
                answer = d.comment(tinn, own, "Takk!")
                return own, other, staff_in_tinn, answer
            own, other, staff_in_tinn, answer = await asyncio.to_thread(act)
            sentinel = seq(answer["comments"][-1]["seq"])
            for s in (s_emp, s_wall, s_staff, s_admin):
                await s.until_seq(sentinel)

            # employee: own ticket only, public comments only
            for t in s_emp.snapshot.get("tickets", []):
                self.assertEqual(t.get("reporter"), "ansatt.tinn", t)
            self.assertTrue(s_emp.events)
            for e in s_emp.events:
                self.assertEqual(e["ticketId"], own, e)
                self.assertEqual((e.get("ticket") or {}).get("municipality"),
                                 "tinn", e)
                if "commentAdded" in e:
                    self.assertNotEqual(e["commentAdded"].get("visibility"),
                                        "internal", e)
                    self.assertNotIn("Intern", e["commentAdded"].get("body"))
            bodies = [e["commentAdded"]["body"] for e in s_emp.events
                      if "commentAdded" in e]
            self.assertIn("Vi kommer i morgen.", bodies)
            self.assertIn("Takk!", bodies)
            self.assertTrue(any("ticketCreated" in e for e in s_emp.events))

            # dashboard: no personal text, no actor, in events or snapshot
            leaks = self.find_keys(s_wall.events, self.FORBIDDEN_FOR_DASHBOARD)
            self.assertFalse(leaks, "dashboard events hold %s" % leaks[:10])
            empty = sorted({p.split("/", 2)[-1] for p in self.find_keys(
                s_wall.events, self.FORBIDDEN_FOR_DASHBOARD, empty=True)})
            if empty:  # printed empty, as every scalar is: no text in them
                sys.stderr.write("note: dashboard events carry these keys "
                                 "empty: %s\n" % empty[:10])
            leaks = self.find_keys(s_wall.snapshot,
                                   {"reporter", "description", "body",
                                    "actor"})
            self.assertFalse(leaks, "dashboard snapshot holds %s" % leaks[:10])
            self.assertIn(other, {e["ticketId"] for e in s_wall.events})
            text = json.dumps(s_wall.messages, ensure_ascii=False)
            for secret in ("Intern", "Vi kommer", "Takk!", "noen.andre",
                           "Papirstopp", "ansatt.tinn"):
                self.assertNotIn(secret, text)

            # staff: everything, internal notes too, no client address
            staff_ids = {e["ticketId"] for e in s_staff.events}
            self.assertLessEqual({own, other, staff_in_tinn}, staff_ids)
            self.assertTrue(any(
                e.get("commentAdded", {}).get("visibility") == "internal"
                for e in s_staff.events))
            for e in s_staff.events:
                self.assertFalse(e.get("clientAddress"), e)
            # admin: the client address of what came over HTTP
            mine = [e for e in s_admin.events
                    if e.get("requestId") and e.get("actor") == "kari.haugen"]
            self.assertTrue(mine)
            for e in mine:
                self.assertEqual(e.get("clientAddress"), "127.0.0.1", e)
            for s in (s_emp, s_wall, s_staff, s_admin, s_admin_only):
                await s.close()
        run(body())


class LimitTest(unittest.TestCase):
    """The cap on subscribers, and keep-alive: a silent (half-open)
    connection is closed, one that answers pings stays."""

    def setUp(self):
        if "--live-max-subscribers" not in help_text():
            self.skipTest("helpdeskd --help names no --live-max-subscribers")

    def test_subscribers_over_the_cap_get_503(self):
        d = Daemon("cap", ["--live-max-subscribers", "1"]).start()
        try:
            kari = d.login("kari.haugen")

            async def body():
                first = await Stream.open(d.port, "", kari)
                with self.assertRaises(
                        websockets.exceptions.InvalidHandshake) as c:
                    await Stream.open(d.port, "", kari)
                self.assertEqual(status_of(c.exception), 503, c.exception)
                await first.close()
                # Once it has left, another gets in (the daemon lets go of
                # it as its session ends: try until then).
                deadline = time.monotonic() + 10
                while True:
                    try:
                        again = await Stream.open(d.port, "", kari)
                        break
                    except websockets.exceptions.InvalidHandshake as e:
                        self.assertEqual(status_of(e), 503)
                        self.assertLess(time.monotonic(), deadline,
                                        "still 503 10 s after leaving")
                        await asyncio.sleep(0.05)  # paces the retries
                await again.close()
            run(body())
        finally:
            d.cleanup()

    def test_silent_connection_closed_answering_one_kept(self):
        idle = 2
        d = Daemon("idle", ["--live-idle-seconds", str(idle)]).start()
        try:
            kari = d.login("kari.haugen")

            def silent_client():
                """Reads all but never answers a ping: (pings seen, how it
                ended, seconds until then)."""
                sock = raw_connect(d.port, "", kari)
                started = time.monotonic()
                pings, rest = 0, b""
                try:
                    while time.monotonic() - started < 6 * idle:
                        sock.settimeout(6 * idle)
                        try:
                            chunk = sock.recv(1 << 16)
                        except ConnectionResetError:
                            return pings, "reset", time.monotonic() - started
                        if not chunk:
                            return pings, "EOF", time.monotonic() - started
                        frames, rest = parse_frames(rest + chunk)
                        for _, opcode, payload in frames:
                            if opcode == 9:
                                pings += 1
                            elif opcode == 8:
                                return (pings, "close %r" % payload,
                                        time.monotonic() - started)
                    return pings, "still open", time.monotonic() - started
                finally:
                    sock.close()

            async def body():
                alive = await Stream.open(d.port, "", kari, ping_interval=None)
                opened = time.monotonic()
                pings, end, after = await asyncio.to_thread(silent_client)
                self.assertGreaterEqual(pings, 1, "no ping before the close")
                self.assertIn(end.split()[0], ("EOF", "reset", "close"), end)
                self.assertLess(after, 4 * idle, end)
                sys.stderr.write("silent client: %d pings, %s after %.1f s "
                                 "... " % (pings, end, after))
                # The client that answered the pings is still served.
                self.assertGreater(time.monotonic() - opened, idle)
                t = (await asyncio.to_thread(d.create, kari, "tinn"))["id"]
                await alive.until(lambda st: any(
                    e["ticketId"] == t for e in st.events), what="its event")
                await alive.close()
            run(body())
        finally:
            d.cleanup()


class CredentialEndedTest(unittest.TestCase):
    """A stream lasts as long as its credential: logging out (or a revoked
    token, a disabled account) closes it with 4001."""

    def test_logout_closes_the_stream_4001(self):
        d = Daemon("recheck", ["--live-recheck-seconds", "1"]).start()
        try:
            kari = d.login("kari.haugen")
            staff = d.login("ole.kristiansen")

            async def body():
                s = await Stream.open(d.port, "", kari)
                status = d.call("DELETE", "/api/v1/session", kari)[0]
                self.assertEqual(status, 200)
                # The stream looks again at its next event (or its idle
                # tick, 10 s): a ticket makes one at once.
                status = d.call("POST", "/api/v1/tickets", staff,
                                ticket_body("tinn", 1))[0]
                self.assertEqual(status, 201)
                closed = await s.until_closed(timeout=20)
                self.assertEqual(closed.code, 4001, closed)
                self.assertIn("log in again", closed.reason)
            run(body())
        finally:
            d.cleanup()


class ClientMessageTest(unittest.TestCase):
    """The stream takes no data from the client."""

    def test_data_message_is_closed_1003(self):
        async def body():
            s = await Stream.open(MAIN.port, "", MAIN.login("kari.haugen"))
            await s.ws.send("hei")
            closed = await s.until_closed()
            self.assertEqual(closed.code, 1003, closed)
        run(body())

    def test_message_over_the_limit_is_closed_1009(self):
        async def body():
            # Not compressed: the limit is on what arrives.
            s = await Stream.open(MAIN.port, "", MAIN.login("kari.haugen"),
                                  compression=None)
            try:
                await s.ws.send("x" * (1 << 20))
            except websockets.exceptions.ConnectionClosed as e:
                s.closed = e
            closed = await s.until_closed()
            self.assertEqual(closed.code, 1009, closed)
        run(body())


def main():
    global BINARY
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        BINARY = args.pop(0)
    else:
        BINARY = os.environ.get("HELPDESKD")
    if not BINARY or not os.access(BINARY, os.X_OK):
        sys.stderr.write("usage: stream_test.py HELPDESKD [unittest args] "
                         "(or HELPDESKD=path)\n")
        return 2
    BINARY = os.path.abspath(BINARY)
    return run_tests(args)


def run_tests(args):
    """Runs the test cases of the main module with unittest's `args`;
    every daemon started is killed at the end, and on SIGTERM or SIGINT.
    The exit code."""
    def on_signal(signum, _frame):
        kill_all_daemons()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        result = unittest.main(argv=[sys.argv[0]] + args, exit=False,
                               verbosity=2).result
        return 0 if result.wasSuccessful() else 1
    finally:
        kill_all_daemons()


if __name__ == "__main__":
    sys.exit(main())
