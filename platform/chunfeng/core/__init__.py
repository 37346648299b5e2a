"""Shared machinery below every domain: the audit log and notifications, the hook signals, the state-machine
helper, time in the platform's zone, the shell's navigation and panels, figures kept a little while (`recent`),
pieces of pages drawn once for what they show (`fragments`) and request helpers."""


def setup(app) -> None:
    from . import fragments, recent

    recent.register()
    fragments.setup(app)
