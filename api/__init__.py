"""The HTTP service: one FastAPI app over the ``recommender`` library, with persistence, auth and operations.

The library stays free of web and storage concerns; this package calls its functions. Start it with
``recommender serve`` or build it in Python with :func:`api.main.create_app`.
"""
