"""The Job and CronJob controllers: pods run to completion (``completions``, ``parallelism``,
``backoffLimit``), and Jobs made on a cron schedule in simulated time."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from kubetui.sim.clock import parse_time
from kubetui.sim.errors import ApiError

from .base import Key, Obj, meta, owner_ref
from .workloads import _OwnerController

JOB = "jobs.batch"
CRONJOB = "cronjobs.batch"


def _condition(kind: str, reason: str, message: str, stamp: str) -> Obj:
    return {
        "type": kind,
        "status": "True",
        "reason": reason,
        "message": message,
        "lastProbeTime": stamp,
        "lastTransitionTime": stamp,
    }


def job_finished(job: Obj) -> bool:
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


class JobController(_OwnerController):
    name = "job-controller"
    rtypes = (JOB, "pods")
    owner_key = JOB
    owner_kind = "Job"
    name_stream = "job-pods/"

    async def reconcile(self, key: Key) -> None:
        job = self.store.get(JOB, *key)
        if job is None or job_finished(job):
            return
        spec = job.get("spec") or {}
        completions = spec.get("completions")
        need = int(completions) if completions is not None else 1
        parallelism = int(spec.get("parallelism", 1) if spec.get("parallelism") is not None else 1)
        backoff = int(spec.get("backoffLimit", 6) if spec.get("backoffLimit") is not None else 6)
        pods = self.pods_of(job)
        phase = [((p.get("status") or {}).get("phase"), p) for p in pods]
        succeeded = sum(1 for ph, _ in phase if ph == "Succeeded")
        failed = sum(1 for ph, _ in phase if ph == "Failed")
        active = [
            p for ph, p in phase if ph not in ("Succeeded", "Failed") and not meta(p).get("deletionTimestamp")
        ]
        stamp = self.clock.stamp()
        status = dict(job.get("status") or {})
        status.setdefault("startTime", stamp)
        conditions = list(status.get("conditions") or [])
        if succeeded >= need:
            conditions += [
                _condition(
                    "SuccessCriteriaMet",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                    stamp,
                ),
                _condition(
                    "Complete", "CompletionsReached", "Reached expected number of succeeded pods", stamp
                ),
            ]
            status["completionTime"] = stamp
        elif failed > backoff:
            conditions += [
                _condition(
                    "FailureTarget",
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                    stamp,
                ),
                _condition(
                    "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", stamp
                ),
            ]
        created = 0
        if succeeded < need and failed <= backoff and not spec.get("suspend"):
            for _ in range(max(0, min(parallelism, need - succeeded) - len(active))):
                created += self._create_job_pod(job)
        ready = sum(
            1
            for p in active
            if any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in (p.get("status") or {}).get("conditions") or []
            )
        )
        status.update(
            active=len(active) + created,
            succeeded=succeeded,
            failed=failed,
            ready=ready,
            conditions=conditions,
        )
        status = {k: v for k, v in status.items() if v or k == "ready"}
        job = self.store.get(JOB, *key)
        if job is not None and status != (job.get("status") or {}):
            self.store.update(JOB, {**job, "status": status}, check_version=False, subresource="status")

    def _create_job_pod(self, job: Obj) -> bool:
        m = meta(job)
        template = copy.deepcopy((job.get("spec") or {}).get("template") or {})
        labels = {
            **((template.get("metadata") or {}).get("labels") or {}),
            "batch.kubernetes.io/controller-uid": m["uid"],
            "batch.kubernetes.io/job-name": m["name"],
            "controller-uid": m["uid"],
            "job-name": m["name"],
        }
        pod: Obj = {
            "metadata": {
                "name": f"{m['name']}-{self.clock.suffix(self.name_stream + m['name'])}",
                "generateName": f"{m['name']}-",
                "namespace": m.get("namespace") or "default",
                "labels": labels,
                "ownerReferences": [owner_ref(job)],
            },
            "spec": template.get("spec") or {},
        }
        return self._create(job, pod)


# -- cron --------------------------------------------------------------------------------------------------------

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}  # fmt: skip


def parse_cron(text: str) -> list[set[int]]:
    """The five fields of a standard cron schedule as sets of allowed values; ValueError when malformed."""
    fields = _MACROS.get(text.strip(), text).split()
    if len(fields) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(fields)}: {text}")
    out = []
    for field, (low, high) in zip(fields, _RANGES, strict=True):
        allowed: set[int] = set()
        for part in field.split(","):
            base, _, step_text = part.partition("/")
            step = int(step_text) if step_text else 1
            if base in ("*", "?"):
                start, end = low, high
            elif "-" in base:
                start, end = (int(x) for x in base.split("-", 1))
            else:
                start = int(base)
                end = high if step_text else start
            if start < low or end > high or step < 1:
                raise ValueError(f"value out of range in {field!r}")
            allowed.update(range(start, end + 1, step))
        out.append(allowed)
    out[4] = {d % 7 for d in out[4]}
    return out


def next_run(fields: list[set[int]], after: datetime) -> datetime:
    """The first minute strictly after ``after`` that the schedule allows (searching up to a year ahead)."""
    t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 60):
        weekday = (t.weekday() + 1) % 7  # cron counts Sunday as 0
        if (
            t.minute in fields[0]
            and t.hour in fields[1]
            and t.day in fields[2]
            and t.month in fields[3]
            and weekday in fields[4]
        ):
            return t
        t += timedelta(minutes=1)
    raise ValueError("no time matches the schedule within a year")


class CronJobController(_OwnerController):
    """Makes a Job at each scheduled time. Simulated time runs ``speed`` times faster from the CronJob's
    creation, so at speed 60 an hourly schedule fires every minute of wall-clock time."""

    name = "cronjob-controller"
    rtypes = (CRONJOB, JOB)
    owner_key = CRONJOB
    owner_kind = "CronJob"

    def _sim_now(self, created: float) -> float:
        return created + (self.clock.now() - created) * self.clock.speed

    async def reconcile(self, key: Key) -> None:
        cj = self.store.get(CRONJOB, *key)
        if cj is None or meta(cj).get("deletionTimestamp"):
            return
        spec, status = cj.get("spec") or {}, dict(cj.get("status") or {})
        try:
            fields = parse_cron(str(spec.get("schedule", "")))
        except ValueError:
            return  # the API server validates schedules; a bad one is never run
        created = parse_time(meta(cj).get("creationTimestamp")) or self.clock.now()
        last = parse_time(status.get("lastScheduleTime")) or created
        sim_now = self._sim_now(created)
        due = next_run(fields, datetime.fromtimestamp(last, UTC)).timestamp()
        jobs = [self.store.get(JOB, ns, name) for ns, name in self.cluster.index.owned(meta(cj)["uid"], JOB)]
        active = [j for j in jobs if j is not None and not job_finished(j)]
        if due <= sim_now and not spec.get("suspend"):
            if not (spec.get("concurrencyPolicy") == "Forbid" and active):
                job = self._create_job(cj, due)
                if job is not None:
                    active.append(job)
            status["lastScheduleTime"] = datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            due = next_run(fields, datetime.fromtimestamp(due, UTC)).timestamp()
        status["active"] = [
            {"kind": "Job", "namespace": meta(j).get("namespace"), "name": meta(j)["name"], "uid": meta(j)["uid"],
             "apiVersion": "batch/v1"}
            for j in active
        ]  # fmt: skip
        status = {k: v for k, v in status.items() if v}
        if status != (cj.get("status") or {}):
            self.store.update(CRONJOB, {**cj, "status": status}, check_version=False, subresource="status")
        self.enqueue_after(key, max(0.01, due - sim_now))

    def _create_job(self, cj: Obj, scheduled: float) -> Obj | None:
        m = meta(cj)
        template = copy.deepcopy((cj.get("spec") or {}).get("jobTemplate") or {})
        name = f"{m['name']}-{int(scheduled // 60)}"  # as the real controller names them: minutes since epoch
        job = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": name,
                "namespace": m.get("namespace") or "default",
                "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                "annotations": {
                    "batch.kubernetes.io/cronjob-scheduled-timestamp": datetime.fromtimestamp(
                        scheduled, UTC
                    ).strftime("%Y-%m-%dT%H:%M:%SZ")
                },
                "ownerReferences": [owner_ref(cj)],
            },
            "spec": template.get("spec") or {},
        }
        try:
            created = self.store.create(JOB, job)
        except ApiError as exc:
            if exc.code == 409:
                return None
            raise
        self.cluster.events.record(cj, "SuccessfulCreate", f"Created job {name}", component=self.name)
        return created
