"""Timed runs at scale. Run all with `make bench` or one with `python -m benchmarks NAME`."""
