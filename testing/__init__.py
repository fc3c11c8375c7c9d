"""Test and benchmark tooling, not part of the installed product: a live gunicorn server on a
loopback port, a throwaway nginx in front of it, settings with fault switches and fast password
hashing, and the small served county the fault tests run against. Used by bianmin's tests (the
repository root is on their path) and by bench/."""
