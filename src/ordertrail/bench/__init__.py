"""Benchmarks behind `ordertrail bench`: figures printed beside a same-run baseline."""
