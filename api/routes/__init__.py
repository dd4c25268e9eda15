"""Thin route modules: parse, authorise, call a service or library function, answer."""
