"""Settings, security primitives, logging and metrics shared by the whole service."""
