"""A child's growth over time: the measurement history (paged) and the growth chart.

Opened from the child's card in /keluarga (and the chart also after a visit). Every
measurement is a ``kunjungan`` row with its own date, so the history is simply all of
them, newest first, each with the child's age on that day, weight and length/height,
the three WHO statuses named for the age (PB/U and BB/PB under 24 months, TB/U and
BB/TB from 24 months) and the KMS reading of the month. Button data is parsed by
``bot.callbacks`` and the child looked up again within the caller's scope.
"""

from __future__ import annotations

import asyncio
import html
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks as cb
from bot import growth_chart, reads
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.age import age_label
from bot.domain.anthropometry import format_decimal
from bot.domain.kms import MonthlyReading, kms_readings
from bot.domain.thresholds import ClinicalThresholds
from bot.formatting import long_date
from bot.labels import growth_summary
from bot.labels import under_two as young
from bot.reporting import child_growth, child_weighings
from storage import keluarga as store
from storage.access_log import Read
from storage.keluarga import Kunjungan, Sasaran

#: Measurements per page of the history (a page stays far below Telegram's 4,096 characters).
HISTORY_PAGE = 6
CHILDREN = ("baduta", "balita")


def _scope(context: TpkContext) -> str:
    return context.caller.scope or context.services.regions.root.code


def _today(context: TpkContext) -> date:
    services = context.services
    return services.clock.now().astimezone(services.settings.wilayah.zone).date()


def _entry(child: Sasaran, visit: Kunjungan, reading: MonthlyReading | None) -> str:
    m = visit.measurement
    assert child.birth_date is not None
    under_two = young(child.birth_date, visit.visited_on)
    age = age_label(child.birth_date, visit.visited_on) if visit.visited_on > child.birth_date else "lahir"
    lines = [f"<b>{long_date(visit.visited_on)}</b> · umur {age}"]
    sizes = []
    if m.weight_kg is not None:
        sizes.append(f"BB {format_decimal(m.weight_kg, 2)} kg")
    if m.height_cm is not None:
        how = {True: " (berbaring)", False: " (berdiri)"}.get(m.measured_lying, "")  # type: ignore[arg-type]
        sizes.append(f"{'PB' if under_two else 'TB'} {format_decimal(m.height_cm)} cm{how}")
    lines.append(" · ".join(sizes) if sizes else "tidak diukur")
    status = growth_summary(child_growth(child.sex, child.birth_date, m), under_two)
    if status:
        lines.append(status)
    if reading is not None:
        kms = f"KMS {reading.reading.label}"
        if reading.gain_g is not None and reading.kbm_g is not None:
            kms += f": {format_decimal(reading.gain_g, 0)} g, minimal {format_decimal(reading.kbm_g, 0)} g"
        lines.append(kms)
    return "\n".join(html.escape(line) if i else line for i, line in enumerate(lines))


def history_text(child: Sasaran, visits: list[Kunjungan], page: int, *,
                 klinis: ClinicalThresholds) -> tuple[str, int]:
    """A page of the history, newest first, and the number of pages."""
    assert child.birth_date is not None
    readings = {r.weighing.on: r for r in kms_readings(child.birth_date, child_weighings(visits), klinis)}
    measured = [v for v in visits if v.measurement.weight_kg is not None or v.measurement.height_cm is not None]
    pages = max(1, -(-len(measured) // HISTORY_PAGE))
    page = min(page, pages - 1)
    shown = list(reversed(measured))[page * HISTORY_PAGE:(page + 1) * HISTORY_PAGE]
    head = (f"📋 <b>Riwayat pertumbuhan {html.escape(child.name)}</b> — {len(measured)} pengukuran"
            + (f" (halaman {page + 1}/{pages})" if pages > 1 else ""))
    if not measured:
        return head + "\nBelum ada pengukuran.", 1
    taken: set[date] = set()
    entries = []
    for visit in shown:
        reading = readings.get(visit.visited_on)
        if reading is not None and (reading.weighing.weight_kg != visit.measurement.weight_kg
                                    or visit.visited_on in taken):
            reading = None
        taken.add(visit.visited_on)
        entries.append(_entry(child, visit, reading))
    return head + "\n\n" + "\n\n".join(entries), pages


def _history_markup(child: Sasaran, page: int, pages: int) -> InlineKeyboardMarkup:
    rows = []
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀️ Sebelumnya", callback_data=cb.data(cb.GrowthHistory(child.id, page - 1))))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("Berikutnya ▶️", callback_data=cb.data(cb.GrowthHistory(child.id, page + 1))))
    if nav:
        rows.append(nav)
    rows.append([InlineKeyboardButton("📈 Grafik pertumbuhan", callback_data=cb.data(cb.GrowthChart(child.id)))])
    rows.append([InlineKeyboardButton("⬅️ Kembali ke keluarga",
                                      callback_data=cb.data(cb.FamilyOpen(child.keluarga_id)))])
    return InlineKeyboardMarkup(rows)


async def _child(context: TpkContext, sasaran_id: int) -> Sasaran | None:
    found = await store.get_sasaran(context.services.db, _scope(context), sasaran_id)
    if found is None or found.category not in CHILDREN or found.birth_date is None or found.sex not in ("L", "P"):
        return None
    return found


@for_command("keluarga")
async def on_history(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    asked = cb.GROWTH_HISTORY.parse(query.data)
    child = await _child(context, asked.sasaran_id) if asked else None
    if asked is None or child is None:
        await cb.refuse(query, context)
        return
    await query.answer()
    await reads.record(context, [child.id], Read.HISTORY)
    visits = await store.measurement_history(context.services.db, _scope(context), child.id)
    text, pages = history_text(child, visits, asked.page, klinis=context.services.settings.klinis)
    await query.edit_message_text(text, reply_markup=_history_markup(child, min(asked.page, pages - 1), pages))


@for_command("keluarga")
async def on_chart(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    asked = cb.GROWTH_CHART.parse(query.data)
    child = await _child(context, asked.sasaran_id) if asked else None
    if child is None or query.message is None:
        await cb.refuse(query, context)
        return
    await query.answer("Menyiapkan grafik…")
    await reads.record(context, [child.id], Read.HISTORY)
    visits = await store.measurement_history(context.services.db, _scope(context), child.id)
    measured = [growth_chart.Measured(v.visited_on, v.measurement.weight_kg, v.measurement.height_cm,
                                      v.measurement.measured_lying) for v in visits]
    assert child.birth_date is not None
    count = len(measured)
    at_birth = [child.answers.get("berat_lahir"), child.answers.get("panjang_lahir")]
    if any(isinstance(v, int | float) for v in at_birth) and all(m.on != child.birth_date for m in measured):
        measured.insert(0, growth_chart.Measured(child.birth_date, *at_birth, True))  # as in the KIA book
    data = growth_chart.chart_data(child.sex, child.birth_date, measured, _today(context))  # type: ignore[arg-type]
    png = await asyncio.to_thread(growth_chart.render_png, data)
    await context.bot.send_photo(query.message.chat.id, photo=png, filename="grafik-pertumbuhan.png",
                                 caption=f"📈 Grafik pertumbuhan <b>{html.escape(child.name)}</b>: "
                                         f"{count} pengukuran, garis WHO −3, −2, median, +2 SD.")


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_history, pattern=cb.GROWTH_HISTORY.pattern))
    app.add_handler(CallbackQueryHandler(on_chart, pattern=cb.GROWTH_CHART.pattern))
