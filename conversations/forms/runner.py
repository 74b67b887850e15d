"""Telegram glue for the form engine.

State lives in the ``drafts`` table, not in PTB's memory: each answer is saved
before the next question goes out, the member's next message after a restart is
simply the answer to the question on their screen, and every button carries its
draft's key so buttons of finished or discarded forms are recognised as stale.
Callback data: ``bot.callbacks.FormPress`` (draft key, action, field, argument).
"""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import callbacks as cb
from bot import reminders, texts
from bot.access import allowed, refuse
from bot.commands import MEMBERS
from bot.context import TpkContext
from bot.domain.roles import Role
from bot.formatting import long_date
from bot.transport.lean import edit_html, send_html
from conversations.forms import engine, render
from conversations.forms.fields import Notice, escape
from conversations.forms.model import Form, FormContext, Submitted
from conversations.forms.render import Button, Screen
from storage import drafts
from storage.db import DatabaseBusy, StorageUnavailable
from storage.drafts import Draft, Drafts

log = logging.getLogger(__name__)

FORMS: dict[str, Form] = {}
DRAFT_EXPIRED = ("Draf <b>{title}</b> dari {day} sudah lebih dari {days} hari tidak disentuh, jadi dihapus. "
                 "Silakan mulai lagi bila perlu.")
PAUSED = "Isian dihentikan. Jawaban Anda tersimpan sebagai draf — ketik /lanjut untuk meneruskan."
NO_DRAFT = "Tidak ada isian yang belum selesai."
NOT_FOR_YOU = "Tombol ini bukan untuk Anda."
ALREADY_SENT = "Laporan ini sudah terkirim sebelumnya, tidak disimpan dua kali."
ODD_INPUT = "Maaf, untuk pertanyaan ini mohon ketik jawabannya atau tekan salah satu tombol."
NOT_DELIVERED = "Maaf, pertanyaan berikut tadi belum sampai. Jawaban Anda sebelumnya sudah tersimpan:"
TYPED_BEFORE = "Pesan tadi terkirim sebelum pertanyaan ini muncul, jadi tidak dipakai sebagai jawabannya:"
OLD_BUTTON = "Tombol lama — ini pertanyaan yang sedang berjalan."
FOR_THE_MEMBER = "Ketik /bantuan untuk melihat perintah yang bisa Anda pakai."
SAVING_SLOWLY = ("⏳ Sistem sedang sibuk. Jawaban Anda sedang disimpan — mohon tunggu sebentar, "
                 "tidak perlu mengetik ulang.")
NOT_SAVED = ("Maaf, jawaban terakhir Anda belum tersimpan karena sistem sedang sibuk. "
             "Mohon kirim lagi jawaban yang sama sebentar lagi.")
#: A save slower than this (another process holds the database) is announced to the member.
SLOW_SAVE_S = 3.0


#: Who fills in forms: the members, and a pakar their review (conversations/kajian.py).
FORM_USERS = MEMBERS | {Role.PAKAR}

def register_form(form: Form) -> Form:
    FORMS[form.name] = form
    return form


def _drafts(context: TpkContext) -> Drafts:
    return Drafts(context.services.db, context.services.cipher)


def form_context(context: TpkContext, extra: dict[str, Any]) -> FormContext:
    services = context.services
    today = services.clock.now().astimezone(services.settings.wilayah.zone).date()
    return FormContext(services=services, caller=context.caller, today=today, extra=extra)


def _markup(key: str, rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(b.label, callback_data=cb.data(cb.FormPress(key, b.action, b.key, b.arg))) for b in row]
        for row in rows
    ])


async def _send(chat_id: int, context: TpkContext, key: str, screen: Screen, prefix: str = "") -> None:
    text = f"{prefix}\n\n{screen.text}" if prefix else screen.text
    await send_html(context.bot, chat_id, text, _markup(key, screen.rows))


async def _save(context: TpkContext, draft_form: str, key: str, state: dict[str, Any]) -> None:
    state["boot"] = context.services.boot_id
    await _drafts(context).save(user_id=context.caller.user_id, form=draft_form, key=key, state=state,
                      now=context.services.clock.now())


