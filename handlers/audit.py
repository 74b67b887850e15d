"""/audit: the Audit Kasus Stunting round — where it stands and the buttons for the next step.

- a koordinator of a kab/kota (or the root) and the admin open a round for the semester, see the
  shortlist with why each case was picked, keep / drop (with a reason) / add cases
  (``/audit tambah <nama>``), move the round on, invite the tim pakar, mark reviews done, record
  RTL outcomes and produce the Diseminasi I and II files; ``/audit akses`` lists who read which KKA,
  ``/audit arsip`` shows the last closed rounds (their files and access list stay available);
- a pakar sees only the cases of the open rounds they are invited to; the KKA in chat and as PDF;
- a TPK member sees their own cases and completes each KKA (``conversations/kka.py``).

Buttons are ``bot.callbacks.AUDIT`` (an action and its ids, read through :mod:`bot.audit.callbacks`);
every one re-checks access.
"""

from __future__ import annotations

import html
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.access import for_command
from bot.audit import callbacks as acb
from bot.audit import kka, replies, service
from bot.audit.callbacks import AuditButton
from bot.context import TpkContext
from bot.domain.audit_criteria import Group
from bot.domain.audit_round import Semester, Stage
from bot.domain.roles import Role
from bot.domain.tokens import new_token
from bot.labels import fit_button
from storage import audit_kasus as store
from storage import invitations
from storage import keluarga as keluarga_store
from storage.audit_kasus import AlreadyOpen, Case, Round

NOT_YOURS = "Putaran audit atau kasus ini tidak tersedia untuk Anda."
PAGE_SIZE = 8
STATUS_LABELS = {"usulan": "diusulkan", "tetap": "ditetapkan", "batal": "dibatalkan"}


