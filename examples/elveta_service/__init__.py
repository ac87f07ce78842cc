"""Elveta's customer service on SQLAlchemy 2.0, with a FastAPI front (optional).

Its models are tagged where they are declared (``models.py``); the data
sources, the access package, the erasure and the retention job are built from
the same classes (``service.py``); ``api.py`` projects a customer per request
and purpose. The scripts beside them run each task against a fresh SQLite
database::

    cd examples && python -m elveta_service.answer_access_request

All people in it are invented.
"""
