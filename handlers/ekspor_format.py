"""/ekspor eppgbm, /ekspor verval, /ekspor csv: the caller's area in the layouts of the
systems others report into (bot/exports/layouts.toml). These carry names, so each is
audited like /ekspor daftar; NIK and No. KK are masked."""

from __future__ import annotations

import logging
from datetime import date

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.access import for_command
from bot.context import TpkContext
from bot.exports import layouts
from storage import access_log, audit
from storage.access_log import Read

log = logging.getLogger(__name__)
FORMATS = ("eppgbm", "verval", "csv")


def _today(context: TpkContext) -> date:
    services = context.services
    return services.clock.now().astimezone(services.settings.wilayah.zone).date()


@for_command("ekspor")
async def ekspor_format(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    wanted = message.text.split()[1].casefold()
    services = context.services
    scope = context.caller.scope or services.regions.root.code
    known = layouts.load()
    chosen = list(known.values()) if wanted == "csv" else [known[wanted]]
    tables = {layout.sheet: await layouts.table(services.db, layout, scope, services.regions) for layout in chosen}
    sheets = {name: t.rows for name, t in tables.items()}
    now, reader = services.clock.now(), context.caller.user_id
    async with services.db.transaction() as tx:
        await audit.record(tx, at=now, actor_id=reader, action="ekspor_nama", entity="format", entity_id=wanted,
                           after={name: len(rows) - 1 for name, rows in sheets.items()})
        await access_log.read(tx, reader_id=reader, sasaran_ids=[i for t in tables.values() for i in t.sasaran_ids],
                              what=Read.NAMED_EXPORT, now=now)
        await access_log.read_families(tx, reader_id=reader, keluarga_ids=[i for t in tables.values()
                                                                           for i in t.keluarga_ids],
                                       what=Read.NAMED_EXPORT, now=now)
    stamp = _today(context).isoformat()
    log.info("ekspor %s: %s sheets", wanted, len(sheets))
    if wanted == "csv":
        data, filename = layouts.csv_zip(sheets), f"ekspor-csv-{stamp}.zip"
    else:
        data, filename = layouts.xlsx(sheets), f"ekspor-{wanted}-{stamp}.xlsx"
    note = " ".join(f"{layout.title}: tata letak perkiraan kami, belum dicocokkan dengan dokumen resmi."
                    for layout in chosen if not layout.confirmed)
    await message.reply_document(data, filename=filename,
                                 caption=f"📥 {', '.join(layout.title for layout in chosen)}. NIK disamarkan. {note}"
                                 [:1000])


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Before /ekspor's own handler."""
    pattern = rf"(?i)^/ekspor(@\w+)?\s+({'|'.join(FORMATS)})\s*$"
    app.add_handler(CommandHandler("ekspor", ekspor_format, filters=filters.Regex(pattern)))