def _b(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _manages(context: TpkContext) -> bool:
    return context.caller.role in (Role.ADMIN, Role.KOORDINATOR)


async def _round_text(context: TpkContext, round_: Round) -> tuple[str, InlineKeyboardMarkup]:
    services = context.services
    p = await service.progress(services, round_)
    stages = list(Stage)
    text = (f"<b>{html.escape(service.round_label(services, round_))}</b>\n"
            f"Tahap: <b>{round_.stage.label}</b> ({stages.index(round_.stage) + 1}/{len(stages)})\n"
            f"Kasus: {p.proposed - p.dropped} aktif ({p.kept} ditetapkan, {p.dropped} dibatalkan)\n"
            f"KKA lengkap: {p.kka_done} · kajian selesai: {p.reviewed}")
    rows = [[_b("📋 Daftar kasus", acb.audit("list", round_.id, 0))]]
    if _manages(context):
        nxt = round_.stage.next()
        if nxt is not None:
            rows.append([_b(f"➡️ Lanjut: {nxt.label}", acb.audit("next", round_.id, stages.index(round_.stage)))])
        if round_.stage in (Stage.KKA, Stage.KAJIAN):
            rows.append([_b("👥 Undang tim pakar", acb.audit("inv", round_.id))])
        if round_.stage in (Stage.DISEMINASI_1, Stage.PEMANTAUAN):
            rows.append([_b("📊 Berkas Diseminasi I", acb.audit("dis", round_.id, 1))])
        if round_.stage in (Stage.DISEMINASI_2, Stage.SELESAI):
            rows.append([_b("📊 Berkas Diseminasi II", acb.audit("dis", round_.id, 2))])
        if stages.index(round_.stage) >= stages.index(Stage.KAJIAN):
            rows.append([_b("📌 Tindak lanjut", acb.audit("rtl", round_.id)),
                         _b("📈 Tren kasus", acb.audit("trend", round_.id))])
        rows.append([_b("👥 Tim pakar", acb.audit("tim", round_.id)),
                     _b("🔍 Siapa membaca KKA", acb.audit("akses", round_.id))])
    rows.append([_b("📄 Semua KKA (PDF)", acb.audit("pdf", round_.id))])
    return text, InlineKeyboardMarkup(rows)


async def _show(target: Message, text: str, markup: InlineKeyboardMarkup | None, *, edit: bool) -> None:
    if edit:
        await target.edit_text(text, reply_markup=markup)
    else:
        await target.reply_text(text, reply_markup=markup)


@for_command("audit")
async def audit(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    caller, services = context.caller, context.services
    words = [w.lower() for w in (context.args or [])]
    if caller.role is Role.TPK:
        await _tpk_cases(message, context)
        return
    if caller.role is Role.PAKAR:
        rounds = await store.rounds_of_pakar(services.db, caller.user_id)
    else:
        rounds = [r for r in await store.rounds_in_scope(services.db, caller.scope or "") if r.open]
    if words[:1] == ["akses"] and rounds and _manages(context):
        await _access(message, context, rounds[0], edit=False)
        return
    if words[:1] == ["arsip"] and _manages(context):
        closed = [r for r in await store.rounds_in_scope(services.db, caller.scope or "") if not r.open][:4]
        for round_ in closed:
            text, markup = await _round_text(context, round_)
            await message.reply_text(text, reply_markup=markup)
        if not closed:
            await message.reply_text("Belum ada putaran audit yang selesai di wilayah Anda.")
        return
    if words[:1] == ["tambah"] and _manages(context):
        await _search(message, context, rounds, " ".join(words[1:]))
        return
    for round_ in rounds:
        text, markup = await _round_text(context, round_)
        await message.reply_text(text, reply_markup=markup)
    if caller.role is Role.PAKAR:
        if not rounds:
            await message.reply_text("Belum ada putaran audit yang terbuka untuk Anda.")
        return
    if not service.may_open(caller):
        if not rounds:
            await message.reply_text("Putaran audit kasus stunting dibuka oleh koordinator kabupaten/kota. "
                                     "Belum ada putaran yang terbuka di wilayah Anda.")
        return
    semester = Semester.of(service.today(services))
    if any(r.region_code == caller.scope and (r.year, r.semester) == (semester.year, semester.half) for r in rounds):
        return
    await message.reply_text(
        f"Belum ada putaran audit {semester.label} untuk {html.escape(services.regions.label(caller.scope or ''))}.",
        reply_markup=InlineKeyboardMarkup([[_b(f"➕ Buka {semester.label}", acb.audit("open", semester.year,
                                                                                      semester.half))]]))


async def _tpk_cases(message: Message, context: TpkContext) -> None:
    cases = await store.cases_of_tpk(context.services.db, context.caller.user_id)
    if not cases:
        await message.reply_text("Tidak ada kasus audit untuk Anda saat ini.")
        return
    rows = []
    for case in cases:
        done = "✅" if case.kka is not None else "📝"
        rows.append([_b(f"{done} Lengkapi KKA no. {case.number}", acb.kka_form(case.id)),
                     _b(f"📖 Baca no. {case.number}", acb.audit("kka", case.id, 0))])
    await message.reply_text("Kasus audit yang perlu Anda kunjungi dan lengkapi KKA-nya:",
                             reply_markup=InlineKeyboardMarkup(rows))


async def _search(message: Message, context: TpkContext, rounds: list[Round], query: str) -> None:
    round_ = next((r for r in rounds if r.stage in (Stage.SELEKSI, Stage.KKA)), None)
    if round_ is None:
        await message.reply_text("Kasus hanya bisa ditambah pada tahap seleksi atau KKA dari putaran yang terbuka.")
        return
    if len(query) < 2:
        await message.reply_text("Tulis nama sasarannya, misalnya: /audit tambah Budi")
        return
    found = await keluarga_store.search_sasaran(context.services.db, round_.region_code, query[:60])
    if not found:
        await message.reply_text("Tidak ada sasaran yang cocok di wilayah putaran ini. Coba nama lain.")
        return
    await message.reply_text("Pilih sasaran yang ditambahkan sebagai kasus:", reply_markup=InlineKeyboardMarkup(
        [[_b(fit_button(f"{s.name} · {context.services.regions.label(s.region_code)}"),
             acb.audit("add", round_.id, s.id))] for s in found]))


async def _access(message: Message, context: TpkContext, round_: Round, *, edit: bool) -> None:
    readers = await store.readers(context.services.db, round_.id)
    lines = [f"Kasus {number}: {html.escape(name)} ({Role(role).label if role else '?'}) — {times}×"
             for number, name, role, times in readers] or ["Belum ada yang membuka KKA."]
    await _show(message, f"<b>Akses KKA — {html.escape(service.round_label(context.services, round_))}</b>\n"
                + "\n".join(lines), None, edit=edit)


# -- buttons -------------------------------------------------------------------------------


@for_command("audit")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    button = acb.parse_audit(query.data)
    if button is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    handler = _CASE_ACTIONS.get(button.action)
    if handler is not None:
        case = await store.case(context.services.db, button.args[0])
        if case is None or not await service.may_read(context.services, context.caller, case):
            await query.answer(NOT_YOURS, show_alert=True)
            return
        await handler(update, context, button, case, query.message)
        return
    if button.action == "open":
        await _open(update, context, button)
        return
    if button.action in ("add", "ar") and not _manages(context):
        await query.answer(NOT_YOURS, show_alert=True)
        return
    round_ = await store.visible_round(context.services.db, round_id=button.args[0], role=context.caller.role,
                                       scope=context.caller.scope, user_id=context.caller.user_id)
    if round_ is None or (button.action not in _READERS and not _manages(context)):
        await query.answer(NOT_YOURS, show_alert=True)
        return
    await _ROUND_ACTIONS[button.action](update, context, button, round_, query.message)


async def _open(update: Update, context: TpkContext, button: AuditButton) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    services, caller = context.services, context.caller
    semester = Semester.of(service.today(services))
    if not service.may_open(caller) or button.args != (semester.year, semester.half):
        await query.answer(NOT_YOURS, show_alert=True)
        return
    try:
        round_, count = await service.open_round(services, caller, semester)
    except AlreadyOpen:
        await query.answer("Putaran untuk semester ini sudah terbuka. Ketik /audit.", show_alert=True)
        return
    await query.answer()
    text, markup = await _round_text(context, round_)
    await query.edit_message_text(f"✅ Putaran dibuka. Bot mengusulkan {count} kasus dari data yang ada.\n\n{text}",
                                  reply_markup=markup)


async def _round(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    text, markup = await _round_text(context, round_)
    await msg.edit_text(text, reply_markup=markup)


async def _next(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    query = update.callback_query
    assert query is not None
    if button.args[1] != list(Stage).index(round_.stage) or round_.stage is Stage.SELESAI:
        await query.answer("Tahap putaran sudah berubah.", show_alert=True)
        return
    moved = await service.advance(context.services, context.caller, round_)
    if moved is None:
        await query.answer("Tahap putaran sudah berubah.", show_alert=True)
        return
    await query.answer(f"Tahap sekarang: {moved.label}")
    refreshed = await store.visible_round(context.services.db, round_id=round_.id, role=context.caller.role,
                                          scope=context.caller.scope, user_id=context.caller.user_id)
    assert refreshed is not None
    text, markup = await _round_text(context, refreshed)
    await msg.edit_text(text, reply_markup=markup)


def _kecamatan(context: TpkContext, case: Case) -> str:
    return context.services.regions.label(case.region_code[:8])


async def _list(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    cases = await store.cases(context.services.db, round_.id)
    pages = max(1, -(-len(cases) // PAGE_SIZE))
    page = min(button.args[1], pages - 1)
    shown = cases[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    rows = [[_b(fit_button(f"No. {c.number} · {Group(c.group).label} · {_kecamatan(context, c)} · "
                           f"{STATUS_LABELS[c.status]}", 64), acb.audit("case", c.id))] for c in shown]
    nav = []
    if page > 0:
        nav.append(_b("◀️ Sebelumnya", acb.audit("list", round_.id, page - 1)))
    if page < pages - 1:
        nav.append(_b("Berikutnya ▶️", acb.audit("list", round_.id, page + 1)))
    rows += [nav] if nav else []
    rows.append([_b("⬆️ Putaran", acb.audit("round", round_.id))])
    await msg.edit_text(f"<b>Kasus</b> ({len(cases)}), halaman {page + 1}/{pages}. Ketuk untuk melihat alasannya.",
                        reply_markup=InlineKeyboardMarkup(rows))


async def _case_view(context: TpkContext, case: Case) -> tuple[str, InlineKeyboardMarkup]:
    """The anonymous card of a case (number, group, kecamatan, why): names only inside the KKA."""
    services = context.services
    round_ = await service.round_of_case(services, context.caller, case)
    why = "\n".join(f"• {html.escape(text)}" for _, text in case.reasons)
    text = (f"<b>Kasus no. {case.number}</b> · {Group(case.group).label} · {html.escape(_kecamatan(context, case))}\n"
            f"Status: {STATUS_LABELS[case.status]}"
            + (f" ({html.escape(case.status_reason)})" if case.status_reason else "") + f"\n{why}\n"
            f"KKA: {'lengkap' if case.kka is not None else 'menunggu kunjungan TPK'}"
            + (" · kajian selesai" if case.review_done else ""))
    rows = [[_b("📖 Baca KKA", acb.audit("kka", case.id, 0)), _b("📄 KKA (PDF)", acb.audit("kpdf", case.id))]]
    if round_ is not None and _manages(context) and round_.stage in (Stage.SELEKSI, Stage.KKA):
        rows.append([_b("✅ Tetapkan", acb.audit("keep", case.id)), _b("❌ Batalkan", acb.audit("drop", case.id))])
    if round_ is not None and _manages(context) and round_.stage is Stage.KAJIAN and not case.review_done:
        rows.append([_b("✅ Kajian selesai", acb.audit("done", case.id))])
    if context.caller.role is Role.PAKAR and round_ is not None and round_.stage is Stage.KAJIAN:
        rows.append([_b("📝 Isi kajian", acb.review_form(case.id))])
    if round_ is not None:
        rows.append([_b("⬆️ Daftar kasus", acb.audit("list", round_.id, 0))])
    return text, InlineKeyboardMarkup(rows)


async def _case(update: Update, context: TpkContext, button: AuditButton, case: Case, msg: Message) -> None:
    assert update.callback_query is not None
    if context.caller.role is Role.TPK:
        await update.callback_query.answer(NOT_YOURS, show_alert=True)
        return
    await update.callback_query.answer()
    text, markup = await _case_view(context, case)
    await msg.edit_text(text, reply_markup=markup)


async def _decide(update: Update, context: TpkContext, button: AuditButton, case: Case, msg: Message) -> None:
    """keep, drop (asks the reason), dr (dropped with reason i), done (review marked done)."""
    query = update.callback_query
    assert query is not None
    services, caller = context.services, context.caller
    round_ = await service.round_of_case(services, caller, case)
    stage_ok = round_ is not None and (round_.stage is Stage.KAJIAN if button.action == "done"
                                       else round_.stage in (Stage.SELEKSI, Stage.KKA))
    if not _manages(context) or not stage_ok:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    now = services.clock.now()
    if button.action == "drop":
        await query.answer()
        await msg.edit_text(f"Mengapa kasus no. {case.number} dibatalkan?", reply_markup=InlineKeyboardMarkup(
            [[_b(reason, acb.audit("dr", case.id, i))] for i, reason in enumerate(service.DROP_REASONS)]))
        return
    if button.action == "dr":
        if button.args[1] >= len(service.DROP_REASONS):
            await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
            return
        await store.set_status(services.db, case, status="batal", reason=service.DROP_REASONS[button.args[1]],
                               actor_id=caller.user_id, now=now)
    elif button.action == "keep":
        await store.set_status(services.db, case, status="tetap", reason=case.status_reason, actor_id=caller.user_id,
                               now=now)
    else:
        await store.mark_review_done(services.db, case, actor_id=caller.user_id, now=now)
    await query.answer("Tersimpan.")
    fresh = await store.case(services.db, case.id)
    assert fresh is not None
    text, markup = await _case_view(context, fresh)
    await msg.edit_text(text, reply_markup=markup)


async def _read_kka(update: Update, context: TpkContext, button: AuditButton, case: Case, msg: Message) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    sections = await replies.kka_sections(services, case)
    page = min(button.args[1], len(sections) - 1)
    await store.log_read(services.db, case_id=case.id, actor_id=context.caller.user_id, how=f"chat:{page}",
                         now=services.clock.now())
    await query.answer()
    section = sections[page]
    body = "\n".join(html.escape(line) for line in kka.as_text(section))
    nav = []
    if page > 0:
        nav.append(_b("◀️", acb.audit("kka", case.id, page - 1)))
    if page < len(sections) - 1:
        nav.append(_b("▶️", acb.audit("kka", case.id, page + 1)))
    text = f"<b>KKA kasus no. {case.number}</b> — {section.title} ({page + 1}/{len(sections)})\n{body}"
    await msg.reply_text(text, reply_markup=InlineKeyboardMarkup([nav]) if nav else None)


async def _case_pdf(update: Update, context: TpkContext, button: AuditButton, case: Case, msg: Message) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await replies.send_case_pdf(context.services, context.caller, case, msg)


async def _round_pdf(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await replies.send_round_pdf(context.services, context.caller, round_, msg)


async def _diseminasi(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    query = update.callback_query
    assert query is not None
    part = button.args[1]
    stages = list(Stage)
    earliest = Stage.DISEMINASI_1 if part == 1 else Stage.DISEMINASI_2
    if part not in (1, 2) or stages.index(round_.stage) < stages.index(earliest):
        await query.answer("Berkas ini belum bisa dibuat pada tahap sekarang.", show_alert=True)
        return
    await query.answer("Menyiapkan berkas…")
    await replies.send_diseminasi(context.services, context.caller, round_, part, msg)


async def _invite(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    if button.action == "inv":
        await query.answer()
        await msg.reply_text("Undang anggota tim pakar. Apa keahliannya?", reply_markup=InlineKeyboardMarkup(
            [[_b(name, acb.audit("invs", round_.id, i))] for i, name in enumerate(service.SPECIALITIES)]))
        return
    if button.args[1] >= len(service.SPECIALITIES) or not round_.open:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    token = new_token()
    speciality = service.SPECIALITIES[button.args[1]]
    await invitations.create(services.db, token=token, role=Role.PAKAR, region_code=round_.region_code,
                             created_by=context.caller.user_id, now=services.clock.now(),
                             valid_for=timedelta(days=services.settings.access.invitation_days),
                             audit_round_id=round_.id, speciality=speciality)
    await msg.edit_text(f"✅ Undangan <b>Tim pakar</b> ({html.escape(speciality)}) untuk "
                        f"<b>{html.escape(service.round_label(services, round_))}</b>, untuk satu orang saja.\n\n"
                        f"Teruskan tautan ini kepada orangnya:\n{services.deep_link(token)}")


async def _team(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    """The round's pakar, each with a button to remove them (their access ends at once)."""
    query = update.callback_query
    assert query is not None
    services = context.services
    if button.action == "rmp":
        removed = await store.remove_pakar(services.db, round_id=round_.id, user_id=button.args[1],
                                           actor_id=context.caller.user_id, now=services.clock.now())
        await query.answer("Dikeluarkan dari tim pakar." if removed else texts.EXPIRED_BUTTON, show_alert=not removed)
    else:
        await query.answer()
    team = await store.pakar_of(services.db, round_.id)
    lines = [f"• {html.escape(name)} — {html.escape(speciality)}" for _, name, speciality in team]
    rows = [[_b(fit_button(f"➖ Keluarkan {name}"), acb.audit("rmp", round_.id, user_id))] for user_id, name, _ in team]
    rows.append([_b("⬆️ Putaran", acb.audit("round", round_.id))])
    await msg.edit_text("<b>Tim pakar</b>\n" + ("\n".join(lines) or "Belum ada anggota tim pakar."),
                        reply_markup=InlineKeyboardMarkup(rows))


async def _add(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    if round_.stage not in (Stage.SELEKSI, Stage.KKA):
        await query.answer(NOT_YOURS, show_alert=True)
        return
    sasaran = await keluarga_store.get_sasaran(services.db, round_.region_code, button.args[1])
    if sasaran is None:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    if button.action == "add":
        await query.answer()
        await msg.edit_text("Mengapa sasaran ini ditambahkan sebagai kasus?", reply_markup=InlineKeyboardMarkup(
            [[_b(reason, acb.audit("ar", round_.id, sasaran.id, i))] for i, reason in enumerate(service.ADD_REASONS)]))
        return
    if button.args[2] >= len(service.ADD_REASONS):
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    group = Group.ANAK.value if sasaran.category in ("baduta", "balita") else sasaran.category
    case = await store.add_case(services.db, round_, sasaran_id=sasaran.id, group=group,
                                reason=service.ADD_REASONS[button.args[2]], actor_id=context.caller.user_id,
                                now=services.clock.now())
    if case is None:
        await query.answer("Sasaran ini sudah menjadi kasus putaran ini.", show_alert=True)
        return
    await query.answer("Kasus ditambahkan.")
    text, markup = await _case_view(context, case)
    await msg.edit_text(text, reply_markup=markup)


async def _rtl(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    """RTL items by party, overdue first; ``rtlx`` asks the outcome, ``rtlok`` records it."""
    query = update.callback_query
    assert query is not None
    services = context.services
    today = service.today(services)
    if button.action == "rtlok" and (button.args[2] >= len(service.RTL_OUTCOMES) or not await store.record_outcome(
            services.db, rtl_id=button.args[1], round_id=round_.id, outcome=service.RTL_OUTCOMES[button.args[2]],
            actor_id=context.caller.user_id, now=services.clock.now())):
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    if button.action == "rtlx":
        await query.answer()
        await msg.edit_text("Bagaimana hasil tindak lanjut ini?", reply_markup=InlineKeyboardMarkup(
            [[_b(o, acb.audit("rtlok", round_.id, button.args[1], i))] for i, o in enumerate(service.RTL_OUTCOMES)]))
        return
    await query.answer()
    items = sorted(await store.rtl_items(services.db, round_.id),
                   key=lambda t: (t.status != "terbuka", not t.due_on < today, t.party, t.due_on))
    lines, rows = [], []
    for t in items:
        late = " ⚠️ terlambat" if t.status == "terbuka" and t.due_on < today else ""
        state = f"selesai ({t.outcome})" if t.status == "selesai" else f"sebelum {t.due_on:%d-%m-%Y}{late}"
        lines.append(f"• [{html.escape(t.party)}] kasus {t.case_number}: {html.escape(t.action)} — {state}")
        if t.status == "terbuka" and t.party != "TPK":
            label = fit_button(f"✍️ Catat hasil: kasus {t.case_number}, {t.party}")
            rows.append([_b(label, acb.audit("rtlx", round_.id, t.id))])
    rows.append([_b("⬆️ Putaran", acb.audit("round", round_.id))])
    await msg.edit_text("<b>Rencana tindak lanjut</b>\n" + ("\n".join(lines) or "Belum ada RTL."),
                        reply_markup=InlineKeyboardMarkup(rows))


async def _trend(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    found = await service.trends(context.services, round_)
    cases = await store.cases(context.services.db, round_.id, include_dropped=False)
    lines = [f"Kasus {c.number}: {found.get(c.id) or 'belum diukur lagi'}" for c in cases]
    until = next((d for d in (service.follow_up_until(context.services, c) for c in cases) if d), None)
    window = f" (pengukuran sampai {until:%d-%m-%Y})" if until else ""
    await msg.reply_text(f"<b>Tren sejak Diseminasi I</b>{window}\n" + "\n".join(lines))


async def _akses(update: Update, context: TpkContext, button: AuditButton, round_: Round, msg: Message) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _access(msg, context, round_, edit=False)


_CASE_ACTIONS = {"case": _case, "keep": _decide, "drop": _decide, "dr": _decide, "done": _decide,
                 "kka": _read_kka, "kpdf": _case_pdf}
_ROUND_ACTIONS = {"round": _round, "next": _next, "list": _list, "pdf": _round_pdf, "dis": _diseminasi,
                  "inv": _invite, "invs": _invite, "add": _add, "ar": _add, "rtl": _rtl, "rtlx": _rtl,
                  "rtlok": _rtl, "trend": _trend, "akses": _akses, "tim": _team, "rmp": _team}
#: What a pakar may do on their round; everything else is the coordinators'.
_READERS = frozenset({"round", "list", "pdf"})


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("audit", audit))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.AUDIT.pattern))
