"""CLI subcommands; see ``recommender.cli``."""
