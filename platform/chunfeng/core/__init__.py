"""Shared machinery below every domain: the audit log and notifications, the hook signals, the state-machine
helper, time in the platform's zone, the shell's navigation and panels, and request helpers."""


def setup(app) -> None:  # noqa: ARG001 - the core registers nothing of its own
    """Nothing to register: the core's models are imported with every domain's."""
