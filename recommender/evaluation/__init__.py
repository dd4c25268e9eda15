"""Metrics and benchmark runs: one metrics module for tests, benchmarks and notebooks alike."""
