"""/impor: a coordinator sends an XLSX or CSV list of families and sasaran.

The bot reads the header row, asks about headers it does not know (a button per
column of ours, or "Abaikan"), shows a preview computed by the same walk that later
writes, and writes only after "Lanjutkan". A re-sent file whose import was cut off
continues it; so does a restart (a job at start-up). ``/impor templat`` sends the
template, ``/impor daftar`` lists the imports of the caller's area with an undo button.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import callbacks as cb
from bot import texts
from bot.access import for_command
from bot.context import SERVICES_KEY, TpkContext
from bot.domain.roles import Role
from bot.formatting import number
from bot.impor import reader, run, template
from bot.impor.columns import BY_KEY, COLUMNS
from bot.impor.plans import IGNORE
from bot.impor.report import Report
from bot.impor.workbooks import PREVIEW_FILENAME, preview_workbook
from bot.labels import fit_button
from bot.services import Services
from storage import audit, users
from storage import impor as store

IGNORE_BUTTON = len(COLUMNS)  # the "Abaikan" choice of a header

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # what getFile lets a bot download
ERRORS_SHOWN = 8
_REPORTS = "impor_reports"  # bot_data: impor id -> the last preview Report, for the workbook


def _scope(context: TpkContext) -> str:
    return context.caller.scope or context.services.regions.root.code


@for_command("impor")
async def impor(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    words = (message.text or "").split()[1:]
    if words and words[0].casefold() == "templat":
        await _send_template(message)
        return
    if words and words[0].casefold() == "daftar":
        await _send_list(message, context)
        return
    await message.reply_text(
        "Kirim file <b>XLSX atau CSV</b> berisi daftar keluarga/sasaran sebagai dokumen (📎 → File).\n"
        "Kolom dikenali dari judulnya (NIK, Nama Kepala Keluarga, No. KK, Desa/Kelurahan, …); judul yang tidak "
        "dikenal akan saya tanyakan. Sebelum menulis apa pun, Anda melihat pratinjaunya.",
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton("📄 Templat", callback_data=cb.data(cb.ImporTemplate())),
            InlineKeyboardButton("📋 Daftar impor", callback_data=cb.data(cb.ImporList()))]]))


async def _send_template(message: Message) -> None:
    await message.reply_document(template.template_bytes(), filename=template.FILENAME,
                                 caption="📄 Templat impor: lembar keluarga, sasaran dan pengukuran; keterangan "
                                         "setiap kolom ada di lembar «keterangan».")


async def _send_list(message: Message, context: TpkContext) -> None:
    imports = await store.list_imports(context.services.db, _scope(context))
    if not imports:
        await message.reply_text("Belum ada impor di wilayah Anda.")
        return
    lines, buttons = ["<b>Impor terakhir di wilayah Anda</b>:"], []
    for item in imports:
        state = {"done": "selesai", "running": "berjalan", "undone": "dibatalkan"}.get(item.state, item.state)
        lines.append(f"#{item.id} {html.escape(item.file_name)} — {state}, {run.summary(item.counts)}")
        if item.state == "done":
            buttons.append([InlineKeyboardButton(f"↩️ Batalkan impor #{item.id}",
                                                 callback_data=cb.data(cb.ImporUndo(item.id)))])
    await message.reply_text("\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons) if buttons else None)


async def _download(context: TpkContext, file_id: str) -> bytes:
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


@for_command("impor")
async def on_document(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    name = document.file_name or "impor"
    if not name.casefold().endswith((".xlsx", ".csv")):
        await message.reply_text("Kirim file .xlsx atau .csv. Ketik /impor templat untuk contoh formatnya.")
        return
    if (document.file_size or 0) > MAX_BYTES:
        await message.reply_text("File ini lebih dari 20 MB. Bagi menjadi beberapa file, atau pakai impor lewat "
                                 "baris perintah (python -m bot impor).")
        return
    await message.reply_chat_action(ChatAction.TYPING)
    services = context.services
    data = await _download(context, document.file_id)
    try:
        prepared = await run.prepare(services, data)
    except reader.UnreadableFile as exc:
        await message.reply_text(str(exc))
        return
    if not prepared.mappings:
        await message.reply_text("File ini kosong: tidak ada baris judul kolom.")
        return
    scope = _scope(context)
    cut_off = await store.resumable(services.db, prepared.file_hash, scope)
    if cut_off is not None:
        await message.reply_text(f"Impor #{cut_off.id} file ini terputus sebelumnya; saya lanjutkan.")
        await _write(message, services, cut_off, data)
        return
    impor_id = await store.create(services.db, file_hash=prepared.file_hash, file_name=name,
                                  actor_id=context.caller.user_id, scope=scope, file_id=document.file_id,
                                  mapping=prepared.mapping, now=services.clock.now())
    log.info("impor %s: file received (%s sheets)", impor_id, len(prepared.mappings))
    await _next_step(message, context, impor_id, data)


async def _load(context: TpkContext, impor_id: int) -> store.Impor | None:
    found = await store.get(context.services.db, impor_id, scope=_scope(context))
    if found is None or (found.actor_id != context.caller.user_id and found.state == "preview"):
        return None
    return found


async def _next_step(message: Message, context: TpkContext, impor_id: int, data: bytes,
                     edit: bool = False) -> None:
    """Ask about the next unknown header, or show the preview when none is left."""
    services = context.services
    item = await _load(context, impor_id)
    assert item is not None
    prepared = await run.prepare(services, data)
    left = run.unanswered(item, prepared)
    if left:
        sheet_no, index = left[0]
        plan = prepared.mappings[sheet_no].plan
        taken = set(item.mapping.get(plan.name, {}).values())
        options = [c for c in COLUMNS if c.key not in taken]
        def mapped(choice: int) -> str:
            return cb.data(cb.ImporMap(impor_id, sheet_no, index, choice))

        rows = [[InlineKeyboardButton(c.header, callback_data=mapped(COLUMNS.index(c))) for c in options[i:i + 3]]
                for i in range(0, len(options), 3)]
        rows.append([InlineKeyboardButton("🚫 Abaikan kolom ini",
                                          callback_data=mapped(IGNORE_BUTTON))])
        text = (f"Kolom <b>«{html.escape(plan.headers[index])}»</b> (lembar {html.escape(plan.name)}) belum saya "
                f"kenal. Ini kolom apa? ({len(left)} judul lagi)")
        await _show(message, text, InlineKeyboardMarkup(rows), edit)
        return
    for m in prepared.mappings:
        await store.remember_mapping(services.db, m.signature,
                                     {int(i): k for i, k in item.mapping.get(m.plan.name, {}).items()},
                                     user_id=context.caller.user_id, now=services.clock.now())
    await message.reply_chat_action(ChatAction.TYPING)
    report = await run.preview(services, data, run.plans_of(item, prepared), actor_id=item.actor_id,
                               scope=item.scope, use_file=item.use_file)
    _keep(context, impor_id, report)
    text, markup = _preview(item, report)
    await _show(message, text, markup, edit)


async def _show(message: Message, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.reply_text(text, reply_markup=markup)


def _keep(context: TpkContext, impor_id: int, report: Report) -> None:
    kept: dict[int, Report] = context.bot_data.setdefault(_REPORTS, {})
    kept[impor_id] = report
    while len(kept) > 8:
        kept.pop(next(iter(kept)))


def _preview(item: store.Impor, report: Report) -> tuple[str, InlineKeyboardMarkup]:
    c = report.counts
    lines = [f"📋 <b>Pratinjau impor</b> {html.escape(item.file_name)}",
             f"Baris dibaca: <b>{number(report.rows)}</b>",
             f"• akan dibuat: {number(c['create'])}",
             f"• akan diperbarui (kolom «pakai data file»): {number(c['update'])}",
             f"• berbeda dengan data bot, tidak ditimpa: {number(c['different'])}",
             f"• sama, tidak berubah: {number(c['unchanged'])}",
             f"• duplikat di dalam file: {number(c['duplicate'])}",
             f"• di luar wilayah Anda (tidak ditulis): {number(c['out_of_scope'])}",
             f"• galat (tidak ditulis): {number(c['error'])}"]
    if report.rules:
        lines.append("Dicocokkan lewat: " + ", ".join(f"{html.escape(rule)} {number(n)}"
                                                      for rule, n in report.rules.most_common()))
    if report.problems:
        lines.append("")
        lines.append("<b>Galat</b> (rincian di file pratinjau):")
        for sheet, row_no, problem in report.problems[:ERRORS_SHOWN]:
            lines.append(f"• {html.escape(sheet)} baris {row_no}, {html.escape(problem.column)}: "
                         f"{html.escape(problem.reason)}")
    by_column: dict[str, int] = {}
    for d in report.differences:
        by_column[d.column] = by_column.get(d.column, 0) + 1
    buttons = []
    for key, count in sorted(by_column.items(), key=lambda kv: COLUMNS.index(BY_KEY[kv[0]])):
        mark = "☑️" if key in item.use_file else "☐"
        buttons.append([InlineKeyboardButton(f"{mark} Pakai data file: {BY_KEY[key].header} ({count})",
                                             callback_data=cb.data(cb.ImporUseFile(item.id,
                                                                                   COLUMNS.index(BY_KEY[key]))))])
    buttons.append([InlineKeyboardButton("📥 Rincian & perbedaan (Excel)",
                                         callback_data=cb.data(cb.ImporDetails(item.id)))])
    buttons.append([InlineKeyboardButton("✅ Lanjutkan", callback_data=cb.data(cb.ImporGo(item.id))),
                    InlineKeyboardButton("❌ Batal", callback_data=cb.data(cb.ImporCancel(item.id)))])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def _write(message: Message, services: Services, item: store.Impor, data: bytes) -> None:
    await message.reply_chat_action(ChatAction.TYPING)
    prepared = await run.prepare(services, data)
    counts = await run.write(services, item, data, run.plans_of(item, prepared))
    log.info("impor %s: written", item.id)
    desa = await store.desa_of_import(services.db, item.id)
    buttons = [[InlineKeyboardButton(fit_button(f"👤 Tugaskan keluarga {services.regions.label(code)} ke satu anggota"),
                                     callback_data=cb.data(cb.ImporAssign(item.id, number_)))]
               for number_, code in enumerate(desa[:10]) if code in services.regions]
    buttons.append([InlineKeyboardButton("↩️ Batalkan impor ini", callback_data=cb.data(cb.ImporUndo(item.id)))])
    await message.reply_text(
        f"✅ Impor #{item.id} selesai: {run.summary(counts)}.\nKeluarga baru masuk ke daftar semua anggota TPK "
        "desanya (/daftar), kecuali Anda menugaskannya ke satu anggota.", reply_markup=InlineKeyboardMarkup(buttons))


@for_command("impor")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    press = cb.IMPOR.parse(query.data)
    message: Message = query.message  # type: ignore[assignment]
    if isinstance(press, cb.ImporTemplate | cb.ImporList):
        await query.answer()
        await (_send_template(message) if isinstance(press, cb.ImporTemplate) else _send_list(message, context))
        return
    if press is None:
        await cb.refuse(query, context)
        return
    action, ids = type(press), list(press)
    item = await _load(context, ids[0])
    if item is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    services = context.services
    if action is cb.ImporUndo:
        await _undo(query, message, context, item)
        return
    if action in (cb.ImporAssign, cb.ImporAssignTo):
        await _assign(query, message, context, item, ids[1:])
        return
    if item.state != "preview" or item.file_id is None:
        await query.answer("Impor ini sudah diproses.", show_alert=True)
        return
    await query.answer()
    data = await _download(context, item.file_id)
    if action is cb.ImporMap:
        _, sheet_no, index, choice = ids
        prepared = await run.prepare(services, data)
        if sheet_no >= len(prepared.mappings) or choice > IGNORE_BUTTON \
                or index not in prepared.mappings[sheet_no].unknown:
            await message.reply_text(texts.EXPIRED_BUTTON)
            return
        sheet = prepared.mappings[sheet_no].plan.name
        mapping = {name: dict(cols) for name, cols in item.mapping.items()}
        mapping.setdefault(sheet, {})[str(index)] = IGNORE if choice == IGNORE_BUTTON else COLUMNS[choice].key
        await store.set_mapping(services.db, item.id, mapping)  # type: ignore[arg-type]
        await _next_step(message, context, item.id, data, edit=True)
    elif action is cb.ImporUseFile:
        choice = ids[1]
        if choice >= len(COLUMNS):
            return
        await store.set_use_file(services.db, item.id, item.use_file ^ {COLUMNS[choice].key})
        await _next_step(message, context, item.id, data, edit=True)
    elif action is cb.ImporDetails:
        report = context.bot_data.get(_REPORTS, {}).get(item.id)
        if report is None:
            prepared = await run.prepare(services, data)
            report = await run.preview(services, data, run.plans_of(item, prepared), actor_id=item.actor_id,
                                       scope=item.scope, use_file=item.use_file)
        async with services.db.transaction() as tx:
            await audit.record(tx, at=services.clock.now(), actor_id=context.caller.user_id, action="ekspor_nama",
                               entity="impor", entity_id=item.id, after={"workbook": "pratinjau"})
        await message.reply_document(preview_workbook(report), filename=PREVIEW_FILENAME,
                                     caption="Rincian pratinjau: perbedaan (bot vs file), hasil tiap baris, galat. "
                                             "Berisi nama — simpan dengan aman.")
    elif action is cb.ImporCancel:
        await store.set_state(services.db, item.id, "cancelled")
        await message.edit_text("Impor dibatalkan. Tidak ada yang ditulis.")
    elif action is cb.ImporGo:
        await message.edit_reply_markup(None)
        await _write(message, services, item, data)


async def _assign(query: Any, message: Message, context: TpkContext, item: store.Impor, ids: list[int]) -> None:
    """Pick a TPK member of one desa of the import, then give them its families there."""
    services = context.services
    desa = await store.desa_of_import(services.db, item.id)
    if item.state != "done" or ids[0] >= len(desa):
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    code = desa[ids[0]]
    members = [m for m in await users.list_in_scope(services.db, code, (Role.TPK,)) if m.active]
    if len(ids) == 1:
        await query.answer()
        if not members:
            await message.reply_text(f"Belum ada anggota TPK di {html.escape(services.regions.label(code))}.")
            return
        rows = [[InlineKeyboardButton(fit_button(m.full_name),
                                      callback_data=cb.data(cb.ImporAssignTo(item.id, ids[0], m.id)))]
                for m in members[:30]]
        await message.reply_text(f"Keluarga impor #{item.id} di {html.escape(services.regions.label(code))} "
                                 "ditugaskan ke siapa?", reply_markup=InlineKeyboardMarkup(rows))
        return
    member = next((m for m in members if m.id == ids[1]), None)
    if member is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    count = await store.assign_import(services.db, item.id, code, member.id, by=context.caller.user_id,
                                      now=services.clock.now())
    await message.edit_text(f"👤 {number(count)} keluarga impor #{item.id} di "
                            f"{html.escape(services.regions.label(code))} kini di daftar "
                            f"<b>{html.escape(member.full_name)}</b> saja.")


async def _undo(query: Any, message: Message, context: TpkContext, item: store.Impor) -> None:
    if item.state != "done":
        await query.answer("Impor ini tidak bisa dibatalkan lagi.", show_alert=True)
        return
    await query.answer()
    services = context.services
    try:
        counts = await store.undo(services.db, item, actor_id=context.caller.user_id, now=services.clock.now())
    except store.UndoRefused as exc:
        await message.reply_text(f"Impor #{item.id} tidak dibatalkan: {exc}")
        return
    await message.reply_text(f"↩️ Impor #{item.id} dibatalkan: {number(counts.get('keluarga', 0))} keluarga dan "
                             f"{number(counts.get('sasaran', 0))} sasaran dihapus.")


async def resume_cut_off(context: ContextTypes.DEFAULT_TYPE) -> None:
    """At start-up: finish imports a crash or restart cut off (their file is re-read from Telegram); one this
    process is running itself is left to it."""
    services: Services = context.application.bot_data[SERVICES_KEY]
    for item in await store.cut_off(services.db, services.boot_id):
        if item.file_id is None:
            continue  # a command-line import: continued by running the command again
        file = await context.bot.get_file(item.file_id)
        data = bytes(await file.download_as_bytearray())
        prepared = await run.prepare(services, data)
        counts = await run.write(services, item, data, run.plans_of(item, prepared))
        await context.bot.send_message(item.actor_id, f"✅ Impor #{item.id} dilanjutkan setelah bot dimulai ulang "
                                                      f"dan selesai: {run.summary(counts)}.")


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("impor", impor))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, on_document))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.IMPOR.pattern))
    if app.job_queue is not None:
        app.job_queue.run_once(resume_cut_off, when=1, name="impor-resume")
