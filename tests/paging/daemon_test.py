#!/usr/bin/env python3
"""Paging against the real daemon (README, "Paging").

The daemon is the real binary on port 0 in a scratch directory, with its
clock standing at Sunday 2026-04-19 02:00 in Oslo (--clock-frozen: moved
only by POST /test/clock). Its pages go to receivers we did not write: an
SMTP server (Debian's python3-aiosmtpd, with STARTTLS and a certificate
made here) and a webhook receiver whose requests the npm package
standardwebhooks verifies. The contract:

  - an urgent ticket given to the vakt at night pages the vakt once, by
    e-mail, webhook and the live stream, and a restart pages no one again;
  - unacknowledged, a critical ticket's page goes on to the backup after
    escalate_minutes, then the dispatcher; an acknowledgement (the ack
    route, or taking the ticket) stops every step not yet sent;
  - a ticket no one can take (a hole in the rota) pages the dispatcher;
  - killed with -9 after sending but before recording it, the daemon sends
    again after its restart with the same webhook-id and Message-ID, so
    the receiver, deduplicating by them, sees each page once;
  - the mail server down for a while delays the mail and loses nothing;
  - bad input gets a problem, and employees never see who was paged.

    python3 tests/paging/daemon_test.py HELPDESKD HELPDESKCTL [unittest args]

Nothing waits by sleeping: every wait is for a condition with a deadline.
"""

import base64
import calendar
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "live"))

import receivers  # noqa: E402
import stream_test  # noqa: E402  (its Daemon: start, stop, log in)

CTL = None  # set by main()
START = "2026-04-19T00:00:00Z"  # Sunday 02:00 in Oslo
WAIT = 20.0  # seconds any one expected thing may take


