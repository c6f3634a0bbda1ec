"""Concurrent writers through the services, and the proof that every accepted write stayed.

Each writer is a thread with its own database connection (Django keeps one per thread),
writing in its own transactions through the same services the web UI uses: `goal_add`
(a new row) and `project_update` (a changed row), each with its history record and audit
entry. A write counts as accepted only when its transaction has committed. Afterwards every
accepted write is looked up again: the goal with its exact content, the project title in
the history row of the version that write produced, and the number of rows matches the
number of accepted writes (a failed write left nothing behind). The audit chain is verified
too: concurrent appends must not have forked it.

On SQLite the writers queue on the database's write lock (IMMEDIATE transactions,
busy_timeout); on PostgreSQL they lock the project row (select_for_update) so the version
each update read is the version it replaced.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.utils import OperationalError

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import GoalIndicator, Project
from taizhang.campaigns.permissions import FINAL_STATUSES
from taizhang.core.audit import verify_chain
from taizhang.users.models import User

KINDS = ("goal", "title")


@dataclass
class Accepted:
    kind: str
    writer: int
    project_id: int
    text: str
    goal_id: int | None = None
    target: str | None = None
    version: int | None = None


@dataclass
class LoadReport:
    vendor: str
    writers: int
    seconds: float
    kinds: list[str]
    accepted: int = 0
    writes_per_second: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    locked_errors: int = 0
    missing: list[str] = field(default_factory=list)
    audit_ok: bool = False
    audit_entries: int = 0
    audit_problems: list[str] = field(default_factory=list)
    latency_ms_p50: float = 0.0
    latency_ms_p99: float = 0.0
    latency_ms_max: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.accepted > 0
            and not self.errors
            and not self.missing
            and self.locked_errors == 0
            and self.audit_ok
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class _Writer(threading.Thread):
    def __init__(
        self,
        number: int,
        *,
        actor_id: int,
        project_ids: list[int],
        deadline: float,
        kinds: tuple[str, ...],
        seed: int,
        token: str,
        start: threading.Barrier,
    ) -> None:
        super().__init__(name=f"writer-{number}", daemon=True)
        self.number = number
        self.actor_id = actor_id
        self.project_ids = project_ids
        self.deadline = deadline
        self.kinds = kinds
        self.rng = random.Random(seed * 1000 + number)
        self.start_barrier = start
        self.token = token
        self.accepted: list[Accepted] = []
        self.errors: list[str] = []
        self.locked = 0
        self.latencies: list[float] = []

    def run(self) -> None:
        try:
            actor = User.objects.get(pk=self.actor_id)
            self.start_barrier.wait()
            serial = 0
            while time.monotonic() < self.deadline:
                serial += 1
                kind = self.rng.choice(self.kinds)
                project_id = self.rng.choice(self.project_ids)
                started = time.perf_counter()
                try:
                    result = self._write(kind, actor, project_id, serial)
                except OperationalError as exc:
                    if "locked" in str(exc) or "busy" in str(exc):
                        self.locked += 1
                    self.errors.append(f"{self.name} {kind}: {exc!r}")
                    continue
                except Exception as exc:  # noqa: BLE001 — every failure is reported
                    self.errors.append(f"{self.name} {kind}: {exc!r}")
                    continue
                # Only a committed transaction gets here: the write was accepted.
                self.latencies.append((time.perf_counter() - started) * 1000)
                self.accepted.append(result)
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"{self.name} setup: {exc!r}")
        finally:
            connection.close()

    def _write(self, kind: str, actor: User, project_id: int, serial: int) -> Accepted:
        text = f"{self.token}-W{self.number:02d}-{serial:06d}"
        with transaction.atomic():
            # SQLite: the IMMEDIATE transaction already holds the write lock; PostgreSQL:
            # the row lock makes the version read here the one this write replaces.
            project = (
                Project.objects.select_for_update(of=("self",))
                .select_related("campaign", "org", "lead")
                .get(pk=project_id)
            )
            if kind == "goal":
                target = f"{self.rng.randint(1, 9999)}.{self.rng.randint(0, 99):02d}"
                goal = campaign_services.goal_add(
                    actor=actor,
                    project=project,
                    data=campaign_services.GoalInput(
                        name=f"压测指标 {text}", target=target, baseline="0", unit="万元"
                    ),
                )
                return Accepted(kind, self.number, project_id, goal.name, goal.pk, target)
            title = f"压测标题 {text}"
            project = campaign_services.project_update(
                actor=actor, project=project, title=title, reason="load test"
            )
            return Accepted(kind, self.number, project_id, title, version=project.lock_version)


def run_writers(
    *,
    writers: int = 16,
    seconds: float = 10.0,
    kinds: tuple[str, ...] = KINDS,
    seed: int = 1,
    actor_username: str = "bench_group_admin",
    projects: int = 200,
) -> LoadReport:
    """Run `writers` threads for `seconds`, then check every accepted write is there."""
    actor = User.objects.get(username=actor_username)
    project_ids = list(
        Project.objects.exclude(status__in=FINAL_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)[:projects]
    )
    if not project_ids:
        raise RuntimeError("no open project to write to: run `taizhang bench-data` first")
    # Tells this run's rows from an earlier run's on the same database.
    token = f"{seed}.{time.time_ns() % 10**9:09d}"
    # The main thread's connection must not hold anything while the writers run.
    connection.close()
    barrier = threading.Barrier(writers + 1)
    threads: list[_Writer] = []
    # The real deadline is set once every writer is connected, so start-up does not count.
    start_at = time.monotonic() + 3600
    for number in range(writers):
        thread = _Writer(
            number,
            actor_id=actor.pk,
            project_ids=project_ids,
            deadline=start_at,
            kinds=kinds,
            seed=seed,
            token=token,
            start=barrier,
        )
        threads.append(thread)
        thread.start()
    barrier.wait()
    began = time.monotonic()
    for thread in threads:
        thread.deadline = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began

    report = LoadReport(
        vendor=connection.vendor, writers=writers, seconds=round(elapsed, 2), kinds=list(kinds)
    )
    accepted = [a for t in threads for a in t.accepted]
    latencies = [ms for t in threads for ms in t.latencies]
    report.accepted = len(accepted)
    report.writes_per_second = round(len(accepted) / elapsed, 1) if elapsed else 0.0
    report.by_kind = dict(Counter(a.kind for a in accepted))
    report.errors = [e for t in threads for e in t.errors]
    report.locked_errors = sum(t.locked for t in threads)
    report.latency_ms_p50 = round(_percentile(latencies, 0.5), 1)
    report.latency_ms_p99 = round(_percentile(latencies, 0.99), 1)
    report.latency_ms_max = round(max(latencies, default=0.0), 1)
    report.missing = check_accepted(accepted, token=token)
    result = verify_chain()
    report.audit_ok = result.ok
    report.audit_entries = result.entries
    report.audit_problems = [p.message for p in result.problems[:20]]
    return report


def check_accepted(accepted: list[Accepted], *, token: str) -> list[str]:
    """Every accepted write, looked up again; returns what is missing or different."""
    missing: list[str] = []
    goals = [a for a in accepted if a.kind == "goal"]
    stored = {
        row["pk"]: row
        for row in GoalIndicator.all_objects.filter(pk__in=[a.goal_id for a in goals]).values(
            "pk", "name", "target", "project_id", "deleted_at"
        )
    }
    for item in goals:
        row = stored.get(item.goal_id)
        if row is None:
            missing.append(f"goal #{item.goal_id} ({item.text}) is gone")
        elif (
            row["name"] != item.text
            or row["project_id"] != item.project_id
            or row["target"] != Decimal(item.target or "0")
            or row["deleted_at"] is not None
        ):
            missing.append(f"goal #{item.goal_id} differs: {row} vs {item}")
    total_goals = GoalIndicator.all_objects.filter(name__startswith=f"压测指标 {token}-").count()
    if total_goals != len(goals):
        missing.append(f"{total_goals} load-test goals stored, {len(goals)} accepted")

    titles = [a for a in accepted if a.kind == "title"]
    history = {
        (row["id"], row["lock_version"]): row["title"]
        for row in Project.history.filter(
            id__in={a.project_id for a in titles}, title__startswith=f"压测标题 {token}-"
        ).values("id", "lock_version", "title")
    }
    for item in titles:
        if history.get((item.project_id, item.version)) != item.text:
            missing.append(
                f"project #{item.project_id} v{item.version}: history has "
                f"{history.get((item.project_id, item.version))!r}, accepted {item.text!r}"
            )
    if len(history) != len(titles):
        missing.append(f"{len(history)} title versions in history, {len(titles)} accepted")
    # Each project's current title is the one its newest accepted update wrote.
    newest: dict[int, Accepted] = {}
    for item in titles:
        if item.project_id not in newest or (item.version or 0) > (
            newest[item.project_id].version or 0
        ):
            newest[item.project_id] = item
    current = dict(Project.all_objects.filter(pk__in=newest).values_list("pk", "title"))
    for project_id, item in newest.items():
        if current.get(project_id) != item.text:
            missing.append(
                f"project #{project_id}: title {current.get(project_id)!r}, last accepted "
                f"{item.text!r}"
            )
    return missing
