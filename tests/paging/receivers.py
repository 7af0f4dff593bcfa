"""Receivers for the paging tests: where the daemon's pages land.

    SmtpSink         an SMTP server (Debian's python3-aiosmtpd) on 127.0.0.1,
                     plain, with STARTTLS or TLS from the start; records every
                     mail (envelope, decoded subject and body, whether the
                     session was TLS); can be stopped and started again on the
                     same port, for "the mail server is down for a minute".
    WebhookReceiver  an HTTP(S) server (http.server) that records every
                     request (headers, raw body), counts them per webhook-id,
                     can hold requests unanswered until released (so that a
                     test can kill the sender mid-request) and can answer an
                     error status for a while.
    make_certificate a self-signed certificate for 127.0.0.1 and localhost,
                     made with the openssl command line into a scratch dir.
    verify_webhooks  recorded webhooks checked by a verifier we did not
                     write: the npm package standardwebhooks (pinned in
                     tests/browser/package.json), through verify_webhooks.mjs.

Only the standard library and aiosmtpd, for Debian's /usr/bin/python3. Every
wait is for a condition with a deadline; none sleeps.
"""

import asyncio
import base64
import collections
import email.parser
import email.policy
import http.server
import json
import logging
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time

from aiosmtpd.controller import Controller

# aiosmtpd logs a session's failure (a client refusing our certificate) with
# a traceback: what the client says is what a test looks at.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFIER = os.path.join(HERE, "verify_webhooks.mjs")


def make_certificate(directory, name="receiver"):
    """A key and self-signed certificate (PEM) valid for 127.0.0.1 and
    localhost: (cert_path, key_path). The certificate is its own CA, so a
    client trusts it by taking cert_path as its CA file."""
    cert = os.path.join(directory, name + ".crt")
    key = os.path.join(directory, name + ".key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True, timeout=60)
    return cert, key


def _server_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


class _Waitable:
    """A list of records and a condition to wait on it with a deadline."""

    def __init__(self):
        self._cond = threading.Condition()
        self._records = []

    def _add(self, record):
        with self._cond:
            self._records.append(record)
            self._cond.notify_all()

    def records(self):
        with self._cond:
            return list(self._records)

    def wait_for(self, count, timeout=10.0):
        """The first `count` records, once there are that many; else
        TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._records) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(self._records)} of {count} received "
                        f"in {timeout} s")
                self._cond.wait(left)
            return list(self._records[:count])


# ------------------------------------------------------------------ SMTP


class ReceivedMail:
    """One mail as the sink took it: envelope, decoded parts, the session."""

    def __init__(self, mail_from, rcpt_tos, raw, tls):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.raw = raw  # bytes as received, dot-stuffing undone
        self.tls = tls  # the session was TLS (STARTTLS or from the start)
        self.message = email.parser.BytesParser(
            policy=email.policy.default).parsebytes(raw)
        self.subject = str(self.message["subject"] or "")  # RFC 2047 decoded
        # The transfer encoding undone, and the wire's CRLF lines as "\n".
        self.body = self.message.get_content().replace("\r\n", "\n")

    def __repr__(self):
        return f"<mail {self.mail_from} -> {self.rcpt_tos}: {self.subject!r}>"


class _SinkHandler:
    def __init__(self, sink):
        self._sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self._sink.reject is not None:
            return self._sink.reject
        # session.ssl is set by STARTTLS; smtps has an SSL transport.
        tls = (session.ssl is not None or
               server.transport.get_extra_info("ssl_object") is not None)
        self._sink._add(ReceivedMail(
            envelope.mail_from, envelope.rcpt_tos, envelope.original_content,
            tls))
        return "250 OK"


class _Controller(Controller):
    """aiosmtpd's controller, binding port 0 (it connects to its own port
    once started, so it must know the one it got)."""

    def _create_server(self):
        return self._bind()

    async def _bind(self):
        server = await self.loop.create_server(
            self._factory_invoker, host=self.hostname, port=self.port,
            ssl=self.ssl_context, reuse_address=True)
        self.port = server.sockets[0].getsockname()[1]
        return server


class SmtpSink(_Waitable):
    """An SMTP server on 127.0.0.1 recording every mail.

    tls: None (plain, no STARTTLS), "starttls" (offered, not required) or
    "implicit" (smtps: TLS from the first byte); `certificate` is
    (cert_path, key_path) for the last two. port 0 takes a free one; after
    stop(), start() listens on the same port again. `reject`, when set to
    an SMTP reply ("451 4.3.0 try later"), answers every DATA with it."""

    def __init__(self, tls=None, certificate=None, port=0):
        super().__init__()
        if tls not in (None, "starttls", "implicit"):
            raise ValueError(f"tls: {tls!r}")
        if tls and not certificate:
            raise ValueError("TLS needs a certificate (make_certificate)")
        self.tls = tls
        self.certificate = certificate
        self.port = port
        self.reject = None
        self._controller = None

    @property
    def url(self):
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def running(self):
        return self._controller is not None

    def start(self):
        if self._controller is not None:
            return self
        kwargs = {}
        if self.tls == "starttls":
            kwargs["tls_context"] = _server_context(self.certificate)
        elif self.tls == "implicit":
            kwargs["ssl_context"] = _server_context(self.certificate)
        controller = _Controller(
            _SinkHandler(self), hostname="127.0.0.1", port=self.port,
            loop=asyncio.new_event_loop(), **kwargs)
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self):
        """Stops listening and drops open sessions; the port stays ours to
        start on again (nothing else is told it is free)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------- webhooks