def until(what, check, timeout=WAIT):
    """Polls `check` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)  # a poll interval, with the deadline above


def secret():
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


class Paging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="helpdeskd-paging-")
        cls.cert, _key = receivers.make_certificate(cls.scratch)
        cls.smtp = receivers.SmtpSink(tls="starttls",
                                      certificate=(cls.cert, _key))
        cls.smtp.start()
        cls.hook = receivers.WebhookReceiver()
        cls.hook.start()
        # Two secrets: keys being rotated; the receiver may hold either.
        cls.secrets = [secret(), secret()]
        secrets_file = os.path.join(cls.scratch, "webhook-secrets")
        with open(secrets_file, "w") as f:
            f.write("# rotating\n" + "\n".join(cls.secrets) + "\n")
        cls.daemon = stream_test.Daemon("paging", extra=[
            "--clock-start", START, "--clock-frozen",
            "--paging-smtp-url", cls.smtp.url,
            "--paging-smtp-from", "helpdesk@ikt.kommune.example",
            "--paging-smtp-ca-file", cls.cert,
            "--paging-smtp-tls", "require",
            "--paging-webhook-url", cls.hook.url,
            "--paging-webhook-secrets-file", secrets_file,
            "--paging-dispatchers", "ole.kristiansen",
            "--paging-public-url", "https://helpdesk.example.no/"])
        cls.daemon.start()
        cls.admin = cls.daemon.login("admin")
        status, _, vakt, raw = cls.daemon.call("GET", "/api/v1/vakt/now",
                                               cls.admin)
        assert status == 200 and vakt.get("covered"), raw
        cls.primary = vakt["primary"]["id"]
        cls.backup = vakt["backup"]["id"]
        # A business-critical service of Tinn: urgent work at night.
        status, _, found, raw = cls.daemon.call(
            "GET", "/api/v1/catalogue/services?municipality=tinn&limit=200",
            cls.admin)
        assert status == 200, raw
        cls.critical_service = next(
            s["id"] for s in found["services"] if s.get("businessCritical"))
        # The database's epoch, in every delivery id (a restored backup
        # numbers its pages again, under another epoch).
        status, _, hello, raw = cls.daemon.call("GET", "/api/v1/dashboard",
                                                cls.admin)
        assert status == 200, raw
        cls.epochs = {hello["epoch"]}
        cls.clock = calendar.timegm(time.strptime(START, "%Y-%m-%dT%H:%M:%SZ"))

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()
        cls.smtp.stop()
        cls.hook.stop()
        subprocess.run(["rm", "-rf", cls.scratch], check=False)

    # -- helpers

    def call(self, method, path, token=None, body=None):
        status, _, js, raw = self.daemon.call(method, path, token or self.admin,
                                              body)
        return status, js, raw

    def urgent_ticket(self, priority="critical"):
        """A ticket for Tinn's demo employee, filed by the desk (only IT
        staff make a ticket critical): the vakt gets it."""
        status, js, raw = self.call("POST", "/api/v1/tickets",
                                    self.daemon.login("marius.johansen"), {
            "title": "E-posten virker ikke for noen",
            "description": "Ingen på rådhuset får sendt e-post.",
            "municipality": "tinn", "reporter": "ansatt.tinn",
            "serviceId": self.critical_service, "priority": priority})
        self.assertEqual(status, 201, raw)
        self.assertEqual(js["assignee"], self.primary, js)
        return js

    def pages_of(self, ticket):
        status, js, raw = self.call("GET", "/api/v1/pages?limit=200")
        self.assertEqual(status, 200, raw)
        return [p for p in js.get("pages", []) if p.get("ticketId") == ticket]

    def page_of(self, ticket, reason="urgent"):
        return until("a %s page of ticket %s" % (reason, ticket), lambda: next(
            (p for p in self.pages_of(ticket) if p["reason"] == reason), None))

    def get_page(self, page_id):
        status, js, raw = self.call("GET", "/api/v1/pages/" + page_id)
        self.assertEqual(status, 200, raw)
        return js

    def step_sent(self, page_id, step):
        def sent():
            p = self.get_page(page_id)
            s = p["steps"][step] if len(p.get("steps", [])) > step else {}
            return p if s.get("state") == "sent" else None
        return until("step %d of page %s sent" % (step, page_id), sent)

    @staticmethod
    def delivery(delivery_id):
        """(epoch, page, step) of a delivery id "<epoch>.<page>.<step>"."""
        epoch, page, step = delivery_id.split(".")
        return epoch, page, int(step)

    def mails_for(self, page_id):
        """Mails of the page, by step: Message-ID <epoch.page.step@domain>."""
        out = collections.defaultdict(list)
        for m in self.smtp.records():
            mid = str(m.message["message-id"] or "").strip("<>")
            epoch, page, step = self.delivery(mid.split("@")[0])
            self.assertEqual(mid.split("@")[1], "ikt.kommune.example")
            if page == page_id and epoch in self.epochs:
                out[step].append(m)
        return out

    def hooks_for(self, page_id):
        out = collections.defaultdict(list)
        for r in self.hook.records():
            epoch, page, step = self.delivery(r.webhook_id)
            if page == page_id and epoch in self.epochs:
                out[step].append(r)
        return out

    def move_clock(self, minutes):
        Paging.clock += minutes * 60
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(Paging.clock))
        status, js, raw = self.call("POST", "/test/clock?at=" + at, None)
        self.assertEqual(status, 200, raw)

    def flush(self):
        """Every page made so far has had its chance: a test page, made
        after them, is delivered after them by the one sender."""
        status, js, raw = self.call("POST", "/api/v1/pages/test", self.admin,
                                    {"to": "ole.kristiansen"})
        self.assertEqual(status, 201, raw)
        self.step_sent(js["id"], 0)

    # -- tests

    def test_an_urgent_ticket_at_night_pages_the_vakt_once_on_every_channel(self):
        t = self.urgent_ticket("high")
        page = self.page_of(t["id"])
        self.assertEqual([s["to"] for s in page["steps"]], [self.primary],
                         "a high ticket does not escalate")
        page = self.step_sent(page["id"], 0)
        by = {d["channel"]: d for d in page["steps"][0]["deliveries"]}
        self.assertEqual(sorted(by), ["email", "live", "webhook"], page)
        self.assertTrue(all(d["delivered"] for d in by.values()), page)
        self.assertEqual(by["email"]["address"],
                         self.primary + "@ikt.kommune.example")

        mails = self.mails_for(page["id"])
        self.assertEqual(len(mails[0]), 1, mails)
        mail = mails[0][0]
        self.assertTrue(mail.tls, "STARTTLS was required")
        self.assertEqual(mail.rcpt_tos, [self.primary + "@ikt.kommune.example"])
        self.assertIn("Sak " + t["id"], mail.subject)
        self.assertIn("på vakt", mail.subject)  # RFC 2047, decoded
        self.assertIn("Du har vakt", mail.body)
        self.assertIn("https://helpdesk.example.no/agent#/sak/" + t["id"],
                      mail.body)
        self.assertNotIn("Ingen på rådhuset", mail.body,
                         "a page carries no personal text of the ticket")

        hooks = self.hooks_for(page["id"])
        self.assertEqual(len(hooks[0]), 1, hooks)
        body = json.loads(hooks[0][0].body)
        self.assertEqual((body["ticket"], body["reason"], body["to"]["id"]),
                         (t["id"], "urgent", self.primary))
        # Verified by a library we did not write, with each rotating key.
        for key in self.secrets:
            self.assertEqual(receivers.verify_webhooks(hooks[0], key),
                             [(True, None)])
        self.assertFalse(receivers.verify_webhooks(hooks[0], secret())[0][0])

        # The ticket's history says who was paged; its reporter never sees it.
        status, js, raw = self.call("GET", "/api/v1/tickets/%s/events" % t["id"],
                                    self.daemon.login(self.primary))
        self.assertEqual(status, 200, raw)
        kinds = [k for e in js["events"] for k in e
                 if k.startswith("page")]
        self.assertIn("pageCreated", kinds)
        self.assertIn("pageDelivered", kinds)
        status, js, raw = self.call("GET", "/api/v1/tickets/%s/events" % t["id"],
                                    self.daemon.login("ansatt.tinn"))
        self.assertEqual(status, 200, raw)
        self.assertFalse([e for e in js["events"]
                          if any(k.startswith("page") for k in e)], raw)
        status, js, raw = self.call("GET", "/api/v1/pages",
                                    self.daemon.login("ansatt.tinn"))
        self.assertEqual(status, 403, raw)

        # A restart pages no one again (one page per ticket and reason).
        self.daemon.stop()
        self.daemon.start()
        self.daemon.tokens.clear()  # sessions stay valid; fresh ones anyway
        Paging.admin = self.daemon.login("admin")
        self.flush()
        self.assertEqual(len(self.pages_of(t["id"])), 1)
        self.assertEqual(len(self.mails_for(page["id"])[0]), 1)
        self.assertEqual(len(self.hooks_for(page["id"])[0]), 1)

    def test_unacknowledged_it_goes_to_the_backup_and_an_ack_stops_it(self):
        t = self.urgent_ticket("critical")
        page = self.page_of(t["id"])
        self.assertEqual([(s["to"], s["role"]) for s in page["steps"]],
                         [(self.primary, "assignee"),
                          (self.backup, "vakt_backup"),
                          ("ole.kristiansen", "dispatcher")])
        self.step_sent(page["id"], 0)
        self.assertEqual(self.get_page(page["id"])["steps"][1]["state"],
                         "scheduled")
        # Fifteen minutes on, no one has answered: the backup is paged.
        self.move_clock(16)
        p = self.step_sent(page["id"], 1)
        mail = until("the backup's mail",
                     lambda: self.mails_for(page["id"]).get(1))
        self.assertEqual(mail[0].rcpt_tos, [self.backup + "@ikt.kommune.example"])
        self.assertIn("går videre til deg", mail[0].body)
        # The backup acknowledges: the dispatcher's step is cancelled.
        status, js, raw = self.call(
            "POST", "/api/v1/pages/%s/ack" % page["id"],
            self.daemon.login(self.backup), {})
        self.assertEqual(status, 200, raw)
        self.assertEqual(js["state"], "acknowledged")
        self.assertEqual(js["acknowledgedBy"], self.backup)
        self.assertEqual(js["steps"][2]["state"], "cancelled")
        self.move_clock(16)
        self.flush()
        self.assertNotIn(2, self.mails_for(page["id"]))
        self.assertNotIn(2, self.hooks_for(page["id"]))
        # Again: the answer is the page as it stands.
        status, js, raw = self.call(
            "POST", "/api/v1/pages/%s/ack" % page["id"],
            self.daemon.login(self.backup), {})
        self.assertEqual((status, js["acknowledgedBy"]), (200, self.backup))

    def test_taking_the_ticket_acknowledges_its_pages(self):
        t = self.urgent_ticket("critical")
        page = self.page_of(t["id"])
        status, js, raw = self.call(
            "POST", "/api/v1/tickets/%s/take" % t["id"],
            self.daemon.login(self.backup), {"version": t["version"]})
        self.assertEqual(status, 200, raw)
        # In the take's own write: acknowledged once the take is answered.
        p = self.get_page(page["id"])
        self.assertEqual(p["state"], "acknowledged")
        self.assertEqual((p["acknowledgedBy"], p["acknowledgedHow"]),
                         (self.backup, "taken"))
        self.assertEqual([s["state"] for s in p["steps"][1:]],
                         ["cancelled", "cancelled"])

    def test_a_hole_in_the_rota_pages_the_dispatcher(self):
        hook = receivers.WebhookReceiver()  # its own: page ids start at 1
        hook.start()
        daemon = stream_test.Daemon("paging-gap", extra=[
            "--clock-start", START, "--clock-frozen",
            "--paging-webhook-url", hook.url,
            "--paging-webhook-secrets-file",
            os.path.join(self.scratch, "webhook-secrets")])
        daemon.start()
        try:
            admin = daemon.login("admin")
            status, _, rota, raw = daemon.call("GET", "/api/v1/vakt", admin)
            self.assertEqual(status, 200, raw)
            status, _, emptied, raw = daemon.call(
                "PUT", "/api/v1/vakt", admin, {"shifts": []},
                {"If-Match": '"%d"' % rota["version"]})
            self.assertEqual(status, 200, raw)
            status, _, t, raw = daemon.call(
                "POST", "/api/v1/tickets", daemon.login("marius.johansen"),
                {"title": "Fagsystemet er nede", "description": "Alt står.",
                 "municipality": "tinn", "reporter": "ansatt.tinn",
                 "serviceId": self.critical_service, "priority": "critical"})
            self.assertEqual(status, 201, raw)
            self.assertEqual(t["assignment"]["unassignedReason"], "no_vakt")

            def page():
                _, _, js, _ = daemon.call("GET", "/api/v1/pages", admin)
                return next((p for p in js.get("pages", [])
                             if p.get("ticketId") == t["id"]), None)
            p = until("the dispatcher's page", page)
            self.assertEqual(p["reason"], "no_taker")
            # By role: the demo's dispatchers (the team leader and the
            # jobbfordeler), none at work on a Sunday night: by id, each
            # in turn for a critical ticket.
            self.assertEqual([(s["to"], s["role"]) for s in p["steps"]],
                             [("kari.haugen", "dispatcher"),
                              ("ole.kristiansen", "dispatcher")])
            self.assertIn("hull i vaktlista", p["text"])
            got = until("the webhook", lambda: [
                r for r in hook.records()
                if json.loads(r.body).get("ticket") == t["id"] and
                json.loads(r.body).get("reason") == "no_taker"])
            self.assertEqual(len(got), 1)
            # The rota mended: the ticket goes to the vakt in the same
            # write, which answers the dispatcher's page and pages the vakt.
            status, _, _, raw = daemon.call(
                "PUT", "/api/v1/vakt", admin, {"shifts": rota["shifts"]},
                {"If-Match": '"%d"' % emptied["version"]})
            self.assertEqual(status, 200, raw)
            _, _, pages, _ = daemon.call("GET", "/api/v1/pages", admin)
            mine = {p["reason"]: p for p in pages["pages"]
                    if p.get("ticketId") == t["id"]}
            self.assertEqual(sorted(mine), ["no_taker", "urgent"])
            self.assertEqual(mine["no_taker"]["state"], "acknowledged")
            self.assertEqual(mine["no_taker"]["acknowledgedHow"], "assigned")
            self.assertEqual(mine["no_taker"]["steps"][1]["state"],
                             "cancelled")
            status, _, vakt, raw = daemon.call("GET", "/api/v1/vakt/now",
                                               admin)
            self.assertEqual(mine["urgent"]["steps"][0]["to"],
                             vakt["primary"]["id"])
        finally:
            daemon.cleanup()
            hook.stop()

    def test_killed_between_sending_and_recording_it_sends_again_the_same(self):
        held_before = self.hook._held
        self.hook.hold()
        try:
            t = self.urgent_ticket("high")
            self.hook.wait_held(held_before + 1, timeout=WAIT)
        except Exception:
            self.hook.release()
            raise
        page = self.page_of(t["id"])
        self.daemon.stop(sig=signal.SIGKILL)
        self.hook.release()
        self.daemon.start()
        self.daemon.tokens.clear()
        Paging.admin = self.daemon.login("admin")
        p = self.step_sent(page["id"], 0)
        self.assertTrue(all(d["delivered"] for d in p["steps"][0]["deliveries"]))
        hooks = self.hooks_for(page["id"])[0]
        self.assertEqual(len(hooks), 2, "sent, killed, sent again")
        self.assertEqual(len({r.webhook_id for r in hooks}), 1,
                         "the same webhook-id: the receiver deduplicates")
        mails = self.mails_for(page["id"])[0]
        self.assertEqual(len({str(m.message["message-id"]) for m in mails}), 1)
        self.assertEqual(len(self.pages_of(t["id"])), 1)

    def test_the_mail_server_down_delays_the_page_and_loses_nothing(self):
        # Nothing in flight: a server stopped mid-session leaves that one
        # client waiting for its timeout rather than refused.
        self.flush()
        self.smtp.stop()
        try:
            t = self.urgent_ticket("high")
            page = self.page_of(t["id"])

            def failed(times):
                """The page once its first step's mail failed `times`."""
                def check():
                    p = self.get_page(page["id"])
                    d = {d["channel"]: d
                         for d in p["steps"][0].get("deliveries", [])}
                    return p if d.get("email", {}).get(
                        "attempts", 0) >= times else None
                return until("%d failed attempts" % times, check)
            # The first attempt fails at once; the next is due 5 s on.
            failed(1)
            self.move_clock(1)
            p = failed(2)
            email = {d["channel"]: d for d in p["steps"][0]["deliveries"]}
            self.assertFalse(email["email"]["delivered"])
            self.assertIn("onnect", email["email"]["lastError"])
            self.assertTrue(email["webhook"]["delivered"])
            self.assertEqual(p["steps"][0]["state"], "scheduled")
        finally:
            self.smtp.start()  # the same port
        self.move_clock(5)
        p = self.step_sent(page["id"], 0)
        self.assertEqual(len(self.mails_for(page["id"])[0]), 1)

    def test_helpdeskctl_sends_a_test_page(self):
        env = dict(os.environ, HELPDESK_TOKEN=self.admin)
        url = "http://127.0.0.1:%d" % self.daemon.port
        out = subprocess.run([CTL, "page", "test", "--to", "kari.haugen",
                              "--url", url], capture_output=True, text=True,
                             env=env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("email: delivered", out.stdout)
        self.assertIn("webhook: delivered", out.stdout)
        out = subprocess.run([CTL, "page", "test", "--to", "ingen.slik",
                              "--url", url], capture_output=True, text=True,
                             env=env, timeout=60)
        self.assertEqual(out.returncode, 2)
        self.assertIn("no staff member with id 'ingen.slik'", out.stderr)
        out = subprocess.run([CTL, "page", "list", "--url", url],
                             capture_output=True, text=True, env=env,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("kari.haugen (test)", out.stdout)

    def test_bad_input_gets_a_problem_and_changes_nothing(self):
        agent = self.daemon.login(self.primary)
        for method, path, token, body, code, says in [
                ("POST", "/api/v1/pages/999999/ack", agent, {}, 404,
                 "no page with id '999999'"),
                ("POST", "/api/v1/pages/abc/ack", agent, {}, 404, "abc"),
                ("GET", "/api/v1/pages?status=sleeping", None, None, 400,
                 "'status' must be one of"),
                ("GET", "/api/v1/pages?to=ingen.slik", None, None, 400,
                 "to takes a staff id"),
                ("GET", "/api/v1/pages?limit=0", None, None, 400, "limit"),
                ("POST", "/api/v1/pages/test", None, {}, 422, "'to' is required"),
                ("POST", "/api/v1/pages/test", None, {"to": "x" * 300}, 422,
                 "no staff member"),
                ("POST", "/api/v1/pages/test", agent, {"to": "kari.haugen"},
                 403, ""),
        ]:
            status, js, raw = self.call(method, path, token, body)
            self.assertEqual(status, code, (path, raw))
            self.assertIn(says, (js or {}).get("detail", ""), (path, raw))


def main():
    global CTL
    args = sys.argv[1:]
    if len(args) < 2:
        sys.stderr.write("usage: daemon_test.py HELPDESKD HELPDESKCTL "
                         "[unittest args]\n")
        return 2
    stream_test.BINARY = os.path.abspath(args.pop(0))
    CTL = os.path.abspath(args.pop(0))
    return stream_test.run_tests(args)


if __name__ == "__main__":
    sys.exit(main())
