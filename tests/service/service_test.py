#!/usr/bin/env python3
"""helpdeskd under a service manager: readiness, stopping, journal lines,
and the systemd unit of the repository (deploy/helpdeskd.service).

The daemon under test is the real binary, on port 0 in a temporary data
directory. systemd's side of sd_notify is a datagram socket bound here,
as systemd binds it: the message the daemon sends through libsystemd is
read as systemd reads it. The units are checked by systemd's own
systemd-analyze (verify, and the security exposure of their sandboxes),
the shipped config by starting the daemon on it, and the nightly backup's
command lines by running them as systemd would.

    python3 tests/service/service_test.py BUILD/daemon/helpdeskd \
        BUILD/tools/helpdeskctl/helpdeskctl deploy

Nothing waits by sleeping: every wait is for a datagram, a file or an exit,
with a deadline. Every daemon started is killed at the end.
"""

import http.client
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BINARY = None
CTL = None
DEPLOY = None
DAEMONS = []
DEADLINE = 30.0  # seconds for any one thing to happen


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def parse_notify(datagram):
    """sd_notify's message: newline-separated KEY=VALUE lines."""
    fields = {}
    for line in datagram.decode("utf-8").split("\n"):
        if line:
            key, _, value = line.partition("=")
            fields[key] = value
    return fields


class Daemon:
    def __init__(self, env=None, preexec=None, extra=()):
        self.dir = tempfile.mkdtemp(prefix="helpdeskd-service-")
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.log = open(self.log_path, "wb")
        args = [BINARY, "--port", "0", "--data-dir",
                os.path.join(self.dir, "data"), "--port-file", self.port_file,
                "--password-cost=minimum"] + list(extra)
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM")}
        full_env.update(env or {})
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log,
                                     env=full_env, preexec_fn=preexec)
        DAEMONS.append(self)

    def port(self):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError("helpdeskd exited: " + self.text())
            time.sleep(0.02)  # polling a file the daemon writes, with a deadline
        raise AssertionError("no port file within %s s" % DEADLINE)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=DEADLINE)

    def text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Notify(unittest.TestCase):
    """Type=notify: READY=1 once it serves, STOPPING=1 when a stop begins."""

    def listen(self, address):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(address)
        sock.settimeout(DEADLINE)
        self.addCleanup(sock.close)
        return sock

    def check_ready_then_stopping(self, sock, notify_socket):
        d = Daemon(env={"NOTIFY_SOCKET": notify_socket})
        self.addCleanup(d.cleanup)
        ready = parse_notify(sock.recv(4096))
        # Told ready: it answers, and says ready, at that very moment.
        self.assertEqual(ready.get("READY"), "1", ready)
        self.assertRegex(ready.get("STATUS", ""),
                         r"^serving http://127\.0\.0\.1:\d+ with data in ")
        port = d.port()
        self.assertIn(":%d " % port, ready["STATUS"])
        status, body = get(port, "/readyz")
        self.assertEqual(status, 200, body)
        d.proc.send_signal(signal.SIGTERM)
        stopping = parse_notify(sock.recv(4096))
        self.assertEqual(stopping.get("STOPPING"), "1", stopping)
        self.assertEqual(d.proc.wait(timeout=DEADLINE), 0, d.text())

    def test_ready_when_serving_and_stopping_on_sigterm(self):
        path = os.path.join(tempfile.mkdtemp(prefix="hd-notify-"), "notify")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        sock = self.listen(path)
        self.check_ready_then_stopping(sock, path)

    def test_abstract_socket_as_systemd_uses(self):
        name = "helpdeskd-test-notify-%d" % os.getpid()
        sock = self.listen("\0" + name)
        self.check_ready_then_stopping(sock, "@" + name)

    def test_a_start_that_fails_says_nothing_ready(self):
        path = os.path.join(tempfile.mkdtemp(prefix="hd-notify-"), "notify")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        sock = self.listen(path)
        d = Daemon(env={"NOTIFY_SOCKET": path},
                   extra=["--tls-cert-file", "/nonexistent/cert.pem"])
        self.addCleanup(d.cleanup)
        code = d.proc.wait(timeout=DEADLINE)
        self.assertNotEqual(code, 0)
        sock.settimeout(0)
        with self.assertRaises(BlockingIOError):
            sock.recv(4096)


