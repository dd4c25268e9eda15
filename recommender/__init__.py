"""College–enterprise course matching for union-funded worker education (求学圆梦行动)."""

__version__ = "0.1.0"
