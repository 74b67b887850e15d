"""The real bot (``bot.cli.main``) with a fast reminder tick, for the SIGKILL trials:
``python -m tests.reliability.run_bot --tick 0.2 run --config F``.

Production ticks every 15 s (first tick 5 s after start); a trial that kills the bot
twenty times in the middle of a dispatch cannot wait for that. Only the dispatcher's
operating limits change (tick, first tick); everything else is ``python -m bot``.
"""

from __future__ import annotations

import functools
import sys
from datetime import timedelta

from bot.reminders import dispatcher
from bot.reminders.limits import DispatchLimits


def main(argv: list[str]) -> int:
    tick = 0.2
    if argv[:1] == ["--tick"]:
        tick, argv = float(argv[1]), argv[2:]
    seconds = timedelta(seconds=tick)
    dispatcher.DispatchLimits = functools.partial(  # type: ignore[misc]
        DispatchLimits, tick=seconds, first_tick=seconds)
    from bot.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
