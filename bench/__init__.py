"""The benchmark suite (``make bench``): never part of ``make test``. See bench/run.py."""
