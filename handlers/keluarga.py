"""/keluarga: the families in the caller's scope, their risk status and members.

TPK members see the families of their own kelurahan/desa, coordinators those in
their area. Buttons (``bot.callbacks.KELUARGA``): a list page or one family to open;
every id is looked up again within the caller's scope.
"""

from __future__ import annotations

import html
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import reads, refusals
from bot.access import allowed, for_command, may_edit
from bot.commands import MANAGERS
from bot.context import TpkContext
from bot.domain.anthropometry import format_decimal
from bot.domain.categories import Group, group_on
from bot.domain.risk import MetodeKb
from bot.domain.roles import Role
from bot.domain.tablets import TabletProgress, progress
from bot.formatting import long_date
from bot.labels import fit_button, growth_summary, sasaran_label, under_two
from bot.reminders.messages import day_span
from bot.reporting import child_growth, latest_kb
from bot.widgets.paging import page_row
from storage import keluarga as store
from storage import tablets as tablets_store
from storage.access_log import Read, Refusal
from storage.keluarga import Keluarga, Kunjungan, Sasaran

PAGE = 8


def _scope(context: TpkContext) -> str:
    return context.caller.scope or context.services.regions.root.code


def _today(context: TpkContext) -> date:
    services = context.services
    return services.clock.now().astimezone(services.settings.wilayah.zone).date()


