__version__ = "0.1.0"  # the release, as in pyproject.toml (manage.py status prints it)