class Journal(unittest.TestCase):
    """Standard error into the journal: "<N>message", the level as N."""

    def run_and_read(self, stream_value_for):
        """Starts a daemon whose JOURNAL_STREAM is stream_value_for(log)."""
        tmp = tempfile.mkdtemp(prefix="hd-journal-")
        self.addCleanup(shutil.rmtree, tmp, True)
        log_path = os.path.join(tmp, "stderr")
        with open(log_path, "wb") as log:
            st = os.fstat(log.fileno())
            env = {k: v for k, v in os.environ.items()
                   if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM")}
            env["JOURNAL_STREAM"] = stream_value_for(st)
            data = os.path.join(tmp, "data")
            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen(
                [BINARY, "--port", "0", "--data-dir", data, "--port-file",
                 port_file, "--password-cost=minimum"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                preexec_fn=lambda: resource.setrlimit(
                    resource.RLIMIT_NOFILE, (256, 256)))
            try:
                deadline = time.monotonic() + DEADLINE
                while not os.path.exists(port_file):
                    self.assertIsNone(proc.poll(), "helpdeskd exited")
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.02)  # polling for the port file, with a deadline
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=DEADLINE), 0)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        with open(log_path, encoding="utf-8") as f:
            return f.read().splitlines()

    def test_lines_carry_their_level_for_the_journal(self):
        lines = self.run_and_read(lambda st: "%d:%d" % (st.st_dev, st.st_ino))
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[2-7]>[^\[]", line)
        self.assertTrue(any(re.match(r"^<6>helpdeskd listening on http://", l)
                            for l in lines), lines)
        self.assertTrue(any(re.match(r"^<4>max_connections 10000 is more", l)
                            for l in lines), lines)
        self.assertTrue(any(l == "<6>stopped cleanly" for l in lines), lines)

    def test_another_stream_keeps_the_usual_lines(self):
        # JOURNAL_STREAM inherited, but standard error is not that stream.
        lines = self.run_and_read(
            lambda st: "%d:%d" % (st.st_dev, st.st_ino + 1))
        self.assertTrue(any(re.match(
            r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[helpdeskd\] \[info\] "
            r"helpdeskd listening on", l) for l in lines), lines)
        self.assertFalse(any(l.startswith("<") for l in lines), lines)


def exposure(path):
    """systemd's exposure score of a service's sandbox: 0 (locked down) to
    10 (nothing); up to 2 it calls "OK", up to 1 "SAFE"."""
    out = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", path],
        capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+) ", out.stdout)
    if m is None:
        raise AssertionError(out.stdout + out.stderr)
    return float(m.group(1)), out.stdout


