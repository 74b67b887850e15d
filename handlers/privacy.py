"""/hapus (erase a record's personal data on the person's request), /persetujuan
(consent records, for the mother herself and for coordinators in scope) and /akses
(who read a person's record, and when: the access log, for coordinators in scope).

Stateless: every button carries the record id and every tap re-checks the caller's
role and scope, so a forged, replayed or foreign button cannot reach a record outside
the caller's area or one already erased. Buttons: ``bot.callbacks.HAPUS`` (pick,
confirm, cancel), ``bot.callbacks.PERSETUJUAN`` (a record's consents, the consent
text a mother agreed to) and ``bot.callbacks.AKSES`` (a page of a record's reads).

/hapus is limited to ``[privacy] erase_per_day`` erasures per person in any 24 hours
(counted from the audit log), checked on the command and again on every tap, so an
open confirmation cannot be used to go past it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import privacy, reads, refusals, texts
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.daytime import zone_for_region
from bot.domain.roles import Role
from bot.formatting import long_date
from bot.labels import fit_button, whole_labels
from bot.reminders import texts as rtexts
from bot.services import Services
from bot.widgets.paging import page_row
from storage import access_log
from storage import privacy as store
from storage.access_log import AccessEntry, Read, Refusal
from storage.privacy import ConsentEntry, Subject
from storage.timefmt import from_db, to_db

log = logging.getLogger(__name__)

#: The window of ``[privacy] erase_per_day``: a rolling day, so a limit cannot be doubled around midnight.
ERASE_WINDOW = timedelta(hours=24)
CATEGORY_LABELS = {
    "catin": "Calon pengantin", "ibu_hamil": "Ibu hamil", "ibu_nifas": "Ibu nifas", "baduta": "Baduta",
    "balita": "Balita",
}
DECISIONS = {
    "setuju": "Setuju menerima pengingat",
    "tidak": "Tidak setuju",
    "berhenti": "Menghentikan pengingat (/berhenti)",
    "mulai": "Menyalakan lagi pengingat (/mulai)",
    "ttd_mati": "Mematikan pengingat tablet tambah darah",
    "ttd_nyala": "Menyalakan pengingat tablet tambah darah",
    "ttd_harian": "Memilih pengingat tablet tambah darah setiap hari",
    "ttd_mingguan": "Memilih tanya tablet tambah darah seminggu sekali",
}
ERASE_HELP = (
    "Ketik /hapus diikuti nama atau NIK sasaran, misalnya <code>/hapus Siti Aminah</code>.\n\n"
    "Pakai hanya bila yang bersangkutan (atau orang tua, untuk anak) <b>meminta datanya dihapus</b>. "
    "Nama, NIK, nomor HP, tanggal lahir, jawaban formulir dan akun pengingatnya dihapus; yang tersisa hanya "
    "angka anonim untuk rekap."
)
CONSENT_HELP = (
    "Ketik /persetujuan diikuti nama atau NIK sasaran, misalnya <code>/persetujuan Siti Aminah</code>, "
    "untuk melihat riwayat persetujuannya (siapa, kapan, versi teks yang disetujui)."
)


def _scope(context: TpkContext) -> str:
    return context.caller.scope or context.services.regions.root.code


def _label(services: Services, subject: Subject) -> str:
    area = services.regions.get(subject.region_code)
    where = f" ({area.name})" if area else ""
    ended = "" if subject.status == "aktif" else ", selesai"
    return f"{subject.name} — {CATEGORY_LABELS.get(subject.category, subject.category)}{ended}{where}"


def _describe(services: Services, subject: Subject) -> str:
    lines = [f"<b>{html.escape(subject.name)}</b> — {CATEGORY_LABELS.get(subject.category, subject.category)}",
             html.escape(services.regions.path_label(subject.region_code)
                         if subject.region_code in services.regions else subject.region_code),
             f"Keluarga {html.escape(subject.head_name)}"]
    if subject.nik_masked:
        lines.append(f"NIK {subject.nik_masked}")
    return "\n".join(lines)


def _when(at: str, region_code: str) -> str:
    instant = from_db(at)
    assert instant is not None
    local = instant.astimezone(zone_for_region(region_code))
    return f"{long_date(local.date())} pukul {local:%H.%M} {local.tzname()}"


def consent_lines(entries: list[ConsentEntry], *, show_account: bool) -> list[str]:
    lines = []
    for entry in entries:
        what = DECISIONS.get(entry.decision, entry.decision)
        account = ""
        if show_account:
            account = f", akun Telegram {entry.telegram_id}" if entry.telegram_id else ", akun sudah dihapus"
        lines.append(f"• {_when(entry.at, entry.region_code)} — {what} "
                     f"(teks <code>{html.escape(entry.text_version)}</code>{account})")
    return lines


async def _search(update: Update, context: TpkContext, usage: str, one: Read = Read.SEARCH) -> list[Subject] | None:
    """The records matching the command's argument in the caller's scope; None when
    the caller was answered already (no argument, nothing found). The read is logged:
    as ``one`` when a single record matched (what the command shows of it), else as a
    by-name search result."""
    message = update.effective_message
    assert message is not None
    query = " ".join(context.args or []).strip()[:60]
    if not query:
        await message.reply_text(usage)
        return None
    services = context.services
    found = await store.find_subjects(services.db, services.cipher, _scope(context), query)
    if not found:
        shown = "NIK itu" if store.nik_of(query) else f"bernama «{html.escape(query)}»"
        await message.reply_text(f"Tidak ada sasaran {shown} di wilayah Anda.")
        return None
    await reads.record(context, [s.id for s in found], one if len(found) == 1 else Read.SEARCH)
    return found


async def _pick_one(message: Message, services: Services, found: list[Subject],
                    press: Callable[[Subject], NamedTuple]) -> None:
    """Several records matched: one button per record, pressing ``press(record)``."""
    labels = [_label(services, s) for s in found]
    rows = [[InlineKeyboardButton(fit_button(label), callback_data=cb.data(press(s)))]
            for label, s in zip(labels, found, strict=True)]
    await message.reply_text("Pilih sasaran:" + whole_labels(labels), reply_markup=InlineKeyboardMarkup(rows))


# -- /hapus --------------------------------------------------------------------------------


async def _erasures_left(context: TpkContext) -> int | None:
    """How many more records the caller may erase now; None when there is no limit."""
    services = context.services
    limit = services.settings.privacy.erase_per_day
    if not limit:
        return None
    since = services.clock.now() - ERASE_WINDOW
    return max(limit - await store.erasures_since(services.db, context.caller.user_id, since), 0)


def _limit_reached(context: TpkContext) -> str:
    limit = context.services.settings.privacy.erase_per_day
    return (f"Batas penghapusan tercapai: paling banyak {limit} data dalam 24 jam, dan Anda sudah mencapainya. "
            "Silakan lanjutkan besok. Bila ada permintaan yang sangat mendesak, hubungi admin.")


@for_command("hapus")
async def hapus(update: Update, context: TpkContext) -> None:
    if await _erasures_left(context) == 0:
        assert update.effective_message is not None
        await update.effective_message.reply_text(_limit_reached(context))
        return
    found = await _search(update, context, ERASE_HELP)
    if found is None:
        return
    assert update.effective_message is not None
    labels = [_label(context.services, s) for s in found]
    rows = [[InlineKeyboardButton(fit_button(label), callback_data=cb.data(cb.ErasePick(s.id)))]
            for label, s in zip(labels, found, strict=True)]
    rows.append([InlineKeyboardButton("Batal", callback_data=cb.data(cb.EraseCancel()))])
    await update.effective_message.reply_text("<b>Hapus data pribadi</b> — pilih sasaran yang meminta datanya dihapus:"
                                              + whole_labels(labels),
                                              reply_markup=InlineKeyboardMarkup(rows))


def _confirmation(services: Services, subject: Subject) -> tuple[str, InlineKeyboardMarkup]:
    nik = f"NIK {subject.nik_masked}" if subject.nik_masked else "tanpa NIK"
    area = services.regions.get(subject.region_code)
    where = html.escape(area.name) if area else subject.region_code
    text = (
        f"<b>Hapus data pribadi {html.escape(subject.name)}</b> "
        f"({CATEGORY_LABELS.get(subject.category, subject.category)}, {where}, {nik})?\n\n"
        f"{_describe(services, subject)}\n\n"
        "<b>Dihapus:</b> nama, NIK, nomor HP, tanggal lahir (hanya tahun yang tersisa), tanggal kehamilan dan "
        "persalinan (hanya bulan yang tersisa), jawaban formulir, draf isian tentangnya, pengingat yang belum "
        "terkirim, dan akun pengingat ibu di bot ini. Bila tidak ada anggota keluarga lain yang tercatat, data "
        "keluarganya (kepala keluarga, alamat, No. KK) ikut dihapus.\n"
        "<b>Tersisa:</b> angka anonim — kategori, wilayah, hasil ukur dan tanda risikonya.\n\n"
        "Hanya lakukan ini atas permintaan yang bersangkutan. <b>Tidak bisa dibatalkan.</b>"
    )
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(fit_button(f"🗑 Ya, hapus data {subject.name}"),
                              callback_data=cb.data(cb.EraseConfirm(subject.id)))],
        [InlineKeyboardButton("Batal", callback_data=cb.data(cb.EraseCancel()))],
    ])
    return text, markup


@for_command("hapus")
async def hapus_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.HAPUS.parse(query.data)
    if isinstance(press, cb.EraseCancel):
        await query.answer()
        await query.edit_message_text("Dibatalkan. Tidak ada data yang dihapus.")
        return
    if press is None:
        await cb.refuse(query, context)
        return
    services = context.services
    found = await store.subject(services.db, _scope(context), press.sasaran_id)
    if found is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    if await _erasures_left(context) == 0:
        await query.answer()
        await query.edit_message_text(_limit_reached(context) + " Tidak ada data yang dihapus.")
        return
    if isinstance(press, cb.ErasePick):
        await query.answer()
        text, markup = _confirmation(services, found)
        await query.edit_message_text(text, reply_markup=markup)
        return
    result = await privacy.erase(services, found.id, actor_id=context.caller.user_id)
    await query.answer("Data pribadi sudah dihapus.")
    family = " Data keluarganya juga dihapus karena tidak ada anggota lain yang tercatat." \
        if result.keluarga_anonymised else ""
    now = services.clock.now().astimezone(services.settings.wilayah.zone)
    await query.edit_message_text(
        f"✅ Data pribadi sasaran #{found.id} sudah dihapus.{family}\n"
        f"Pengingat yang dibatalkan: {result.reminders_cancelled}. Tercatat di log audit atas nama Anda, "
        f"{long_date(now.date())} pukul {now:%H.%M}."
    )


# -- /persetujuan ----------------------------------------------------------------------------


async def _own_consents(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    entries = await store.consents_of_account(context.services.db, context.caller.user_id)
    if not entries:
        await message.reply_text("Belum ada persetujuan yang tercatat untuk akun Bunda.")
        return
    lines = ["<b>Riwayat persetujuan Bunda</b>", "Yang tercatat setiap kali Bunda memutuskan:", "",
             *consent_lines(entries, show_account=False), "",
             "Bunda bisa berhenti kapan saja dengan /berhenti. Untuk meminta data Bunda dihapus, sampaikan kepada "
             "anggota TPK yang mendampingi Bunda."]
    markup = None
    if any(e.text_version == rtexts.CONSENT_VERSION for e in entries):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("📄 Lihat teks persetujuan",
                                                             callback_data=cb.data(cb.ConsentText()))]])
    await message.reply_text("\n".join(lines), reply_markup=markup)


def _record_consents(services: Services, subject: Subject, entries: list[ConsentEntry]) -> str:
    lines = [f"<b>Persetujuan</b> — {_describe(services, subject)}", ""]
    if entries:
        lines += consent_lines(entries, show_account=True)
    else:
        lines.append("Belum ada persetujuan yang tercatat (ibu belum membuka undangan pengingat).")
    return "\n".join(lines)


@for_command("persetujuan")
async def persetujuan(update: Update, context: TpkContext) -> None:
    if context.caller.role is Role.IBU:
        await _own_consents(update, context)
        return
    found = await _search(update, context, CONSENT_HELP, Read.CONSENT)
    if found is None:
        return
    message = update.effective_message
    assert message is not None
    services = context.services
    if len(found) == 1:
        entries = await store.consents_of_sasaran(services.db, found[0].id)
        await message.reply_text(_record_consents(services, found[0], entries))
        return
    await _pick_one(message, services, found, lambda s: cb.ConsentPick(s.id))


@for_command("persetujuan")
async def persetujuan_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.PERSETUJUAN.parse(query.data)
    services = context.services
    if isinstance(press, cb.ConsentText) and context.caller.role is Role.IBU:
        window = services.settings.pengingat.send_window
        await query.answer()
        assert query.message is not None
        await context.bot.send_message(
            query.message.chat.id,
            f"<b>Teks persetujuan versi <code>{rtexts.CONSENT_VERSION}</code></b>\n\n"
            + rtexts.consent_screen("", f"pukul {window.start:%H.%M}–{window.end:%H.%M} waktu setempat",
                                    services.settings.privacy.retention_days))
        return
    if context.caller.role is Role.IBU or not isinstance(press, cb.ConsentPick):
        await cb.refuse(query, context)
        return
    found = await store.subject(services.db, _scope(context), press.sasaran_id)
    if found is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    await reads.record(context, [found.id], Read.CONSENT)
    entries = await store.consents_of_sasaran(services.db, found.id)
    await query.edit_message_text(_record_consents(services, found, entries))


# -- /akses ----------------------------------------------------------------------------------

ACCESS_HELP = (
    "Ketik /akses diikuti nama atau NIK sasaran, misalnya <code>/akses Siti Aminah</code>, untuk melihat siapa "
    "saja yang membuka datanya dan kapan."
)
ACCESS_PAGE = 10
READS = {
    Read.CARD: "kartu keluarga", Read.HISTORY: "riwayat ukur / grafik", Read.CONSENT: "riwayat persetujuan",
    Read.EXPORT: "ekspor data subjek", Read.SEARCH: "hasil pencarian nama", Read.DAFTAR: "daftar dampingan (/daftar)",
    Read.NAMED_EXPORT: "ekspor dengan nama",
}


def _reader(entry: AccessEntry) -> str:
    if entry.reader_id is None:
        return "baris perintah server"
    name = html.escape(entry.reader_name or f"akun {entry.reader_id}")
    return f"{name} ({Role(entry.reader_role).label})" if entry.reader_role else name


async def _access_page(context: TpkContext, subject: Subject, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    entries, total = await access_log.reads_of(services.db, _scope(context), subject.id, limit=ACCESS_PAGE,
                                               offset=page * ACCESS_PAGE)
    lines = [f"<b>Akses ke data</b> — {_describe(services, subject)}", ""]
    if not total:
        lines.append("Belum ada yang membuka data orang ini lewat bot.")
        return "\n".join(lines), None
    pages = -(-total // ACCESS_PAGE)
    lines.append(f"Dibuka {total} kali (halaman {page + 1}/{pages}), terbaru di atas:")
    lines += [f"• {_when(to_db(e.at), subject.region_code)} — {_reader(e)}: {READS.get(Read(e.what), e.what)}"
              for e in entries]
    nav = page_row(lambda n: cb.data(cb.AccessPage(subject.id, n)), page, pages)
    return "\n".join(lines), InlineKeyboardMarkup([nav]) if nav else None


@for_command("akses")
async def akses(update: Update, context: TpkContext) -> None:
    found = await _search(update, context, ACCESS_HELP)
    if found is None:
        return
    message = update.effective_message
    assert message is not None
    services = context.services
    if len(found) == 1:
        text, markup = await _access_page(context, found[0], 0)
        await message.reply_text(text, reply_markup=markup)
        return
    await _pick_one(message, services, found, lambda s: cb.AccessPage(s.id, 0))


@for_command("akses")
async def akses_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.AKSES.parse(query.data)
    if press is None:
        await cb.refuse(query, context)
        return
    services = context.services
    found = await store.subject(services.db, _scope(context), press.sasaran_id)
    if found is None:
        await refusals.record(services, context.caller.user_id, Refusal.SCOPE, "akses", press.sasaran_id)
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    text, markup = await _access_page(context, found, press.page)
    await query.edit_message_text(text, reply_markup=markup)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """The commands and their buttons (the retention job is in :mod:`bot.jobs`)."""
    app.add_handler(CommandHandler("hapus", hapus))
    app.add_handler(CallbackQueryHandler(hapus_button, pattern=cb.HAPUS.pattern))
    app.add_handler(CommandHandler("persetujuan", persetujuan))
    app.add_handler(CallbackQueryHandler(persetujuan_button, pattern=cb.PERSETUJUAN.pattern))
    app.add_handler(CommandHandler("akses", akses))
    app.add_handler(CallbackQueryHandler(akses_button, pattern=cb.AKSES.pattern))
