from .worker_support import worker_queue  # noqa: F401  (fixture: a Celery queue of the test's own)
