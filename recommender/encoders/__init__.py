"""Text encoders behind one small interface; see ``recommender.encoders.base``."""