async def _save_answer(context: TpkContext, chat_id: int, draft_form: str, key: str, state: dict[str, Any]) -> bool:
    """Save a draft holding what the member just answered, telling them the truth.

    The storage layer keeps trying while another process holds the database
    (:func:`storage.db.patiently`), with the answer in memory meanwhile; past
    :data:`SLOW_SAVE_S` the member is told it is being saved, and only if it could not be
    saved at all are they asked to send it again. False then: nothing was stored."""
    saving = asyncio.ensure_future(_save(context, draft_form, key, state))
    try:
        done, _ = await asyncio.wait({saving}, timeout=SLOW_SAVE_S)
        if not done:
            try:
                await context.bot.send_message(chat_id, SAVING_SLOWLY)
            except TelegramError:  # the save goes on; the next question tells them anyway
                log.warning("could not tell user %s that the answer is being saved", context.caller.user_id)
        await saving
    except (DatabaseBusy, StorageUnavailable) as error:
        log.warning("draft %s of user %s not saved: %s", key, context.caller.user_id, type(error).__name__)
        await context.bot.send_message(chat_id, NOT_SAVED)
        return False
    except asyncio.CancelledError:  # this update was cancelled (shutdown) while saving
        saving.cancel()
        raise
    return True


def _expired(context: TpkContext, draft: Draft) -> bool:
    days = context.services.settings.formulir.draft_days
    return context.services.clock.now() - draft.updated_at > timedelta(days=days)


async def _expire(context: TpkContext, draft: Draft, chat_id: int) -> None:
    await _drafts(context).delete(draft.key)
    form = FORMS.get(draft.form)
    title = form.title if form else draft.form
    zone = context.services.settings.wilayah.zone
    await context.bot.send_message(chat_id, DRAFT_EXPIRED.format(
        title=escape(title), day=long_date(draft.updated_at.astimezone(zone).date()),
        days=context.services.settings.formulir.draft_days))


async def active_draft(context: TpkContext, chat_id: int) -> tuple[Draft | None, bool]:
    """The draft a typed message answers (the most recent one not paused by /batal),
    and whether an expired draft was just removed (the member has been told)."""
    expired = False
    for draft in await _drafts(context).for_user(context.caller.user_id):
        if draft.form not in FORMS:
            continue
        if _expired(context, draft):
            await _expire(context, draft, chat_id)
            expired = True
            continue
        if not draft.state.get("paused"):
            return draft, expired
    return None, expired


async def start(update: Update, context: TpkContext, form: Form, extra: dict[str, Any] | None = None) -> None:
    """Open ``form``; an unfinished draft of it is offered first."""
    chat = update.effective_chat
    assert chat is not None
    extra = extra or {}
    existing = await _drafts(context).get(context.caller.user_id, form.name)
    if existing is not None and _expired(context, existing):
        await _expire(context, existing, chat.id)
        existing = None
    if existing is not None and not existing.state.get("history"):
        await _resume(context, chat.id, existing)  # nothing typed yet: nothing to choose
        return
    if existing is not None:
        context.user_data["restart"] = {"form": form.name, "extra": extra}  # type: ignore[index]
        count = engine.answered_count(form, existing.state)
        await context.bot.send_message(
            chat.id,
            f"Anda masih punya draf <b>{escape(form.title)}</b> yang belum selesai ({count} jawaban).",
            reply_markup=_markup(existing.key, [[Button("Lanjutkan draf", "resume"),
                                                 Button("Buang, mulai baru", "new")]]),
        )
        return
    await _open(context, chat.id, form, extra)


async def _open(context: TpkContext, chat_id: int, form: Form, extra: dict[str, Any]) -> None:
    ctx = form_context(context, extra)
    state = engine.new_state(form, ctx, extra)
    step = await engine.settle(form, state, ctx)
    key = uuid.uuid4().hex[:12]
    await _save(context, form.name, key, state)
    await _send(chat_id, context, key, render.screen(form, state, ctx),
                render.answered_lines(form, state, ctx, step, all_answers=False))


async def _resume(context: TpkContext, chat_id: int, draft: Draft) -> None:
    form = FORMS[draft.form]
    state = draft.state
    state["paused"] = False
    await _save(context, draft.form, draft.key, state)
    ctx = form_context(context, state["context"])
    await _send(chat_id, context, draft.key, render.screen(form, state, ctx), render.summary_line(form, state, ctx))
    state["shown"] = state["current"]  # the member has it now (see _deliver)
    await _drafts(context).restate(draft.key, state)