class Units(unittest.TestCase):
    """deploy/: the units as systemd reads them, and what they run."""

    def copies(self):
        # verify checks that each ExecStart's binary exists: the built ones
        # stand in for /usr/local/bin's, nothing else changes.
        tmp = tempfile.mkdtemp(prefix="hd-unit-")
        self.addCleanup(shutil.rmtree, tmp, True)
        texts = {}
        for name in ("helpdeskd.service", "helpdeskd-backup.service",
                     "helpdeskd-backup.timer"):
            with open(os.path.join(DEPLOY, name)) as f:
                texts[name] = f.read()
            with open(os.path.join(tmp, name), "w") as f:
                f.write(self.local(texts[name]))
        return tmp, texts

    @staticmethod
    def local(text):
        return (text.replace("/usr/local/bin/helpdeskd ",
                             os.path.abspath(BINARY) + " ")
                .replace("/usr/local/bin/helpdeskctl", os.path.abspath(CTL)))

    def test_systemd_reads_the_units_without_a_complaint(self):
        tmp, _ = self.copies()
        out = subprocess.run(
            ["systemd-analyze", "verify"] +
            [os.path.join(tmp, n) for n in ("helpdeskd.service",
                                            "helpdeskd-backup.service",
                                            "helpdeskd-backup.timer")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr.strip(), "", out.stderr)

    def test_the_sandboxes_leave_little_exposed(self):
        tmp, texts = self.copies()
        for option in ("Type=notify", "User=helpdeskd", "StateDirectory=",
                       "ProtectSystem=strict", "NoNewPrivileges=yes",
                       "CapabilityBoundingSet=\n", "SystemCallFilter=",
                       "ExecStart=/usr/local/bin/helpdeskd --config "
                       "/etc/helpdeskd/helpdeskd.toml "
                       "--data-dir ${STATE_DIRECTORY}\n"):
            self.assertIn(option, texts["helpdeskd.service"])
        score, report = exposure(os.path.join(tmp, "helpdeskd.service"))
        self.assertLessEqual(score, 2.0, report)
        score, report = exposure(os.path.join(tmp, "helpdeskd-backup.service"))
        self.assertLessEqual(score, 1.0, report)

    def test_the_shipped_config_starts_the_daemon(self):
        d = Daemon(extra=["--config", os.path.join(DEPLOY, "helpdeskd.toml")])
        self.addCleanup(d.cleanup)
        status, body = get(d.port(), "/readyz")
        self.assertEqual(status, 200, body)
        self.assertEqual(d.stop(), 0, d.text())

    def command(self, text, key, backups):
        """The command line of `key`= in a unit, as systemd would run it
        (%% is %), with the backups directory at `backups`."""
        line = next(l for l in text.splitlines() if l.startswith(key + "="))
        line = self.local(line[len(key) + 1:]).replace("%%", "%")
        return shlex.split(line.replace("/var/backups/helpdeskd", backups))

    def test_the_nightly_backup_writes_a_dated_file_and_keeps_14_days(self):
        _, texts = self.copies()
        unit = texts["helpdeskd-backup.service"]
        d = Daemon()
        self.addCleanup(d.cleanup)
        d.port()
        backups = tempfile.mkdtemp(prefix="hd-backups-")
        self.addCleanup(shutil.rmtree, backups, True)
        old = os.path.join(backups, "helpdeskd-20260101T013000Z.mdb")
        recent = os.path.join(backups, "helpdeskd-20260110T013000Z.mdb")
        other = os.path.join(backups, "notes.txt")
        for path, days in ((old, 20), (recent, 3), (other, 40)):
            with open(path, "w") as f:
                f.write("x")
            t = time.time() - days * 86400
            os.utime(path, (t, t))
        env = dict(os.environ, STATE_DIRECTORY=os.path.join(d.dir, "data"))
        for key in ("ExecStart", "ExecStartPost"):
            out = subprocess.run(self.command(unit, key, backups), env=env,
                                 capture_output=True, text=True,
                                 timeout=DEADLINE)
            self.assertEqual(out.returncode, 0, key + ": " + out.stderr)
        made = [n for n in os.listdir(backups)
                if re.fullmatch(r"helpdeskd-\d{8}T\d{6}Z\.mdb", n)
                and n not in (os.path.basename(old), os.path.basename(recent))]
        self.assertEqual(len(made), 1, os.listdir(backups))
        self.assertFalse(os.path.exists(old), "older than 14 days: removed")
        self.assertTrue(os.path.exists(recent))
        self.assertTrue(os.path.exists(other), "only backups are pruned")


def main():
    global BINARY, CTL, DEPLOY
    if len(sys.argv) < 4:
        sys.exit("usage: service_test.py HELPDESKD HELPDESKCTL DEPLOY_DIR "
                 "[unittest args]")
    BINARY, CTL, DEPLOY = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        unittest.main(argv=[sys.argv[0]] + sys.argv[4:], verbosity=2)
    finally:
        for d in DAEMONS:
            d.cleanup()


if __name__ == "__main__":
    main()
