"""The HTTP API (django-ninja), mounted at ``/api/v1/``.

``main.api`` assembles the routers that each app keeps in its own ``api.py``; this package
holds what they share: authentication (``auth``), the error shape (``errors``) and common
schemas (``schemas``).
"""
