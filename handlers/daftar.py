"""/daftar: a TPK member's own families — reported by them, given to them, or imported
into their desa — with what is due, sorted by due date or risk, paged with buttons;
each opens the /keluarga card. ``/ekspor daftar`` sends the same list with names as a
workbook (audited, the reader's name and the date on top, NIK masked).
"""

from __future__ import annotations

import html
import logging
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot import callbacks as cb
from bot import reads
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.roles import Role
from bot.exports import daftar as named_workbook
from bot.formatting import long_date
from bot.labels import fit_button
from bot.widgets.paging import page_row
from storage import audit
from storage import daftar as store
from storage.access_log import Read

ORDERS = {"d": "due", "r": "risk"}
PAGE = 8

log = logging.getLogger(__name__)


def _today(context: TpkContext) -> date:
    services = context.services
    return services.clock.now().astimezone(services.settings.wilayah.zone).date()


def _scope(context: TpkContext) -> str:
    return context.caller.scope or context.services.regions.root.code


def _mine(context: TpkContext) -> int | None:
    """A TPK member sees their own list; a coordinator the families of their area."""
    return context.caller.user_id if context.caller.role is Role.TPK else None


def _due_text(family: store.DaftarFamily, today: date) -> str:
    if not family.visited:
        return "belum dikunjungi"
    if family.due <= today:
        return f"kunjungan jatuh tempo {long_date(family.due)}"
    return f"kunjungan berikutnya {long_date(family.due)}"


async def _page(context: TpkContext, order: str, only: str, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    today = _today(context)
    found, total = await store.families(services.db, _scope(context), user_id=_mine(context), today=today,
                                        order=ORDERS[order], unvisited=only == "b", limit=PAGE, offset=page * PAGE)
    title = "belum dikunjungi" if only == "b" else "dampingan Anda"
    if total == 0:
        empty = "Tidak ada keluarga impor yang belum dikunjungi." if only == "b" else \
            "Belum ada keluarga di daftar Anda. Keluarga yang Anda laporkan (/lapor) atau yang diimpor koordinator " \
            "untuk desa Anda akan muncul di sini."
        return empty, _controls(order, only, 0, 1)
    await reads.record_families(context, [f.id for f in found], Read.DAFTAR)
    pages = -(-total // PAGE)
    lines = [f"<b>Keluarga {title}</b>: {total} (halaman {page + 1}/{pages}, urut "
             f"{'jatuh tempo' if order == 'd' else 'risiko'}). ⚠️ = berisiko stunting."]
    rows = []
    for f in found:
        notes = [_due_text(f, today)]
        if f.unmeasured_children:
            notes.append(f"{f.unmeasured_children} anak belum diukur bulan ini")
        if f.kka_due:
            notes.append(f"KKA audit kasus belum dilengkapi{f' ({f.kka_due} kasus)' if f.kka_due > 1 else ''}: /audit")
        if f.imported and f.visited:
            notes.append("terverifikasi")
        lines.append(f"• {'⚠️ ' if f.berisiko else ''}<b>{html.escape(f.head_name)}</b> (RT {f.rt or '-'}/RW "
                     f"{f.rw or '-'}): {html.escape('; '.join(notes))}")
        rows.append([InlineKeyboardButton(fit_button(f"{'⚠️ ' if f.berisiko else ''}{f.head_name}"),
                                          callback_data=cb.data(cb.FamilyOpen(f.id)))])
    return "\n".join(lines), _controls(order, only, page, pages, rows)


def _controls(order: str, only: str, page: int, pages: int,
              rows: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    keyboard = list(rows or [])
    nav = page_row(lambda number: cb.data(cb.DaftarPage(order, only, number)), page, pages)
    if nav:
        keyboard.append(nav)
    other = "r" if order == "d" else "d"
    keyboard.append([
        InlineKeyboardButton("Urut risiko" if other == "r" else "Urut jatuh tempo",
                             callback_data=cb.data(cb.DaftarPage(other, only, 0))),
        InlineKeyboardButton("Semua" if only == "b" else "Belum dikunjungi",
                             callback_data=cb.data(cb.DaftarPage(order, "a" if only == "b" else "b", 0)))])
    return InlineKeyboardMarkup(keyboard)


@for_command("daftar")
async def daftar(update: Update, context: TpkContext) -> None:
    assert update.effective_message is not None
    text, markup = await _page(context, "d", "a", 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@for_command("daftar")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.DAFTAR.parse(query.data)
    if press is None:
        await cb.refuse(query, context)
        return
    await query.answer()
    text, markup = await _page(context, press.order, press.only, press.page)
    await query.edit_message_text(text, reply_markup=markup)


@for_command("ekspor")
async def ekspor_daftar(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    services = context.services
    today = _today(context)
    rows = await store.named_rows(services.db, _scope(context), user_id=_mine(context), today=today)
    data = named_workbook.workbook(rows, reader=context.caller.name or str(context.caller.user_id), today=today,
                                   regions=services.regions)
    async with services.db.transaction() as tx:
        await audit.record(tx, at=services.clock.now(), actor_id=context.caller.user_id, action="ekspor_nama",
                           entity="daftar", entity_id=_scope(context), after={"rows": len(rows)})
    await reads.record_families(context, [r.keluarga_id for r in rows], Read.NAMED_EXPORT)
    log.info("ekspor daftar: %s rows", len(rows))
    await message.reply_document(data, filename=named_workbook.filename(today),
                                 caption=f"📥 Daftar sasaran dengan nama ({len(rows)} baris). NIK disamarkan. "
                                         "Berisi data pribadi: simpan dengan aman, jangan dibagikan ke grup.")


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Before /ekspor's own handler: "/ekspor daftar" is this module's."""
    app.add_handler(CommandHandler("daftar", daftar))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.DAFTAR.pattern))
    app.add_handler(CommandHandler("ekspor", ekspor_daftar, filters=filters.Regex(r"(?i)^/ekspor(@\w+)?\s+daftar\b")))
