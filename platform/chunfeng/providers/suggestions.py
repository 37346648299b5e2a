"""Providers suggested for an incubated project: the text engine ranks the approved providers of the kinds a
milestone needs against the project (a small index built per request over the approved providers), after the
structured filters (device class, region, specialty, category). Each suggestion carries its labelled reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..incubation.involvement import granted_organization_ids
from ..incubation.models import Incubation, MilestoneKey
from ..matching.common import profile_of as company_profile_of
from ..submissions.models import DeviceClass, Project
from ..textengine.index import Doc, MatchIndex
from .labels import FIELD_LABELS
from .models import ProviderKind, ProviderProfile
from .profiles import TEXT_FIELDS, approved_profiles

# The milestone a kind of provider serves.
MILESTONE_KINDS: dict[MilestoneKey, tuple[ProviderKind, ...]] = {
    MilestoneKey.REGISTRATION_TESTING: (ProviderKind.LAB,),
    MilestoneKey.CLINICAL_EVALUATION: (ProviderKind.TRIAL_SITE, ProviderKind.CRO),
    MilestoneKey.REGISTRATION_SUBMISSION: (ProviderKind.CDMO,),
}
PER_MILESTONE = 3


@dataclass(frozen=True)
class Filters:
    device_class: str = ""
    region: str = ""
    specialty: str = ""
    category: str = ""

    def keep(self, provider: ProviderProfile) -> bool:
        if self.device_class and self.device_class != DeviceClass.UNKNOWN and provider.device_classes \
                and self.device_class not in provider.device_classes:
            return False
        if self.region and provider.region != self.region:
            return False
        if self.specialty and self.specialty not in provider.specialties:
            return False
        return not self.category or self.category in (provider.categories + provider.summary)


@dataclass(frozen=True)
class Suggestion:
    provider: ProviderProfile
    score: float
    reasons: tuple[tuple[str, str], ...] = field(default=())  # (term, field label)


def project_text(project: Project) -> str:
    return "\n".join(t for t in (project.title, project.specialty, project.public_summary, project.need_problem,
                                 project.device_type) if t)


def provider_docs(provider: ProviderProfile) -> list[Doc]:
    docs = [Doc(provider.id, name, getattr(provider, name)) for name in TEXT_FIELDS if getattr(provider, name)]
    return docs or [Doc(provider.id, "name", provider.name)]


def rank(text: str, providers: list[ProviderProfile]) -> list[Suggestion]:
    """The providers ranked by the engine for the text; those sharing no term follow, with no reasons."""
    if not providers:
        return []
    index = MatchIndex.build([d for p in providers for d in provider_docs(p)], embedder=None)
    by_id = {p.id: p for p in providers}
    ranked = [Suggestion(by_id[m.target_id], m.lexical,  # BM25: the combined score needs embeddings
                         tuple((r.term, str(FIELD_LABELS.get(r.field, r.field))) for r in m.reasons))
              for m in index.match(text, k=len(providers), n_reasons=3) if m.target_id in by_id]
    seen = {s.provider.id for s in ranked}
    return ranked + [Suggestion(p, 0.0) for p in providers if p.id not in seen]


def has_manufacturer(incubation: Incubation) -> bool:
    """Whether a company holding the clinician's grant says it manufactures (then no CDMO is suggested)."""
    for org_id in granted_organization_ids(incubation.project):
        profile = company_profile_of(org_id)
        if profile is not None and profile.is_approved and profile.manufacturing_capability.strip():
            return True
    return False


def kinds_for(incubation: Incubation, key: MilestoneKey) -> tuple[ProviderKind, ...]:
    if key == MilestoneKey.REGISTRATION_SUBMISSION and has_manufacturer(incubation):
        return ()
    return MILESTONE_KINDS.get(key, ())


def suggest(incubation: Incubation, key: MilestoneKey, filters: Filters | None = None,
            limit: int | None = PER_MILESTONE) -> list[Suggestion]:
    kinds = kinds_for(incubation, key)
    if not kinds:
        return []
    project = incubation.project
    filters = filters or Filters(device_class=str(project.device_class))
    providers = [p for p in approved_profiles(kinds) if filters.keep(p)]
    ranked = rank(project_text(project), providers)
    return ranked[:limit] if limit else ranked


def suggestions_by_milestone(incubation: Incubation) -> dict[MilestoneKey, list[Suggestion]]:
    """For each open milestone a provider serves (the submission only when no connected company manufactures): the
    best few providers."""
    found = {}
    for milestone in incubation.milestones:
        if milestone.closed or not kinds_for(incubation, milestone.key):
            continue
        found[milestone.key] = suggest(incubation, milestone.key)
    return found
