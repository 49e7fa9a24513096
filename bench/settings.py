"""Settings of the benchmarks: the project's settings plus a bench-only URLconf (``/bench/minimal/``)."""

from recruitment.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
