"""Development tooling, never imported by the product: the Bot API emulator (the tests'
double), the playground (the bot in a browser) and the demo-data seeder.

Product code (``bot/`` outside this folder, ``handlers/``, ``conversations/``, ``storage/``)
must not import from here; ruff's banned-api rule (TID251) enforces it.
"""
