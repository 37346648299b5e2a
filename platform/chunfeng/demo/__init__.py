"""The demo: realistic Chinese data for every domain, apart from the production modules. `flask seed-demo` runs
it; each domain's part is a module here with `seed(people, extra_projects=0, extra_companies=0)`."""

from __future__ import annotations

import importlib
import secrets

from ..accounts.models import AccountStatus
from ..accounts.services import create_user
from ..extensions import db
from .people import DEMO_PEOPLE, DemoPeople, already_seeded, write_logins

# In the order the domains build on each other.
PARTS = ("submissions", "reviews", "matching", "incubation", "providers", "catalogue", "community")


def run(extra_projects: int = 0, extra_companies: int = 0) -> bool:
    """Fill an empty database (does nothing to an already seeded one); True when it seeded."""
    if already_seeded():
        return False
    people = DemoPeople(password=f"demo-{secrets.token_urlsafe(9)}")
    for role, email, name, org, province, department, title in DEMO_PEOPLE:
        people.by_email[email] = create_user(
            email=email, name=name, password=people.password, role=role, organization=org, province=province,
            department=department, title=title, status=AccountStatus.ACTIVE,
        )
    db.session.commit()
    for part in PARTS:
        importlib.import_module(f"{__name__}.{part}").seed(
            people, extra_projects=extra_projects, extra_companies=extra_companies)
        db.session.commit()
    write_logins(people)
    return True