async def lanjut(update: Update, context: TpkContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    for draft in await _drafts(context).for_user(context.caller.user_id):
        if draft.form not in FORMS:
            continue
        if _expired(context, draft):
            await _expire(context, draft, chat.id)
            continue
        await _resume(context, chat.id, draft)
        return
    await context.bot.send_message(chat.id, NO_DRAFT)


async def pause(update: Update, context: TpkContext) -> bool:
    """/batal inside a form: keep the draft, stop routing messages to it."""
    chat = update.effective_chat
    if chat is None or not allowed(context, FORM_USERS):
        return False
    draft, _ = await active_draft(context, chat.id)
    if draft is None:
        return False
    draft.state["paused"] = True
    await _save(context, draft.form, draft.key, draft.state)
    await context.bot.send_message(chat.id, PAUSED, reply_markup=ReplyKeyboardRemove())
    return True


async def _show_step(context: TpkContext, chat_id: int, form: Form, draft_key: str, state: dict[str, Any],
                     ctx: FormContext, step: engine.Step, prefix: str = "") -> None:
    if step.notice is not None:
        await _send_notice(context, chat_id, draft_key, step.notice)
        return
    if step.note:
        prefix = f"{prefix}\n\nℹ️ {escape(step.note)}".strip()
    if step.error:
        prefix = f"{prefix}\n\n⚠️ {escape(step.error)}".strip()
    await _send(chat_id, context, draft_key, render.screen(form, state, ctx), prefix)


async def _send_notice(context: TpkContext, chat_id: int, key: str, notice: Notice) -> None:
    rows = [[Button("Ubah jawaban", "cn")]]
    if not notice.blocking:
        rows.insert(0, [Button("Ya, sudah benar", "cy")])
    markup = _markup(key, rows)
    assert markup is not None
    buttons = [list(r) for r in markup.inline_keyboard]
    buttons += [[InlineKeyboardButton(label, callback_data=data)] for label, data in notice.actions]
    await context.bot.send_message(chat_id, f"⚠️ {notice.text}", reply_markup=InlineKeyboardMarkup(buttons))


async def on_text(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    if not allowed(context, FORM_USERS):
        await message.reply_text(texts.GREETING_UNKNOWN if context.caller.role is None else FOR_THE_MEMBER)
        return
    draft, expired = await active_draft(context, message.chat_id)
    if draft is None:
        if not expired:
            await message.reply_text(FOR_THE_MEMBER)
        return
    form, state = FORMS[draft.form], draft.state
    if message.message_id <= state.get("last_message_id", 0):
        return  # redelivered after a crash: already applied
    ctx = form_context(context, state["context"])
    resumed = state.get("boot") != context.services.boot_id
    previous = state.get("last_message_id", 0)
    state["last_message_id"] = message.message_id
    unused, state["unused"] = state.get("unused"), None
    if unused and message.message_id == unused + 1:
        # Typed right after a message that was not taken as an answer either, before the
        # bot's reply to it: that reply already shows the question again, once is enough.
        state["unused"] = message.message_id
        await _save(context, form.name, draft.key, state)
        return
    if state.get("shown", state["current"]) != state["current"]:
        # The question after their last answer never reached them (Telegram failed):
        # what they typed now was meant for the earlier one, so show it and answer nothing.
        state["unused"] = message.message_id
        await _deliver(context, message.chat_id, form, draft.key, state, ctx, engine.Step(), NOT_DELIVERED)
        return
    if previous and message.message_id == previous + 1:
        # Message ids in a private chat count both sides, and every typed answer gets a
        # new message back; so the id right after their last one means they typed again
        # before seeing any reply. After a restart that is the retype of an answer Telegram
        # also redelivers: it must not become the next question's answer. (A question sent
        # twice by a retried call sits between, so an answer to either copy is taken.)
        state["unused"] = message.message_id
        await _deliver(context, message.chat_id, form, draft.key, state, ctx, engine.Step(), TYPED_BEFORE)
        return
    if message.text is None:
        step = engine.Step(error=ODD_INPUT)
    else:
        step = await engine.settle(form, state, ctx, await engine.on_text(form, state, message.text, ctx))
    prefix = render.summary_line(form, state, ctx) if resumed else ""
    # "kemarin", "15 juli": the full date shown back; "003/005": both; and what the bot filled in
    prefix = f"{prefix}\n\n{render.answered_lines(form, state, ctx, step, all_answers=False)}".strip()
    await _deliver(context, message.chat_id, form, draft.key, state, ctx, step, prefix)


async def _deliver(context: TpkContext, chat_id: int, form: Form, key: str, state: dict[str, Any],
                   ctx: FormContext, step: engine.Step, prefix: str = "") -> None:
    """Save, show the next screen, then record that it was shown. If Telegram fails,
    or the process dies in between, the draft says the member has not seen the
    current question, so their next message is not taken as its answer."""
    state["shown"] = None  # until Telegram confirms: a crash in between must not count as shown
    if not await _save_answer(context, chat_id, form.name, key, state):
        return
    await _show_step(context, chat_id, form, key, state, ctx, step, prefix)
    state["shown"] = state["current"]
    await _drafts(context).restate(key, state)


async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    press = cb.FORM.parse(query.data)
    if press is None:
        await cb.refuse(query, context)
        return
    key, action, field_key, arg = press
    if action == "noop":
        await query.answer()
        return
    if not allowed(context, FORM_USERS):
        await query.answer(texts.NOT_ALLOWED, show_alert=True)
        return
    draft = await _drafts(context).by_key(key)
    if draft is None:
        await query.answer(await _finished_text(context, key, action), show_alert=True)
        return
    if draft.user_id != context.caller.user_id:
        await query.answer(NOT_FOR_YOU, show_alert=True)
        return
    chat_id = query.message.chat.id
    if _expired(context, draft):
        await query.answer()
        await _expire(context, draft, chat_id)
        return
    form, state = FORMS[draft.form], draft.state
    ctx = form_context(context, state["context"])
    if action == "resume":
        await query.answer()
        await _quiet_edit(query.message, None)
        await _resume(context, chat_id, draft)
        return
    if action in ("new", "del"):
        await query.answer()
        await _drafts(context).delete(key)
        await _quiet_edit(query.message, None)
        restart = context.user_data.pop("restart", None)  # type: ignore[union-attr]
        if action == "new" and restart and restart["form"] == draft.form:
            await _open(context, chat_id, form, restart["extra"])
        else:
            await context.bot.send_message(chat_id, f"Draf <b>{escape(form.title)}</b> dibuang.")
        return
    if action == "send":
        await _submit(context, query, form, draft)
        return
    step = await _apply(form, state, action, field_key, arg, ctx)
    if step.stale and state["pending"] is None and field_key != state["current"] and form.field(field_key):
        # A button of an earlier question of a draft that is still open: the member is brought
        # back to the question actually waiting for them, not told the button expired.
        await query.answer(OLD_BUTTON)
        state["paused"] = False
        await _deliver(context, chat_id, form, key, state, ctx, engine.Step(), f"↩️ {OLD_BUTTON}")
        return
    if step.stale:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    state["paused"] = False
    if step.error:
        await _save(context, draft.form, key, state)
        await query.answer(step.error, show_alert=True)
        return
    state["shown"] = None  # see _deliver
    await _save(context, draft.form, key, state)
    await _show_after_button(context, query, form, key, state, ctx, step)
    state["shown"] = state["current"]
    await _drafts(context).restate(key, state)


async def _show_after_button(context: TpkContext, query: Any, form: Form, key: str, state: dict[str, Any],
                             ctx: FormContext, step: engine.Step) -> None:
    if step.notice is None:
        # The next question (or the same one, refreshed) replaces this one in place: one
        # request instead of two, and a short chat; its first line keeps what was just
        # chosen in view. The press is acknowledged at the same time.
        screen = render.screen(form, state, ctx)
        text = screen.text
        if step.answered is not None:
            text = f"{render.answered_lines(form, state, ctx, step, all_answers=True)}\n\n{text}"
        await asyncio.gather(query.answer(), _quiet_edit(query.message, text, _markup(key, screen.rows)))
        return
    await asyncio.gather(query.answer(), _quiet_edit(query.message, None))
    await _show_step(context, query.message.chat.id, form, key, state, ctx, step)


async def _apply(form: Form, state: dict[str, Any], action: str, field_key: str, arg: str,
                 ctx: FormContext) -> engine.Step:
    return await engine.settle(form, state, ctx, await _transition(form, state, action, field_key, arg, ctx))


async def _transition(form: Form, state: dict[str, Any], action: str, field_key: str, arg: str,
                      ctx: FormContext) -> engine.Step:
    if action == "v":
        return await engine.on_button(form, state, field_key, arg, ctx)
    if action == "ok":
        return engine.on_multi_done(form, state, field_key)
    if action == "sk":
        return engine.on_skip(form, state, field_key)
    if action == "all":
        return engine.on_preset(form, state, field_key, ctx)
    if action == "kp":
        return await engine.on_keep(form, state, field_key, ctx)
    if action == "bk":
        return engine.on_back(form, state, field_key)
    if action in ("cal", "rg", "yr"):
        return engine.set_nav(form, state, field_key, arg, ctx)
    if action == "ed":
        return engine.on_edit(form, state, field_key)
    if action == "rv":
        return engine.on_review(form, state, field_key)
    if action in ("cy", "cn"):
        return engine.on_confirm(form, state, action == "cy")
    return engine.Step(stale=True)


async def _submit(context: TpkContext, query: Any, form: Form, draft: Draft) -> None:
    answers = engine.submittable(form, draft.state)
    if answers is None:
        await query.answer("Masih ada pertanyaan yang belum dijawab.", show_alert=True)
        return
    ctx = form_context(context, draft.state["context"])
    db = context.services.db
    async with db.transaction() as tx:
        result = await form.submit(answers, ctx, draft.key, tx)
        await drafts.delete_in_tx(tx, draft.key)
    # Acknowledged while the review is marked sent: one round trip to Telegram, not two.
    await asyncio.gather(query.answer("Terkirim ✅"),
                         _quiet_edit(query.message, f"{query.message.text_html}\n\n✅ <b>Terkirim</b>"))
    await _send_result(context, query.message.chat.id, result)
    for sasaran_id in result.sasaran_ids:  # committed: their reminder plans follow the record
        await reminders.refresh_plan(context.services, sasaran_id)
    if form.after_submit is not None:
        await form.after_submit(result, ctx, context)


async def _send_result(context: TpkContext, chat_id: int, result: Submitted) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)] for label, data in result.buttons])
    await context.bot.send_message(chat_id, result.text, reply_markup=markup if result.buttons else None)


