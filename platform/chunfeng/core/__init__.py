"""Shared machinery below every domain: the audit log and notifications, the hook signals, the state-machine
helper, time in the platform's zone, the shell's navigation and panels, figures kept a little while (`recent`), and
request helpers."""


def setup(app) -> None:  # noqa: ARG001 - the core's models are imported with every domain's
    from . import recent

    recent.register()