class ReceivedRequest:
    """One request as the receiver read it, and what it answered."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers  # dict, names lower-case
        self.body = body  # bytes
        self.status = None  # the status answered; None while held
        self.answered = threading.Event()
        self.answer_failed = False  # the sender was gone when it was sent

    @property
    def webhook_id(self):
        return self.headers.get("webhook-id")

    def __repr__(self):
        return f"<{self.method} {self.path} {self.webhook_id} -> {self.status}>"


class WebhookReceiver(_Waitable):
    """An HTTP server on 127.0.0.1, port 0, recording every request; HTTPS
    when `certificate` (cert_path, key_path) is given.

    By default it answers 204. fail_with(status) answers `status` to the
    next `count` requests (all, when count is None) until succeed();
    hold() keeps requests read but unanswered until release()."""

    def __init__(self, certificate=None):
        super().__init__()
        self.certificate = certificate
        self._lock = threading.Lock()
        self._fail_status = None
        self._fail_left = None
        self._fail_headers = {}
        self._release = None  # a threading.Event while holding
        self._held = 0
        self._server = None
        self._thread = None
        self.connection_errors = 0  # TLS handshakes refused, hang-ups

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        scheme = "https" if self.certificate else "http"
        return f"{scheme}://127.0.0.1:{self.port}/hook"

    # What to answer.

    def fail_with(self, status=500, count=None, headers=None):
        with self._lock:
            self._fail_status = status
            self._fail_left = count
            self._fail_headers = dict(headers or {})

    def succeed(self):
        with self._lock:
            self._fail_status = None

    def hold(self):
        with self._lock:
            if self._release is None:
                self._release = threading.Event()

    def release(self):
        with self._lock:
            release, self._release = self._release, None
        if release is not None:
            release.set()

    def wait_held(self, count, timeout=10.0):
        """Until `count` requests have been held in all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._held < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self._held} of {count} held")
                self._cond.wait(left)

    # What came.

    def received_ids(self):
        """Requests per webhook-id: more than one is a redelivery."""
        return collections.Counter(r.webhook_id for r in self.records())

    def delivered_ids(self):
        """Requests answered 2xx, per webhook-id (wait_answered first)."""
        return collections.Counter(
            r.webhook_id for r in self.records()
            if r.status is not None and 200 <= r.status < 300
            and not r.answer_failed)

    def wait_answered(self, count, timeout=10.0):
        """The first `count` requests, once each has been answered (or its
        answer failed): a sender may read the answer a moment before the
        receiver has noted that it sent it."""
        deadline = time.monotonic() + timeout
        requests = self.wait_for(count, timeout)
        for r in requests:
            if not r.answered.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"{r!r} not answered in {timeout} s")
        return requests

    # Serving.

    def _answer_for(self, request):
        with self._lock:
            release = self._release
            if self._fail_status is not None:
                status, headers = self._fail_status, self._fail_headers
                if self._fail_left is not None:
                    self._fail_left -= 1
                    if self._fail_left <= 0:
                        self._fail_status = None
            else:
                status, headers = 204, {}
        if release is not None:
            with self._cond:
                self._held += 1
                self._cond.notify_all()
            while not release.wait(0.5):
                if self._server is None:
                    break
        return status, headers

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                request = ReceivedRequest(
                    self.command, self.path,
                    {k.lower(): v for k, v in self.headers.items()}, body)
                receiver._add(request)
                status, headers = receiver._answer_for(request)
                text = b"" if status == 204 else (
                    f"receiver answers {status}\n".encode())
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if status != 204:
                        self.send_header("Content-Type", "text/plain")
                        self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                    self.wfile.flush()
                except OSError:
                    request.answer_failed = True
                    self.close_connection = True
                request.status = status
                request.answered.set()

            do_PUT = do_POST

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A client that refused our certificate or hung up: counted,
                # not printed (the test looks at what the client says).
                receiver.connection_errors += 1

        server = Server(("127.0.0.1", 0), Handler)
        if self.certificate:
            # The handshake in each request's thread, not the accepting one.
            server.socket = _server_context(self.certificate).wrap_socket(
                server.socket, server_side=True,
                do_handshake_on_connect=False)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        server, self._server = self._server, None
        self.release()
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ------------------------------------------------------------ verification


def verify_webhooks(requests, secret, node=None):
    """Each request verified with `secret` ("whsec_...") by the npm package
    standardwebhooks: a list of (ok, error) in the order given. `requests`
    are ReceivedRequests or dicts with "headers" and "body" (bytes)."""
    node = node or os.environ.get("HELPDESK_NODE") or shutil.which("node")
    if not node:
        raise RuntimeError("verify_webhooks needs node (Node.js)")
    items = []
    for r in requests:
        headers = r.headers if isinstance(r, ReceivedRequest) else r["headers"]
        body = r.body if isinstance(r, ReceivedRequest) else r["body"]
        items.append({"headers": headers,
                      "body_base64": base64.b64encode(body).decode()})
    with tempfile.NamedTemporaryFile("w", suffix=".json",
                                     delete=False) as f:
        json.dump({"secret": secret, "requests": items}, f)
        path = f.name
    try:
        out = subprocess.run([node, VERIFIER, path], capture_output=True,
                             text=True, timeout=60)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        raise RuntimeError(
            f"verify_webhooks.mjs failed ({out.returncode}): {out.stderr}")
    return [(r["ok"], r.get("error")) for r in json.loads(out.stdout)]


def free_port():
    """A port that was free a moment ago (for a receiver that must not be
    running yet: "connection refused")."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
