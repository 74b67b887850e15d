"""Shipped content the bot sends as it is: the weekly pregnancy messages (Bahasa Indonesia).

The files live inside the package, so an installed wheel carries them
(``[tool.setuptools.package-data]``), and are read with :mod:`importlib.resources`,
never through a path relative to a checkout. See ``README.md`` here for the rules of
what the content may say.
"""
