"""/anggota: members in the caller's scope, grouped by area, with (de)activation.

Buttons (``bot.callbacks.ANGGOTA``): a page, the confirm screen for a member's new
status, doing it, and a link for a deactivated member to join again (the only link they
can use: issue 15 §4). Authority is re-checked against the stored member on every
press, whatever the button said.
"""

from __future__ import annotations

import html
from datetime import timedelta
from itertools import groupby

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import refusals
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.roles import Status, has_authority
from bot.domain.tokens import new_token
from bot.formatting import ago, long_date
from bot.labels import fit_button
from bot.widgets.paging import page_row
from storage import invitations
from storage import users as users_store
from storage.access_log import Refusal
from storage.users import Member

PAGE_SIZE = 15


def _may_manage(context: TpkContext, member: Member) -> bool:
    caller = context.caller
    return member.id != caller.user_id and has_authority(caller.role, caller.scope, member.role, member.region_code)


def _line(context: TpkContext, member: Member) -> str:
    role = member.role.label
    if member.team_position is not None:
        role = f"{role}, {member.team_position.label}"
    state = "aktif " + ago(member.last_active_at, context.services.clock.now())
    if not member.active:
        state = "🚫 nonaktif"
    return f"• {html.escape(member.full_name)} — {role} — {state}"


async def _render(context: TpkContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    caller = context.caller
    assert caller.scope is not None
    regions = context.services.regions
    members = await users_store.list_in_scope(context.services.db, caller.scope)
    title = f"<b>Anggota di {html.escape(regions.label(caller.scope))}</b> ({len(members)})"
    if not members:
        return f"{title}\n\nBelum ada anggota. Pakai /undang untuk mengundang.", None
    pages = max(1, -(-len(members) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = members[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [title]
    for area, group in groupby(shown, key=lambda m: m.region_code):
        name = regions.disambiguated_name(area) if area in regions else area
        label = regions.label(area).split(" ")[0] if area in regions else ""
        lines.append(f"\n<b>{html.escape(f'{label} {name}'.strip())}</b>")
        lines.extend(_line(context, m) for m in group)
    rows: list[list[InlineKeyboardButton]] = []
    for member in shown:
        if _may_manage(context, member):
            target = Status.INACTIVE if member.active else Status.ACTIVE
            verb = "Nonaktifkan" if member.active else "Aktifkan"
            rows.append([InlineKeyboardButton(fit_button(f"{verb} {member.full_name}"),
                                              callback_data=cb.data(cb.MemberAsk(member.id, target.value)))])
            if not member.active:
                rows.append([InlineKeyboardButton(fit_button(f"🔗 Tautan bergabung kembali: {member.full_name}"),
                                                  callback_data=cb.data(cb.MemberRelink(member.id)))])
    nav = page_row(lambda n: cb.data(cb.MemberPage(n)), page, pages)
    if nav:
        rows.append(nav)
        lines.append(f"\nHalaman {page + 1} dari {pages}")
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


@for_command("anggota")
async def anggota(update: Update, context: TpkContext) -> None:
    assert update.effective_message is not None
    text, markup = await _render(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@for_command("anggota")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.ANGGOTA.parse(query.data)
    if isinstance(press, cb.MemberPage):
        await query.answer()
        text, markup = await _render(context, press.page)
        await query.edit_message_text(text, reply_markup=markup)
        return
    if press is None:
        await cb.refuse(query, context)
        return
    services = context.services
    member = await users_store.get(services.db, press.user_id)
    if member is None or not _may_manage(context, member):
        await refusals.record(services, context.caller.user_id, Refusal.SCOPE, "anggota", press.user_id)
        await query.answer("Anggota itu di luar wewenang Anda.", show_alert=True)
        return
    if isinstance(press, cb.MemberRelink):
        await _relink(update, context, member)
        return
    status = Status(press.status)
    verb = "menonaktifkan" if status is Status.INACTIVE else "mengaktifkan kembali"
    if isinstance(press, cb.MemberAsk):
        await query.answer()
        await query.edit_message_text(
            f"Yakin {verb} <b>{html.escape(member.full_name)}</b>?",
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton("Ya", callback_data=cb.data(cb.MemberSet(member.id, status.value))),
                InlineKeyboardButton("Tidak", callback_data=cb.data(cb.MemberPage(0))),
            ]]),
        )
        return
    await users_store.set_status(services.db, actor_id=context.caller.user_id, user_id=member.id,
                                 status=status, now=services.clock.now())
    done = "dinonaktifkan" if status is Status.INACTIVE else "diaktifkan kembali"
    await query.answer(f"{member.full_name} {done}.")
    text, markup = await _render(context, 0)
    await query.edit_message_text(text, reply_markup=markup)


async def _relink(update: Update, context: TpkContext, member: Member) -> None:
    """A single-use link made for this one deactivated member, for their old role and area."""
    query = update.callback_query
    assert query is not None and query.message is not None
    if member.active:
        await query.answer("Anggota itu sudah aktif.", show_alert=True)
        return
    await query.answer()
    services = context.services
    token = new_token()
    invitation = await invitations.create(
        services.db, token=token, role=member.role, region_code=member.region_code, created_by=context.caller.user_id,
        now=services.clock.now(), valid_for=timedelta(days=services.settings.access.invitation_days),
        for_user=member.id)
    until = invitation.expires_at.astimezone(services.settings.wilayah.zone)
    await query.message.reply_text(  # type: ignore[union-attr]
        f"🔗 Tautan bergabung kembali untuk <b>{html.escape(member.full_name)}</b> "
        f"({member.role.label}, {html.escape(services.regions.label(member.region_code))}). Hanya bisa dipakai "
        f"oleh akun Telegram orang itu, sampai {long_date(until.date())} pukul {until:%H.%M}.\n\n"
        f"Teruskan kepadanya:\n{services.deep_link(token)}")


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("anggota", anggota))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.ANGGOTA.pattern))