async def _list(context: TpkContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    mine = context.caller.user_id if context.caller.role is Role.TPK else None
    families, total = await store.list_keluarga(services.db, _scope(context), reporter_id=mine, limit=PAGE,
                                                offset=page * PAGE)
    whose = "yang Anda laporkan" if mine else f"di {html.escape(services.regions.label(_scope(context)))}"
    if total == 0:
        return f"Belum ada keluarga {whose}. Ketik /lapor untuk melaporkan keluarga.", None
    pages = -(-total // PAGE)
    rows = [[InlineKeyboardButton(_family_button(services.regions, k), callback_data=cb.data(cb.FamilyOpen(k.id)))]
            for k in families]
    nav = page_row(lambda n: cb.data(cb.FamilyPage(n)), page, pages)
    if nav:
        rows.append(nav)
    text = f"<b>Keluarga {whose}</b>: {total} (halaman {page + 1}/{pages}).\n⚠️ = berisiko stunting. Pilih satu:"
    return text, InlineKeyboardMarkup(rows)


def _family_button(regions: object, k: Keluarga) -> str:
    mark = "⚠️ " if k.berisiko else ""
    area = regions.get(k.region_code)  # type: ignore[attr-defined]
    return f"{mark}{k.head_name} — RT {k.rt}/RW {k.rw}" + (f", {area.name}" if area else "")


def _measurement_line(sasaran: Sasaran, visit: Kunjungan | None) -> str | None:
    if visit is None:
        return None
    m = visit.measurement
    young = sasaran.birth_date is not None and under_two(sasaran.birth_date, visit.visited_on)
    parts = []
    if m.weight_kg is not None:
        parts.append(f"BB {format_decimal(m.weight_kg)} kg")
    if m.height_cm is not None:
        parts.append(f"{'PB' if young else 'TB'} {format_decimal(m.height_cm)} cm")
    if m.lila_cm is not None:
        parts.append(f"LiLA {format_decimal(m.lila_cm)} cm")
    if m.hb is not None:
        parts.append(f"Hb {format_decimal(m.hb)}")
    status = growth_summary(child_growth(sasaran.sex, sasaran.birth_date, m), young)
    if status:
        parts.append(status)
    if not parts:
        return None
    return f"   terakhir diukur {long_date(visit.visited_on)}: " + ", ".join(parts)


def _tablet_line(count: TabletProgress) -> str:
    """Her iron tablets as she answered the reminders: toward the goal, and her last week."""
    line = f"   💊 TTD (jawaban ibu di TPK Bot): {count.taken} dari {count.goal} tablet"
    week = count.latest_week
    if week is not None:
        line += f"; minggu {day_span(week.start, week.end)}: {week.tablets} dari 7"
    return line + "."


def _kb_text(method: MetodeKb | None) -> str:
    """The KB status of a mother past her nifas period, as her card shows it."""
    if method is None:
        return "KB: belum tercatat — tanyakan saat kunjungan."
    if not method.modern:
        return f"KB: {method.label} — belum KB modern."
    return f"KB: {method.label}."


async def _detail(context: TpkContext, keluarga: Keluarga) -> tuple[str, InlineKeyboardMarkup]:
    services = context.services
    today = _today(context)
    members = await store.members(services.db, _scope(context), keluarga.id)
    await reads.record(context, [m.id for m in members], Read.CARD)
    risks = await store.family_risks(services.db, keluarga.id)
    flags = await store.flags(services.db, [m.id for m in members])
    tablet_reports = await tablets_store.reports_in_scope(
        services.db, _scope(context), [m.id for m in members if m.category in ("ibu_hamil", "ibu_nifas")])
    lines = [f"<b>Keluarga {html.escape(keluarga.head_name)}</b>",
             f"{html.escape(services.regions.path_label(keluarga.region_code))}, RT {keluarga.rt}/RW {keluarga.rw}"]
    if keluarga.address:
        lines.append(html.escape(keluarga.address))
    if keluarga.no_kk_masked:
        lines.append(f"No. KK {keluarga.no_kk_masked}")
    lines.append("")
    if keluarga.berisiko:
        lines.append("⚠️ <b>Berisiko stunting</b>:")
        lines.extend(f"• {html.escape(reason)}" for _, reason in risks)
    elif any(flags.get(m.id) for m in members):
        lines.append("Belum tergolong keluarga berisiko stunting (tidak ada faktor risiko keluarga), tetapi ada "
                     "sasaran yang perlu perhatian (⚠️ di bawah).")
    else:
        lines.append("Belum tergolong berisiko stunting.")
    lines.append("")
    lines.append(f"<b>Sasaran</b> ({len(members)}):" if members else "Belum ada sasaran.")
    buttons: list[list[InlineKeyboardButton]] = []
    for member in members:
        status = "" if member.status == "aktif" else f" — selesai ({member.ended_reason or '-'})"
        nik = f", NIK {member.nik_masked}" if member.nik_masked else ""
        lines.append(f"• {html.escape(sasaran_label(member, today, services.regions))}{nik}{status}")
        group = group_on(member.category, member.birth_date, member.delivery_date, today)
        if group is Group.PUS:
            history = await store.measurement_history(services.db, _scope(context), member.id)
            lines.append(f"   {_kb_text(latest_kb([member], {member.id: history}))}")
        measured = _measurement_line(member, await store.latest_kunjungan(services.db, member.id))
        if measured:
            lines.append(html.escape(measured))
        if member.id in tablet_reports:
            lines.append(_tablet_line(progress(tablet_reports[member.id], services.settings.pengingat.ttd.goal)))
        for _, reason in flags.get(member.id, []):
            lines.append(f"   ⚠️ {html.escape(reason)}")
        if member.status == "aktif":
            buttons.append([InlineKeyboardButton(fit_button(f"📝 Kunjungan: {member.name}"),
                                                 callback_data=cb.data(cb.VisitNew(member.id)))])
        if member.category in ("baduta", "balita") and member.birth_date and member.sex in ("L", "P"):
            first = member.name.split()[0][:20]
            buttons.append([
                InlineKeyboardButton(f"📋 Riwayat ukur {first}", callback_data=cb.data(cb.GrowthHistory(member.id, 0))),
                InlineKeyboardButton(f"📈 Grafik pertumbuhan {first}",
                                     callback_data=cb.data(cb.GrowthChart(member.id)))])
        if may_edit(context, member):
            buttons.append([InlineKeyboardButton(fit_button(f"✏️ Ubah data {member.name}"),
                                                 callback_data=cb.data(cb.EditSasaran(member.id)))])
            if member.category in ("ibu_hamil", "ibu_nifas"):
                buttons.append([InlineKeyboardButton(fit_button(f"📲 Undang {member.name} ke pengingat"),
                                                     callback_data=cb.data(cb.MotherInvite(member.id)))])
    buttons.append([InlineKeyboardButton("➕ Tambah sasaran", callback_data=cb.data(cb.ReportMore(keluarga.id)))])
    if context.caller.user_id == keluarga.reporter_id or allowed(context, MANAGERS):
        buttons.append([InlineKeyboardButton("✏️ Ubah data keluarga",
                                             callback_data=cb.data(cb.EditKeluarga(keluarga.id)))])
    buttons.append([InlineKeyboardButton("⬅️ Daftar keluarga", callback_data=cb.data(cb.FamilyPage(0)))])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


@for_command("keluarga")
async def keluarga(update: Update, context: TpkContext) -> None:
    assert update.effective_message is not None
    text, markup = await _list(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@for_command("keluarga")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.KELUARGA.parse(query.data)
    if press is None:
        await cb.refuse(query, context)
        return
    if isinstance(press, cb.FamilyPage):
        await query.answer()
        text, markup = await _list(context, press.page)
        await query.edit_message_text(text, reply_markup=markup)
        return
    found = await store.get_keluarga(context.services.db, _scope(context), press.keluarga_id)
    if found is None:
        await refusals.record(context.services, context.caller.user_id, Refusal.SCOPE, "keluarga", press.keluarga_id)
        await query.answer("Keluarga itu tidak ada di wilayah Anda.", show_alert=True)
        return
    await query.answer()
    text, markup = await _detail(context, found)
    await query.edit_message_text(text, reply_markup=markup)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("keluarga", keluarga))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.KELUARGA.pattern))
