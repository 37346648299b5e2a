"""Operator commands: `flask refresh-matches` refits the stored index, recomputes every stored match and embeds the
experts' documents waiting for it (schedule it, e.g. nightly, and every few minutes with --if-stale); `flask
match-index-status` tells how stale the index is."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("refresh-matches")
@click.option("--if-stale", is_flag=True,
              help="Only when no index exists or the share of new terms passed MATCH_REFIT_NEW_TERMS.")
@with_appcontext
def refresh_matches(if_stale: bool) -> None:
    """Refit the match index, recompute the top-k matches of every matchable project and approved profile and
    embed the experts' documents waiting for it."""
    from . import store
    from .refresh import refresh_matches as refresh

    if if_stale and not (state := store.status()).stale:
        click.echo(f"Index version {state.version} is fresh (new-term share {state.new_term_share:.3f} <= "
                   f"{state.threshold:.3f}): nothing to do.")
        _embed_expert_documents()
        return
    started = time.perf_counter()
    previous = store.newest_version()
    counts = refresh(refit=True)
    db.session.commit()
    if previous is not None and (rechecked := _recheck_near_duplicates(since=previous[1])):
        click.echo(f"Near duplicates checked again for {rechecked} project{'s' * (rechecked != 1)} changed since "
                   "the last fit.")
    _embed_expert_documents()
    version = store.status().version
    click.echo(f"{counts.rows} matches stored for {counts.projects} projects and {counts.profiles} profiles "
               f"({counts.explained} explained) with index version {version} "
               f"in {time.perf_counter() - started:.2f} s.")


def _recheck_near_duplicates(since) -> int:
    """Projects whose sections changed since the last fit were checked for near duplicates before their sections
    had an embedding (a request does not embed): the refit embedded them, so check them again, in other words
    too."""
    from sqlalchemy import select

    from ..submissions.models import Project
    from ..submissions.services import refresh_similar
    from .documents import NOT_INDEXED, PROJECTS
    from .models import MatchDocument

    changed = select(MatchDocument.owner_id).where(MatchDocument.side == PROJECTS, MatchDocument.updated_at > since)
    projects = db.session.scalars(
        select(Project).where(Project.id.in_(changed), Project.status.not_in(NOT_INDEXED))).all()
    count = 0
    for project in projects:
        refresh_similar(project)
        count += 1
    db.session.commit()
    return count


def _embed_expert_documents() -> None:
    """The experts' documents changed since the last run (a profile, a submitted review), or stored by a proposal
    made in a request, get their embedding (expert assignment's semantic stage)."""
    from ..reviews.affinity import expertise_documents
    from . import store

    embedded = store.refresh_expert_documents(expertise_documents())
    db.session.commit()
    if embedded:
        click.echo(f"{embedded} expert documents embedded.")


@click.command("match-index-status")
@with_appcontext
def match_index_status() -> None:
    """Print the stored index's version, when it was fitted, what changed since and the share of new terms."""
    from . import store

    state = store.status()
    if state.version is None:
        click.echo("No match index has been fitted yet: run `flask refresh-matches`.")
        return
    click.echo(f"version: {state.version}\nfitted_at: {state.fitted_at:%Y-%m-%d %H:%M:%S} UTC "
               f"({state.fit_ms} ms)\nfitted over: {state.profiles} profiles, {state.projects} projects, "
               f"{state.documents} documents, {state.terms} terms\n"
               f"changed since: {state.changed_documents} documents of {state.changed_owners} owners\n"
               f"waiting for an embedding: {state.unembedded} documents\n"
               f"new-term share: {state.new_term_share:.3f} (refit above {state.threshold:.3f})\n"
               f"stale: {'yes' if state.stale else 'no'}")


COMMANDS = [refresh_matches, match_index_status]
