"""春风 (Chunfeng): the clinical innovation intake, review and matching platform.

The application factory lives in `chunfeng.factory`; it is loaded on first use so that plain-Python parts such as
the matching engine (`chunfeng.textengine.engine`) can be imported, benchmarked and evaluated without Flask.
"""

from __future__ import annotations

_FACTORY_NAMES = frozenset({"create_app", "import_models", "DOMAINS", "translation_directories"})


def __getattr__(name: str):
    if name in _FACTORY_NAMES:
        from . import factory

        return getattr(factory, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
