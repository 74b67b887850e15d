"""/undang: a coordinator or admin creates a single-use invitation link.

Stateless: every step's callback data carries the role and the area, and every step
re-checks authority, so a restart mid-way costs nothing and forged data achieves
nothing. Data: ``bot.callbacks.InviteArea`` (role, walk the tree or pick, area code).
"""

from __future__ import annotations

import html
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import refusals
from bot.access import for_command
from bot.audit import callbacks as audit_buttons
from bot.context import TpkContext
from bot.domain.regions import Level, level_of
from bot.domain.roles import Role, has_authority, invitable_roles
from bot.domain.tokens import new_token
from bot.formatting import long_date
from bot.widgets.region_picker import GO, region_keyboard, within_scope
from storage import audit_kasus, invitations
from storage.access_log import Refusal

_ROLE_CODES = {"k": Role.KOORDINATOR, "t": Role.TPK}
_CODE_OF_ROLE = {role: code for code, role in _ROLE_CODES.items()}
OUT_OF_SCOPE = "Wilayah itu di luar wewenang Anda."


def _picker_text(context: TpkContext, role: Role, at: str) -> str:
    where = html.escape(context.services.regions.path_label(at))
    need = "kelurahan/desa" if role is Role.TPK else "wilayah"
    return f"Undang <b>{role.label}</b>.\nPilih {need} tugasnya.\n\nSekarang: <b>{where}</b>"


def _picker(context: TpkContext, role: Role, at: str) -> InlineKeyboardMarkup:
    caller = context.caller
    assert caller.scope is not None
    return region_keyboard(
        context.services.regions,
        at=at,
        scope=caller.scope,
        data=lambda action, code: cb.data(cb.InviteArea(_CODE_OF_ROLE[role], action, code)),
        selectable=lambda code: has_authority(caller.role, caller.scope, role, code),
    )


@for_command("undang")
async def undang(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    caller = context.caller
    assert caller.scope is not None
    roles = invitable_roles(caller.role, caller.scope)
    if len(roles) == 1:
        await message.reply_text(_picker_text(context, roles[0], caller.scope),
                                 reply_markup=_picker(context, roles[0], caller.scope))
        return
    buttons = [
        InlineKeyboardButton(role.label, callback_data=cb.data(cb.InviteArea(_CODE_OF_ROLE[role], GO, caller.scope)))
        for role in roles
    ]
    rows = [buttons] + [  # the tim pakar of each open audit round the caller coordinates (issue 18)
        [InlineKeyboardButton(f"Tim pakar: AKS {r.year} semester {r.semester}", callback_data=audit_buttons.audit(
            "inv", r.id))] for r in await audit_kasus.rounds_in_scope(context.services.db, caller.scope) if r.open]
    await message.reply_text("Siapa yang ingin Anda undang?", reply_markup=InlineKeyboardMarkup(rows))


async def _out_of_scope(query: CallbackQuery, context: TpkContext, code: str) -> None:
    await refusals.record(context.services, context.caller.user_id, Refusal.SCOPE, "undang", code)
    await query.answer(OUT_OF_SCOPE, show_alert=True)


@for_command("undang")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    caller = context.caller
    press = cb.UNDANG.parse(query.data)
    if press is None or press.role not in _ROLE_CODES:
        await cb.refuse(query, context)
        return
    role, action, code = _ROLE_CODES[press.role], press.action, press.code
    regions = context.services.regions
    if role not in invitable_roles(caller.role, caller.scope) or not within_scope(regions, caller.scope, code):
        await _out_of_scope(query, context, code)
        return
    if action == GO:
        await query.answer()
        await query.edit_message_text(_picker_text(context, role, code), reply_markup=_picker(context, role, code))
        return
    if not has_authority(caller.role, caller.scope, role, code):
        await _out_of_scope(query, context, code)
        return
    await query.answer()
    services = context.services
    token = new_token()
    invitation = await invitations.create(
        services.db,
        token=token,
        role=role,
        region_code=code,
        created_by=caller.user_id,
        now=services.clock.now(),
        valid_for=timedelta(days=services.settings.access.invitation_days),
    )
    until = invitation.expires_at.astimezone(services.settings.wilayah.zone)
    kind = "kelurahan/desa" if level_of(code) is Level.DESAKEL else "wilayah"
    await query.edit_message_text(
        f"✅ Undangan <b>{role.label}</b> untuk {kind} <b>{html.escape(regions.path_label(code))}</b>.\n"
        f"Berlaku sampai {long_date(until.date())} pukul {until:%H.%M}, untuk satu orang saja.\n\n"
        f"Teruskan tautan ini kepada orangnya:\n{services.deep_link(token)}",
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("undang", undang))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.UNDANG.pattern))