async def _finished_text(context: TpkContext, key: str, action: str) -> str:
    if action == "send":
        for form in FORMS.values():
            if await form.already_submitted(key, form_context(context, {})) is not None:
                return ALREADY_SENT
    return texts.EXPIRED_BUTTON


async def _quiet_edit(message: Any, text: str | None, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a question in place; "not modified" and vanished messages are fine."""
    try:
        if text is None:
            await message.edit_reply_markup(None)
        else:
            await edit_html(message.get_bot(), message.chat.id, message.message_id, text, markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower() and "not found" not in str(exc).lower():
            raise


async def expire_drafts(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Periodic job (scheduled in :mod:`bot.jobs`): delete drafts untouched for ``formulir.draft_days``
    and tell their owners."""
    services = context.application.bot_data["services"]
    cutoff = services.clock.now() - timedelta(days=services.settings.formulir.draft_days)
    store = Drafts(services.db, services.cipher)
    for draft in await store.older_than(cutoff):
        await store.delete(draft.key)
        form = FORMS.get(draft.form)
        title = form.title if form else draft.form
        day = long_date(draft.updated_at.astimezone(services.settings.wilayah.zone).date())
        try:
            await context.bot.send_message(draft.user_id, DRAFT_EXPIRED.format(
                title=html.escape(title), day=day, days=services.settings.formulir.draft_days))
        except Exception:
            log.warning("could not tell user %s that a draft expired", draft.user_id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Form buttons and typed answers. Registered after the commands: in a group the
    first match wins, so commands keep working in the middle of a form."""
    app.add_handler(CommandHandler("lanjut", _members_only(lanjut)))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.FORM.pattern))


def register_text(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_text))


def _members_only(handler: Any) -> Any:
    async def gated(update: Update, context: TpkContext) -> None:
        if not allowed(context, MEMBERS):
            await refuse(update, context, "lanjut")
            return
        await handler(update, context)

    return gated
