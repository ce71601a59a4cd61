"""The load test's users (locust, run by bench/load): 200 people of four kinds working the web pages as they do
on a working day, against gunicorn on 127.0.0.1.

- grid workers (网格员, weight 60): open the home page, the logging form, log a gathering on patrol (the form's
  key makes a resend find the same record, as the phone script does), read the list and what they logged;
- department staff (部门工作人员, 60; a sixth of them heads): work their task queue (all, overdue), open tasks,
  read the API task list; heads issue a task assignment sheet now and then (a document numbered and rendered to
  PDF by the Celery worker);
- leaders (领导, 40): the home page with its panels, the responsibility overview, the gathering list;
- organizers (主办方, 40): their applications, the application form, a new draft (申请), its edit page.

Every request is named by its page kind, so locust's statistics are per page kind. Every write is recorded in
``$LOAD_WRITES`` (JSON lines: kind, key, final HTTP status) so that bench/load_check.py can compare each answer
with the database afterwards: a write answered as done must be there exactly once; a refused one must be absent
or (after a resend with the same form key) there once — never half there.

Users and password come from var/load/users.json (bench/load_seed.py). Think time: ``$LOAD_WAIT`` ("min,max"
seconds, default 5,25: a page every 15 s on average per person).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = json.loads((ROOT / "var" / "load" / "users.json").read_text())
WRITES = Path(os.environ.get("LOAD_WRITES", str(ROOT / "var" / "load" / "writes.jsonl")))
_wait = [float(x) for x in os.environ.get("LOAD_WAIT", "5,25").split(",")]
_pools = {
    role: itertools.cycle([p for p in PEOPLE["users"] if p["role"] == role])
    for role in ("grid_worker", "staff", "leader", "organizer")
}
_lock = threading.Lock()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)/"')
GATHERING_LINK = re.compile(r'href="/gatherings/(\d+)/"')
APPLICATION_LINK = re.compile(r'href="/permits/(\d+)/(?:edit/)?"')


def record(kind: str, key: str, status: int, **extra) -> None:
    line = json.dumps({"kind": kind, "key": key, "status": status, "at": time.time(), **extra}, ensure_ascii=False)
    with _lock, WRITES.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


FAILURES = WRITES.with_name("failures.jsonl")


@events.test_start.add_listener
def _start(environment, **_kw):
    WRITES.parent.mkdir(parents=True, exist_ok=True)


@events.request.add_listener
def _failed(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
    """Every failed request with its time, so that the summary can tell the fault windows from the rest."""
    if exception is None:
        return
    status = getattr(response, "status_code", 0) or 0
    line = json.dumps({"at": time.time(), "name": name, "status": status, "error": str(exception)[:200]})
    with _lock, FAILURES.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*_wait)

    def on_start(self) -> None:
        with _lock:
            self.person = next(_pools[self.role])
        self.client.headers["Accept-Language"] = "zh-hans"
        for _attempt in range(3):  # a sign-in cut off (a worker killed, a database restart) is tried again
            page = self.client.get("/accounts/login/", name="login form")
            with self.client.post(
                "/accounts/login/",
                {
                    "csrfmiddlewaretoken": self.csrf(page.text or ""),
                    "username": self.person["username"],
                    "password": PEOPLE["password"],
                },
                name="login (POST)",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    response.success()
                    return
                response.failure(f"login of {self.person['username']} answered {response.status_code}")
            time.sleep(2)

    def csrf(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else self.client.cookies.get("csrftoken", "")

    def page(self, url: str, name: str):
        return self.client.get(url, name=name)

    def post_once_or_resend(self, url: str, data: dict, *, name: str, resend: bool, ok=(302,)):
        """POST; on an error answer or a broken connection, send the same form again once (a person pressing
        the button again, or the phone script's resend), as long as the form carries a key that makes a resend
        safe. Returns the final status (0: no answer)."""
        attempts = 2 if resend else 1
        status = 0
        for attempt in range(attempts):
            with self.client.post(url, data, name=name, allow_redirects=False, catch_response=True) as response:
                status = response.status_code or 0
                if status in ok:
                    response.success()
                    return status
                response.failure(f"{name}: {status}")
            if attempt + 1 < attempts:
                time.sleep(1)
        return status


class GridWorker(Person):
    weight = 60
    role = "grid_worker"

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(2)
    def gathering_list(self) -> None:
        page = self.page("/gatherings/", "gathering list")
        ids = GATHERING_LINK.findall(page.text or "")
        if ids:
            self.page(f"/gatherings/{random.choice(ids)}/", "gathering detail")

    @task(2)
    def log_gathering(self) -> None:
        form = self.page("/gatherings/new/", "gathering form")
        if form.status_code != 200:
            return
        key = str(uuid.uuid4())
        starts = dt.datetime.now() + dt.timedelta(hours=random.randint(1, 48))
        data = {
            "csrfmiddlewaretoken": self.csrf(form.text),
            "idempotency_key": key,
            "kind": "mall_promotion",
            "grid": self.person["grid"],
            "venue": "",
            "location_name": f"压测{key[:8]}",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "estimated_attendance_min": "30",
            "estimated_attendance_max": str(random.randint(50, 200)),
            "source": "grid_patrol",
        }
        status = self.post_once_or_resend("/gatherings/new/", data, name="gathering log (POST)", resend=True)
        record("gathering", key, status)


class DepartmentStaff(Person):
    weight = 60
    role = "staff"

    @task(4)
    def queue(self) -> None:
        page = self.page("/tasks/", "task queue")
        ids = TASK_LINK.findall(page.text or "")
        if ids:
            self.page(f"/tasks/{random.choice(ids)}/", "task detail")
            if self.person.get("head") and random.random() < 0.25:
                self.issue_sheet(random.choice(ids))

    @task(2)
    def overdue(self) -> None:
        self.page("/tasks/?due=overdue", "task queue (overdue)")

    @task(1)
    def api_tasks(self) -> None:
        self.page("/api/v1/tasks/", "API task list")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    def issue_sheet(self, task_id: str) -> None:
        form = self.page(f"/notices/task-sheets/{task_id}/", "task sheet preview")
        if form.status_code != 200:
            return
        key = f"压测交办{uuid.uuid4().hex[:10]}"
        data = {
            "csrfmiddlewaretoken": self.csrf(form.text),
            "recipient": key,
            "note": "",
            "contact": "",
            "action": "issue",
        }
        # No resend: a sheet has no form key, so pressing again would issue a second, numbered document.
        status = self.post_once_or_resend(
            f"/notices/task-sheets/{task_id}/", data, name="task sheet issue (POST)", resend=False
        )
        record("task_sheet", key, status, task=int(task_id))


class Leader(Person):
    weight = 40
    role = "leader"

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def overview(self) -> None:
        self.page("/tasks/overview/", "responsibility overview")

    @task(1)
    def gatherings(self) -> None:
        self.page("/gatherings/", "gathering list")


class Organizer(Person):
    weight = 40
    role = "organizer"

    @task(2)
    def applications(self) -> None:
        page = self.page("/permits/", "application list")
        ids = APPLICATION_LINK.findall(page.text or "")
        if ids:
            self.page(f"/permits/{random.choice(ids)}/", "application detail")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    @task(1)
    def apply(self) -> None:
        form = self.page("/permits/new/", "application form")
        if form.status_code != 200:
            return
        key = f"压测活动{uuid.uuid4().hex[:10]}"
        data = {
            "csrfmiddlewaretoken": self.csrf(form.text),
            "organisation": self.person["organisation"],
            "event_name": key,
            "event_kind": "performance",
            "venue": "",
            "safety_person_name": "李安全",
        }
        status = self.post_once_or_resend("/permits/new/", data, name="application create (POST)", resend=False)
        record("application", key, status)
        if status == 302:
            page = self.page("/permits/", "application list")
            ids = APPLICATION_LINK.findall(page.text or "")
            if ids:
                self.page(f"/permits/{ids[0]}/edit/", "application edit")
