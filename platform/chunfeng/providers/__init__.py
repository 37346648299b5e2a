"""Service providers (testing labs, clinical trial sites, CROs, CDMOs), their service requests, and matchmaking
days (对接会)."""


def setup(app) -> None:
    return None
