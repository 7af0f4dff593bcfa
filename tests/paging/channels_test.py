#!/usr/bin/env python3
"""Paging's delivery channels on the wire, against receivers we did not
write: mail to Debian's python3-aiosmtpd (plain, STARTTLS, a server that is
down), webhooks to http.server, their signatures checked by the npm package
standardwebhooks (tests/browser/package.json pins it).

The sender is paging_channel_probe, one attempt per run through SendMail
or PostWebhook, exactly as the daemon's pager makes it.

    python3 tests/paging/channels_test.py BUILD/.../paging_channel_probe \
        [NODE] [unittest args]

Nothing waits by sleeping: every wait is for a condition with a deadline.
"""

import os
import sys

# aiosmtpd is Debian's, under the system interpreter; a python3 earlier on
# the PATH (pyenv, a venv) does not see it: run again under it.
try:
    import aiosmtpd  # noqa: F401
except ImportError:
    _system = "/usr/bin/python3"
    if (os.path.exists(_system) and not os.environ.get("HELPDESK_PAGING_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(_system)):
        os.environ["HELPDESK_PAGING_REEXEC"] = "1"
        os.execv(_system, [_system] + sys.argv)
    sys.stderr.write("channels_test.py needs python3-aiosmtpd "
                     "(apt-get install python3-aiosmtpd)\n")
    sys.exit(1)

import json
import shutil
import subprocess
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import receivers  # noqa: E402

PROBE = None  # set by main()
NODE = None
SCRATCH = None
CERT = None  # (cert_path, key_path), made once
CA_FILE = None

NORWEGIAN = "Kritisk: Nettverk nede på rådhuset i Nore og Uvdal"
BODY = ("Hei vakt,\n"
        "\n"
        "Sak 17 er kritisk: nettverket på rådhuset er nede.\n"
        ".\n"
        ". en linje som begynner med punktum\n"
        ".. og en med to\n"
        + "Lang linje uten brudd: " + "æøå ÆØÅ " * 30 + "\n"
        "Hilsen helpdeskd")
FROM = "helpdesk@kommune.no"
TO = "vakt@nore-og-uvdal.kommune.no"
SECRET_OLD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRET_NEW = "whsec_" + "bnkgbsO4a2tlbCBldHRlciByb3Rhc2pvbiE="
SECRET_OTHER = "whsec_" + "aWtrZSB2w6VyIG7DuGtrZWw="


def probe(*args, timeout=30):
    """Runs the probe: (exit code, what it printed)."""
    out = subprocess.run([PROBE, *args], capture_output=True, text=True,
                         timeout=timeout)
    return out.returncode, (out.stdout + out.stderr).strip()


def send_mail(url, *extra, subject=NORWEGIAN, text=BODY, page_id="p-17.2"):
    return probe("mail", "--url", url, "--from", FROM, "--to", TO,
                 "--subject", subject, "--text", text, "--id", page_id,
                 "--timeout-ms", "10000", *extra)


def post_webhook(url, secrets, *extra, page_id="p-17.2", body=None):
    body = body or json.dumps({"page": page_id, "ticket": 17,
                               "tittel": NORWEGIAN}, ensure_ascii=False)
    args = ["webhook", "--url", url, "--json", body, "--id", page_id,
            "--timeout-ms", "10000"]
    for s in secrets:
        args += ["--secret", s]
    return probe(*args, *extra)


class Mail(unittest.TestCase):

    def test_starttls_carries_the_norwegian_subject_and_the_body(self):
        with receivers.SmtpSink(tls="starttls", certificate=CERT) as sink:
            code, out = send_mail(sink.url, "--ca-file", CA_FILE)
            self.assertEqual((code, out), (0, "ok"))
            [mail] = sink.wait_for(1)
        self.assertTrue(mail.tls, "STARTTLS was offered: the session is TLS")
        self.assertEqual(mail.mail_from, FROM)
        self.assertEqual(mail.rcpt_tos, [TO])
        self.assertEqual(mail.subject, NORWEGIAN)
        self.assertEqual(mail.body, BODY + "\n")
        self.assertEqual(mail.message["message-id"], "<p-17.2@kommune.no>")
        self.assertEqual(mail.message["to"], TO)
        self.assertEqual(mail.message.get_content_charset(), "utf-8")
        self.assertIn(b"=?UTF-8?B?", mail.raw)

    def test_require_takes_starttls_when_offered(self):
        with receivers.SmtpSink(tls="starttls", certificate=CERT) as sink:
            code, out = send_mail(sink.url, "--ca-file", CA_FILE,
                                  "--tls", "require")
            self.assertEqual((code, out), (0, "ok"))
            [mail] = sink.wait_for(1)
        self.assertTrue(mail.tls)

    def test_starttls_with_an_untrusted_certificate_fails(self):
        with receivers.SmtpSink(tls="starttls", certificate=CERT) as sink:
            code, out = send_mail(sink.url)  # the system's CAs only
            self.assertEqual(code, 1, out)
            self.assertIn("unavailable", out)
            self.assertIn(sink.url, out)
            self.assertEqual(sink.records(), [])

    def test_smtps_from_the_first_byte(self):
        with receivers.SmtpSink(tls="implicit", certificate=CERT) as sink:
            code, out = send_mail(sink.url, "--ca-file", CA_FILE)
            self.assertEqual((code, out), (0, "ok"))
            [mail] = sink.wait_for(1)
        self.assertTrue(mail.tls)
        self.assertEqual(mail.subject, NORWEGIAN)

    def test_require_without_starttls_fails(self):
        with receivers.SmtpSink() as sink:
            code, out = send_mail(sink.url, "--tls", "require")
            self.assertEqual(code, 1, out)
            self.assertIn("unavailable", out)
            self.assertIn(sink.url, out)
            self.assertIn("STARTTLS", out)
            self.assertEqual(sink.records(), [])

    def test_try_without_starttls_sends_in_plain_text(self):
        with receivers.SmtpSink() as sink:
            code, out = send_mail(sink.url, "--tls", "try")
            self.assertEqual((code, out), (0, "ok"))
            [mail] = sink.wait_for(1)
        self.assertFalse(mail.tls)
        self.assertEqual(mail.subject, NORWEGIAN)
        self.assertEqual(mail.body, BODY + "\n")

    def test_a_server_that_is_down_then_up_again(self):
        sink = receivers.SmtpSink().start()
        try:
            url = sink.url
            sink.stop()
            code, out = send_mail(url)
            self.assertEqual(code, 1, out)
            self.assertIn(f"unavailable: {url}: ", out)
            self.assertIn("Couldn't connect to server", out)
            sink.start()  # the same port
            self.assertEqual(sink.url, url)
            code, out = send_mail(url)
            self.assertEqual((code, out), (0, "ok"))
            self.assertEqual(len(sink.wait_for(1)), 1)
        finally:
            sink.stop()

    def test_a_refusal_names_the_servers_reply(self):
        with receivers.SmtpSink() as sink:
            sink.reject = "451 4.3.0 Prøv igjen senere"
            code, out = send_mail(sink.url)
            self.assertEqual(code, 1, out)
            self.assertIn("unavailable", out)
            self.assertIn("451", out)

    def test_bad_addresses_are_refused_before_connecting(self):
        code, out = probe("mail", "--url", "smtp://127.0.0.1:1", "--from",
                          FROM, "--to", "vakt@kommune.no\r\nBcc: x@y.no")
        self.assertEqual(code, 1, out)
        self.assertIn("invalid_field: to_address", out)


class Webhook(unittest.TestCase):

    def test_signed_for_each_secret_of_a_rotation(self):
        with receivers.WebhookReceiver() as receiver:
            code, out = post_webhook(receiver.url, [SECRET_OLD, SECRET_NEW])
            self.assertEqual((code, out), (0, "ok"))
            [request] = receiver.wait_for(1)
        self.assertEqual(request.method, "POST")
        self.assertEqual(request.path, "/hook")
        self.assertEqual(request.headers["content-type"], "application/json")
        self.assertEqual(request.webhook_id, "p-17.2")
        self.assertAlmostEqual(int(request.headers["webhook-timestamp"]),
                               time.time(), delta=60)
        self.assertEqual(json.loads(request.body)["tittel"], NORWEGIAN)
        signatures = request.headers["webhook-signature"].split(" ")
        self.assertEqual(len(signatures), 2)
        self.assertTrue(all(s.startswith("v1,") for s in signatures))
        for secret in (SECRET_OLD, SECRET_NEW):
            self.assertEqual(
                receivers.verify_webhooks([request], secret, NODE),
                [(True, None)], secret)
        [(ok, error)] = receivers.verify_webhooks([request], SECRET_OTHER,
                                                  NODE)
        self.assertFalse(ok)
        self.assertIn("No matching signature", error)

    def test_a_tampered_body_does_not_verify(self):
        with receivers.WebhookReceiver() as receiver:
            self.assertEqual(post_webhook(receiver.url, [SECRET_OLD])[0], 0)
            [request] = receiver.wait_for(1)
        tampered = {"headers": request.headers,
                    "body": request.body.replace(b"17", b"18")}
        self.assertEqual(
            receivers.verify_webhooks([request, tampered], SECRET_OLD, NODE),
            [(True, None), (False, "No matching signature found")])

    def test_an_error_status_is_a_failure_naming_it(self):
        with receivers.WebhookReceiver() as receiver:
            receiver.fail_with(500, count=1)
            code, out = post_webhook(receiver.url, [SECRET_OLD])
            self.assertEqual(code, 1, out)
            self.assertIn("unavailable", out)
            self.assertIn("HTTP 500", out)
            self.assertIn(f"http://127.0.0.1:{receiver.port}", out)
            self.assertNotIn("/hook", out, "no path: it may hold a token")
            # The next attempt of the same step is delivered, once.
            self.assertEqual(post_webhook(receiver.url, [SECRET_OLD]),
                             (0, "ok"))
            receiver.wait_answered(2)
            self.assertEqual(receiver.received_ids(), {"p-17.2": 2})
            self.assertEqual(receiver.delivered_ids(), {"p-17.2": 1})

    def test_a_redirect_is_not_followed(self):
        with receivers.WebhookReceiver() as receiver:
            receiver.fail_with(
                302, headers={"Location": receiver.url + "/elsewhere"})
            code, out = post_webhook(receiver.url, [SECRET_OLD])
            self.assertEqual(code, 1, out)
            self.assertIn("HTTP 302", out)
            self.assertIn("redirects are not followed", out)
            self.assertEqual(len(receiver.records()), 1)

    def test_https_with_a_private_ca(self):
        with receivers.WebhookReceiver(certificate=CERT) as receiver:
            self.assertTrue(receiver.url.startswith("https://"))
            code, out = post_webhook(receiver.url, [SECRET_NEW],
                                     "--ca-file", CA_FILE)
            self.assertEqual((code, out), (0, "ok"))
            [request] = receiver.wait_for(1)
            self.assertEqual(
                receivers.verify_webhooks([request], SECRET_NEW, NODE),
                [(True, None)])
            # Without the CA the certificate is not trusted.
            code, out = post_webhook(receiver.url, [SECRET_NEW])
            self.assertEqual(code, 1, out)
            self.assertIn("unavailable", out)
            self.assertIn("certificate", out.lower())

    def test_a_receiver_that_does_not_answer_times_out(self):
        with receivers.WebhookReceiver() as receiver:
            receiver.hold()
            started = time.monotonic()
            code, out = post_webhook(receiver.url, [SECRET_OLD],
                                     "--timeout-ms", "1500")
            self.assertEqual(code, 1, out)
            self.assertIn("Timeout was reached", out)
            self.assertLess(time.monotonic() - started, 10)
            receiver.wait_held(1)
            receiver.release()

    def test_a_sender_killed_mid_request(self):
        with receivers.WebhookReceiver() as receiver:
            receiver.hold()
            sender = subprocess.Popen(
                [PROBE, "webhook", "--url", receiver.url, "--json", "{}",
                 "--secret", SECRET_OLD, "--id", "p-3.1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                receiver.wait_held(1)
            finally:
                sender.kill()
                sender.wait(10)
            receiver.release()
            receiver.wait_answered(1)
            self.assertEqual(receiver.received_ids(), {"p-3.1": 1})
            # Delivered or not, the sender never heard: it must send again.
            self.assertEqual(post_webhook(receiver.url, [SECRET_OLD],
                                          page_id="p-3.1"), (0, "ok"))
            self.assertEqual(receiver.received_ids(), {"p-3.1": 2})

    def test_a_receiver_that_is_not_there(self):
        url = f"http://127.0.0.1:{receivers.free_port()}/hook"
        code, out = post_webhook(url, [SECRET_OLD])
        self.assertEqual(code, 1, out)
        self.assertIn("Couldn't connect to server", out)

    def test_a_bad_secret_is_refused_before_connecting(self):
        code, out = post_webhook("http://127.0.0.1:1/hook",
                                 [SECRET_OLD, "whsec_!!"])
        self.assertEqual(code, 1, out)
        self.assertIn("invalid_field: secrets/1", out)


def setUpModule():
    global SCRATCH, CERT, CA_FILE
    SCRATCH = tempfile.mkdtemp(prefix="paging-channels-")
    CERT = receivers.make_certificate(SCRATCH)
    CA_FILE = CERT[0]


def tearDownModule():
    shutil.rmtree(SCRATCH, ignore_errors=True)


def main():
    global PROBE, NODE
    args = sys.argv[1:]
    PROBE = args.pop(0) if args and not args[0].startswith("-") else (
        os.environ.get("PAGING_CHANNEL_PROBE"))
    if args and not args[0].startswith("-"):
        NODE = args.pop(0)
    NODE = NODE or os.environ.get("HELPDESK_NODE") or shutil.which("node")
    if not PROBE or not os.access(PROBE, os.X_OK):
        sys.stderr.write(__doc__)
        sys.exit(2)
    if not NODE:
        sys.stderr.write("channels_test.py needs node (Node.js) for the "
                         "standardwebhooks verifier\n")
        sys.exit(2)
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)


if __name__ == "__main__":
    main()
