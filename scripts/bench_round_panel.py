#!/usr/bin/env python3
"""The administrator's round page (the panel overview) at scale, in-process.

    .venv/bin/python scripts/bench_round_panel.py                      # 200 projects x 3 reviews, 50 requests
    .venv/bin/python scripts/bench_round_panel.py --projects 30 --requests 20

A fresh SQLite database in a temporary folder: an administrator, twelve experts, twenty clinicians, the reference
rubric, one open round with the projects in it, each project reviewed by three experts (submitted through
reviews.reviewing.save, as the review form does). Then GET /reviews/rounds/<id> with the Flask test client,
signed in as the administrator: prints the wall-clock p50, p95 and max in milliseconds, the CPU time of the
process per request (less sensitive to other work on the machine) and the SQL statements per request.

Before timing, the objects alive after the build (the app, its libraries, the build's leftovers) are frozen out of
the garbage collector (gc.freeze), as a server worker that froze its heap after start-up would have it; without
that (--no-freeze) the collector's full passes over the whole heap of this one process show in the p95.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from sqlalchemy import event  # noqa: E402

from chunfeng import create_app, import_models  # noqa: E402
from chunfeng.accounts.models import AccountStatus, Role, User  # noqa: E402
from chunfeng.accounts.services import create_user  # noqa: E402
from chunfeng.db import db  # noqa: E402
from chunfeng.reviews import services  # noqa: E402
from chunfeng.reviews.models import Assignment, AssignmentStatus, Review  # noqa: E402
from chunfeng.reviews.reviewing import ReviewInput, save  # noqa: E402
from chunfeng.submissions.models import DeviceClass, Project, ProjectVersion, Stage  # noqa: E402
from chunfeng.submissions.services import project_fields  # noqa: E402
from chunfeng.submissions.status import Event, Status, apply  # noqa: E402

PASSWORD = "bench password 2026"  # noqa: S105 - a throwaway account in a temporary database
SPECIALTIES = ("神经介入科", "心血管内科", "眼科", "骨科", "呼吸与危重症医学科", "普通外科")


def person(role: Role, n: int) -> User:
    return create_user(email=f"{role.value}{n}@bench.cn", name=f"{role.value} {n}", password=PASSWORD, role=role,
                       organization=f"医院 {n % 20}", status=AccountStatus.ACTIVE)


def project(owner: User, n: int, rng: random.Random) -> Project:
    specialty = rng.choice(SPECIALTIES)
    item = Project(owner=owner, status=Status.DRAFT, attests_no_patient_data=True, title=f"项目 {n:03d}",
                   specialty=specialty, device_class=rng.choice([DeviceClass.II, DeviceClass.III]),
                   stage=Stage.PROTOTYPE, public_summary=f"{specialty}的医疗器械创意 {n}", need_problem="临床问题",
                   need_population="患者", need_outcome="改善预后", current_practice="现有做法",
                   solution="方案", innovation_points="创新点", team="项目负责人，主任医师")
    db.session.add(item)
    db.session.flush()
    content = {"fields": project_fields(item), "attachments": [],
               "submitter": {"id": owner.id, "name": owner.name, "organization": owner.org_name}}
    item.versions.append(ProjectVersion(number=1, content=content, created_by_id=owner.id,
                                        sha256=hashlib.sha256(json.dumps(content, sort_keys=True).encode())
                                        .hexdigest()))
    db.session.flush()
    apply(item, Event.SUBMIT, owner)
    return item


def build(projects: int, reviews: int, seed: int) -> int:
    rng = random.Random(seed)
    admin = person(Role.ADMIN, 0)
    experts = [person(Role.EXPERT, n) for n in range(1, 13)]
    clinicians = [person(Role.CLINICIAN, n) for n in range(1, 21)]
    db.session.commit()
    today = date.today()
    round_ = services.create_round(services.RoundSettings(
        name="压测批次", opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=10),
        review_deadline=today + timedelta(days=30), experts_per_project=reviews), admin)
    services.change_round_status(round_, "open", admin)
    rubric = round_.rubric
    for n in range(projects):
        item = project(clinicians[n % len(clinicians)], n, rng)
        services.pass_formal_check(item, admin, round_)
        for expert in rng.sample(experts, reviews):
            assignment = Assignment(round=round_, project=item, expert=expert, version_id=item.latest_version.id,
                                    status=AssignmentStatus.ACCEPTED, assigned_by_id=admin.id)
            assignment.review = Review(rubric=rubric)
            db.session.add(assignment)
            db.session.flush()
            answers = ReviewInput({c.key: rng.randint(2, 5) for c in rubric.criteria},
                                  {g.key: rng.random() > 0.05 for g in rubric.gates}, rng.randint(2, 5), 1,
                                  "评审意见", "")
            save(assignment, answers, expert, submit=True)
        if n % 3 == 0:  # a third decided, as in a panel under way
            entry = services.entry_for(round_, item)
            services.decide(round_, entry, services.DecisionInput(services.Outcome.NOT_SELECTED, [],
                                                                  "专家会议讨论", ""), admin)
        if n % 25 == 24:
            db.session.commit()
    db.session.commit()
    return round_.id


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--reviews", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-freeze", action="store_true",
                        help="leave the objects of the build to the garbage collector (its full passes then show "
                             "in the p95)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "INSTANCE_PATH": f"{folder}/instance", "UPLOAD_FOLDER": f"{folder}/uploads",
            "BACKUP_FOLDER": f"{folder}/backups", "WTF_CSRF_ENABLED": False, "SESSION_IDLE_MINUTES": 0,
            "SESSION_MAX_HOURS": 0,
        })
        with app.app_context():
            import_models()
            db.create_all()
            started = time.perf_counter()
            round_id = build(args.projects, args.reviews, args.seed)
            print(f"built {args.projects} projects x {args.reviews} reviews in {time.perf_counter() - started:.1f} s")
            statements = []
            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        client = app.test_client()
        assert client.post("/account/login", data={"email": "admin0@bench.cn", "password": PASSWORD}).status_code == 302
        url = f"/reviews/rounds/{round_id}"
        assert client.get(url).status_code == 200  # warm-up: templates compiled, caches filled
        if not args.no_freeze:  # as a server worker: the long-lived heap (app, libraries) out of the collector's way
            gc.collect()
            gc.freeze()
        times, cpu, counts = [], [], []
        for _ in range(args.requests):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            counts.append(len(statements))
            assert response.status_code == 200
        print(f"GET {url} x {args.requests}: wall p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
              f"max {max(times):.1f} ms; CPU p50 {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms; "
              f"{min(counts)}-{max(counts)} SQL statements per request; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
