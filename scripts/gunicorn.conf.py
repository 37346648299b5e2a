"""Gunicorn settings shared by every way the app is served (scripts/run, the load test, the two-node check, and
the deployment in README): `gunicorn -c scripts/gunicorn.conf.py "chunfeng:create_app()"`."""

import gc


def post_worker_init(worker) -> None:
    """Once the worker has built the app, its start-up objects (the app, its libraries, the translations, the
    stored match index) are moved out of the garbage collector's reach: otherwise a full collection pass over them
    lands on a request now and then and sets the slowest requests' time."""
    gc.collect()
    gc.freeze()
