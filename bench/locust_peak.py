"""The users of a peak Omicron day (locust classes), driven by bench/peak_day.py.

Each class is one kind of traffic at its own fixed rate; counts come from PEAK_PARAMS (a JSON
file that peak_day.py writes: tokens, cookies, codes, and how many users of each class).
Loopback only; the run is bounded by locust's --run-time.
"""

import itertools
import json
import os
import random
import uuid

import gevent
from locust import HttpUser, between, constant_pacing, constant_throughput, task

PARAMS = json.loads(open(os.environ["PEAK_PARAMS"], encoding="utf-8").read())
COUNTS = PARAMS["users"]
_links = itertools.cycle(PARAMS["f0_links"])
_sequence = itertools.count()
CSRF = uuid.uuid4().hex  # 32 characters: Django accepts an unmasked secret


def stagger(period: float) -> None:
    """Wait a random part of the user's own period before its first request.

    Locust starts every user of a class at the same instant, and a fixed pacing keeps them in
    step: 50 care-team screens then refresh in one burst every 15 s, which a real province's
    screens (opened over the morning) never do, and the burst's queue showed as 0.9-2.1 s
    medians for pages that cost 16-25 ms of CPU each (measured in process on the same data)."""
    gevent.sleep(random.uniform(0, period))


class F0Citizen(HttpUser):
    """A person with COVID at home: opens the personal link and sends the day's check."""

    fixed_count = COUNTS["f0"]
    wait_time = constant_throughput(1)

    def on_start(self):
        stagger(1)
        self.client.cookies.set("csrftoken", CSRF)

    @task
    def check(self):
        token = next(_links)
        url = f"/cases/c/{token}/"
        self.client.get(url, name="GET /cases/c/[link]/ (check form)")
        n = next(_sequence)
        danger = n % 20 == 0  # one check in twenty raises an alert, as on a bad day
        self.client.post(
            url,
            {
                "csrfmiddlewaretoken": CSRF,
                "submission_key": f"peak-{PARAMS['run']}-{n}",
                "temperature": "37.4",
                "spo2": "95" if danger else "98",
                "respiratory_rate": "18",
                "pulse": "88",
                "symptoms": "cough",
            },
            headers={"Referer": self.host + url},
            name="POST /cases/c/[link]/ (check)",
        )


class Traveller(HttpUser):
    """A traveller declares on the phone; the gate officer's tablet scans the code."""

    fixed_count = COUNTS["traveller"]
    wait_time = constant_throughput(0.5)
    auth = {"Authorization": f"Bearer {PARAMS['checkpoint_token']}"}

    def on_start(self):
        stagger(2)

    @task
    def arrive(self):
        n = next(_sequence)
        body = dict(PARAMS["declaration"])
        body.update(
            full_name=f"Người Về {n}",
            phone=f"098{n % 10_000_000:07d}",
            destination_address=f"Số {n}",
            birth_year=1950 + n % 60,
        )
        with self.client.post(
            "/api/checkpoints/declarations",
            json=body,
            name="POST /api/checkpoints/declarations",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"declaration {response.status_code}")
                return
            code = response.json()["code"]
        scan = {
            "code": code,
            "checkpoint_id": PARAMS["checkpoint_id"],
            "decision": "handover",
            "idempotency_key": f"peak-{PARAMS['run']}-{n}",
            "temperature": 36.6,
        }
        self.client.post(
            "/api/checkpoints/passages",
            json=scan,
            headers=self.auth,
            name="POST /api/checkpoints/passages (new)",
        )
        if n % 10 == 0:  # the tablet lost the answer and sends again
            self.client.post(
                "/api/checkpoints/passages",
                json=scan,
                headers=self.auth,
                name="POST /api/checkpoints/passages (retry)",
            )


class Switchboard(HttpUser):
    """The 1022 switchboard opens a ticket for each call it takes."""

    fixed_count = COUNTS["switchboard"]
    wait_time = constant_throughput(0.5)
    auth = {"Authorization": f"Bearer {PARAMS['hotline_token']}"}

    def on_start(self):
        stagger(2)

    @task
    def ticket(self):
        n = next(_sequence)
        self.client.post(
            "/api/hotline/tickets",
            json={
                "category": random.choice(PARAMS["ticket_categories"]),
                "text": "Người nhà ho, sốt từ hôm qua, cần hướng dẫn cách ly tại nhà",
                "commune_code": random.choice(PARAMS["communes"]),
                "caller_phone": f"091{n % 10_000_000:07d}",
                "source_ref": f"peak-{PARAMS['run']}-{n}",
            },
            headers=self.auth,
            name="POST /api/hotline/tickets",
        )


class _Screen(HttpUser):
    abstract = True
    cookie_key = ""

    period = 15

    def on_start(self):
        stagger(self.period)
        self.client.cookies.set("sessionid", PARAMS[self.cookie_key])


class CareTeamScreen(_Screen):
    """A commune care team's queue, refreshed every 15 seconds."""

    fixed_count = COUNTS["care_screens"]
    wait_time = constant_pacing(15)
    cookie_key = "care_session"

    def on_start(self):
        super().on_start()
        self.client.get("/cases/", name="GET /cases/ (care-team queue, page)")

    @task
    def queue(self):
        # The open page refreshes its rows itself (htmx, every 15 s): a partial response.
        self.client.get(
            "/cases/",
            headers={"HX-Request": "true", "HX-Target": "queue"},
            name="GET /cases/ (care-team queue, rows refresh)",
        )


class AgentScreen(_Screen):
    """A 1022 agent's ticket queue, refreshed every 15 seconds."""

    fixed_count = COUNTS["agent_screens"]
    wait_time = constant_pacing(15)
    cookie_key = "agent_session"

    @task
    def queue(self):
        self.client.get("/hotline/", name="GET /hotline/ (agent queue)")


class CommitteeScreen(_Screen):
    """The committee's and the health department's dashboards, every 30 seconds."""

    fixed_count = COUNTS["dashboards"]
    wait_time = constant_pacing(30)
    period = 30
    cookie_key = "committee_session"

    @task
    def dashboard(self):
        self.client.get("/stats/dashboard/", name="GET /stats/dashboard/")


class Ping(HttpUser):
    """The trivial request, as the baseline inside the same run."""

    fixed_count = 1
    wait_time = between(0.4, 0.6)

    @task
    def ping(self):
        self.client.get("/api/ping", name="GET /api/ping (baseline)")
