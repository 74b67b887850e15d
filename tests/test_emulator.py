"""The Bot API emulator, driven by a real python-telegram-bot Application and raw HTTP."""

from __future__ import annotations

import asyncio
import html
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock import FakeClock
from bot.dev.emulator import BotApiEmulator, CallbackAnswer, ReplyButton
from bot.dev.emulator.faults import FaultInjector
from bot.dev.emulator.files import tiny_png
from bot.dev.emulator.flood import FloodControl
from bot.dev.emulator.telegram_html import EntityParseError, parse_html
from tests.emulator_helpers import BOT_USERNAME, TOKEN, build_application, polling, raw_call

PNG = tiny_png(3, 2)
CSV = b"minggu,anak\n1,12\n"
PHONE = "+6281234567890"


# -- fixtures and the demo bot -------------------------------------------------------------


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
    emulator.assert_no_errors()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class DemoBot:
    """A minimal bot exercising every emulator feature the e2e suite relies on."""

    def __init__(self) -> None:
        self.update_ids: list[int] = []
        self.updates: list[Update] = []
        self.errors: list[BaseException] = []
        self.error_seen = asyncio.Event()
        self.member_status: list[str] = []
        self.member_seen = asyncio.Event()

    def install(self, app: Application) -> Application:  # type: ignore[type-arg]
        app.add_handler(TypeHandler(Update, self.record), group=-1)
        app.add_handler(CommandHandler("start", self.start))
        app.add_handler(CommandHandler("laporan", self.report))
        app.add_handler(CommandHandler("daftar", self.register))
        app.add_handler(CallbackQueryHandler(self.button))
        app.add_handler(MessageHandler(filters.CONTACT, self.contact))
        app.add_handler(MessageHandler(filters.PHOTO, self.photo))
        odd = filters.Sticker.ALL | filters.LOCATION | filters.VOICE | filters.Document.ALL
        app.add_handler(MessageHandler(odd, self.odd_input))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.echo))
        app.add_handler(ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self.on_error)
        return app

    async def record(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        self.update_ids.append(update.update_id)
        self.updates.append(update)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.effective_user
        code = " ".join(context.args or []) or "-"
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Setuju", callback_data="agree"),
                    InlineKeyboardButton("Tolak", callback_data="deny"),
                ],
                [InlineKeyboardButton("Bantuan", url="https://example.org/bantuan")],
            ]
        )
        name = html.escape(update.effective_user.first_name)
        await update.message.reply_html(
            f"Halo <b>{name}</b>! Kode: <code>{html.escape(code)}</code>", reply_markup=keyboard
        )

    async def button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Tersimpan")
        await query.edit_message_text(f"Pilihan: <b>{query.data}</b>", parse_mode=ParseMode.HTML)

    async def report(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        sent = await update.message.reply_photo(PNG, caption="Grafik <i>minggu ini</i>", parse_mode=ParseMode.HTML)
        await update.message.reply_document(CSV, filename="laporan.csv")
        await update.message.reply_photo(sent.photo[-1].file_id, caption="Sekali lagi")

    async def register(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton("Bagikan nomor", request_contact=True)]], one_time_keyboard=True
        )
        await update.message.reply_text("Tekan tombol di bawah.", reply_markup=keyboard)

    async def contact(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.message.contact and update.effective_user
        contact = update.message.contact
        if contact.user_id != update.effective_user.id:
            await update.message.reply_text("Itu bukan nomor Anda.")
            return
        await update.message.reply_text(f"Nomor {contact.phone_number} tersimpan.", reply_markup=ReplyKeyboardRemove())

    async def photo(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.message.photo
        file = await update.message.photo[-1].get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"Foto diterima: {len(data)} byte")

    async def odd_input(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        await update.message.reply_text("Maaf, saya hanya mengerti teks.")

    async def echo(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.message.text
        await update.message.reply_text(update.message.text)

    async def membership(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.my_chat_member
        self.member_status.append(update.my_chat_member.new_chat_member.status)
        self.member_seen.set()

    async def on_error(self, _: object, context: CallbackContext) -> None:  # type: ignore[type-arg]
        assert context.error is not None
        self.errors.append(context.error)
        self.error_seen.set()


@pytest.fixture
async def demo(emu: BotApiEmulator) -> AsyncIterator[DemoBot]:
    bot = DemoBot()
    async with polling(bot.install(build_application(emu))):
        yield bot


def emu_bot(emu: BotApiEmulator) -> Any:
    """A second, non-polling Bot on the same emulator (like a reminder worker)."""
    return build_application(emu).bot


# -- conversations through real PTB ----------------------------------------------------------


async def test_command_gets_entity_args_and_inline_keyboard(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti <3")
    await siti.send("/start abc")
    greeting = await siti.next_message()
    assert greeting.plain_text == "Halo Siti <3! Kode: abc"
    assert greeting.raw_text == "Halo <b>Siti &lt;3</b>! Kode: <code>abc</code>"
    assert greeting.parse_mode == "HTML"
    assert greeting.button_labels() == ["Setuju", "Tolak", "Bantuan"]
    assert greeting.button("Bantuan").url == "https://example.org/bantuan"
    assert [e["type"] for e in greeting.entities] == ["bold", "code"]
    entity = demo.updates[0].message.entities[0]  # type: ignore[union-attr]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)

    await siti.send(f"/start@{BOT_USERNAME} xyz")
    assert (await siti.next_message()).plain_text.endswith("Kode: xyz")


async def test_echo_keeps_text_verbatim(emu: BotApiEmulator, demo: DemoBot) -> None:
    budi = emu.user(1002, first_name="Budi")
    await budi.send("a < b & <i>c</i> 😀")
    echo = await budi.next_message()
    assert echo.text == "a < b & <i>c</i> 😀"
    assert echo.parse_mode is None


async def test_press_answers_and_edits_in_place(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti")
    await siti.send("/start")
    greeting = await siti.next_message()
    assert await siti.press("Bantuan") is None  # a URL button sends nothing to the bot

    await siti.press("Setuju")
    edited = await siti.next_edit()
    assert edited.message_id == greeting.message_id
    assert edited.edited and edited.plain_text == "Pilihan: agree" and edited.buttons == []
    assert siti.last_callback_answer == CallbackAnswer("Tersimpan")
    assert [m.plain_text for m in siti.transcript] == ["Pilihan: agree"]
    assert emu.unanswered_callback_queries == []

    with pytest.raises(AssertionError, match=r"cannot press 'Setuju'(.|\n)*\(none\)"):
        await siti.press("Setuju")


async def test_photos_and_documents_round_trip(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti")
    await siti.send("/laporan")
    photo, document, again = [await siti.next_message() for _ in range(3)]
    assert photo.photo == PNG and photo.plain_text == "Grafik minggu ini"
    assert document.document == CSV and document.filename == "laporan.csv"
    assert again.photo == PNG and again.text == "Sekali lagi"

    picture = tiny_png(5, 4)
    await siti.send_photo(picture, caption="foto anak")
    assert (await siti.next_message()).text == f"Foto diterima: {len(picture)} byte"


async def test_contact_via_reply_keyboard(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti", phone_number=PHONE)
    await siti.send("/daftar")
    prompt = await siti.next_message()
    assert prompt.reply_keyboard == [[ReplyButton("Bagikan nomor", request_contact=True)]]
    assert siti.reply_keyboard == prompt.reply_keyboard

    await siti.press("Bagikan nomor")
    done = await siti.next_message()
    assert done.text == f"Nomor {PHONE} tersimpan." and done.removes_reply_keyboard
    assert siti.reply_keyboard is None

    await siti.share_contact("+628111111111", user_id=None, first_name="Ibu")
    assert (await siti.next_message()).text == "Itu bukan nomor Anda."


async def test_odd_input_parses_in_ptb(emu: BotApiEmulator, demo: DemoBot) -> None:
    rudi = emu.user(1003, first_name="Rudi")
    await rudi.send_sticker()
    await rudi.send_location(-6.2, 106.8)
    await rudi.send_voice()
    await rudi.send_document()
    replies = [await rudi.next_message() for _ in range(4)]
    assert {m.text for m in replies} == {"Maaf, saya hanya mengerti teks."}
    message = [u.message for u in demo.updates]
    assert message[0].sticker.emoji == "👍"  # type: ignore[union-attr]
    assert message[1].location.latitude == -6.2  # type: ignore[union-attr]
    assert message[2].voice.mime_type == "audio/ogg"  # type: ignore[union-attr]
    assert message[3].document.file_name == "dokumen.pdf"  # type: ignore[union-attr]


async def test_concurrent_users_lose_and_duplicate_nothing(emu: BotApiEmulator, demo: DemoBot) -> None:
    users = [emu.user(2000 + i, first_name=f"U{i}") for i in range(16)]
    per_user = 8

    async def burst(i: int) -> None:  # fires everything at once
        for k in range(per_user):
            await users[i].send(f"{i}-{k}")

    async def conversation(i: int) -> None:  # waits for each reply
        for k in range(per_user):
            await users[i].send(f"{i}-{k}")
            assert (await users[i].next_message()).text == f"{i}-{k}"

    await asyncio.gather(*(burst(i) if i % 2 else conversation(i) for i in range(len(users))))
    for i in range(1, len(users), 2):
        texts = [(await users[i].next_message()).text for _ in range(per_user)]
        assert texts == [f"{i}-{k}" for k in range(per_user)]
    total = len(users) * per_user
    assert len(demo.update_ids) == len(set(demo.update_ids)) == total
    assert emu.stats.total_delivered == total


async def test_group_chat_messages_come_from_the_member_in_the_group(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti")
    group = emu.group(-5001, siti, title="TPPS Curug")
    await group.send("/start halo")
    greeting = await group.next_message()
    assert greeting.plain_text == "Halo Siti! Kode: halo"
    update = demo.updates[-1]
    assert update.effective_chat is not None and update.effective_user is not None
    assert (update.effective_chat.id, update.effective_chat.type, update.effective_chat.title) == (
        -5001, "group", "TPPS Curug")
    assert update.effective_user.id == 1001
    await group.press("Setuju")
    edited = await group.next_edit()
    assert edited.plain_text == "Pilihan: agree"
    pressed = demo.updates[-1]
    assert pressed.callback_query is not None and pressed.callback_query.from_user.id == 1001
    assert pressed.effective_chat is not None and pressed.effective_chat.id == -5001
    assert siti.transcript == []  # nothing of it reached her private chat
    assert emu.group(-5001, siti) is group
    with pytest.raises(ValueError):
        emu.group(5001, siti)


async def test_blocked_user_gets_403_and_member_updates(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti")
    siti.block()
    await asyncio.wait_for(demo.member_seen.wait(), 5)
    assert demo.member_status == ["kicked"]
    bot = emu_bot(emu)
    async with bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(siti.chat_id, "Pengingat")
        demo.member_seen.clear()
        siti.unblock()
        await asyncio.wait_for(demo.member_seen.wait(), 5)
        await bot.send_message(siti.chat_id, "Pengingat")
    assert demo.member_status == ["kicked", "member"]
    assert (await siti.next_message()).text == "Pengingat"
    assert len(demo.updates) == 2  # the two my_chat_member updates


async def test_user_who_never_started_cannot_be_messaged(emu: BotApiEmulator) -> None:
    stranger = emu.user(1009, first_name="Ani", has_started=False)
    async with emu_bot(emu) as bot:
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_message(stranger.chat_id, "Halo")
        await stranger.send("/start")
        await bot.send_message(stranger.chat_id, "Halo")
    assert (await stranger.next_message()).text == "Halo"


async def test_edit_delete_and_not_modified(emu: BotApiEmulator) -> None:
    siti = emu.user(1001, first_name="Siti")
    async with emu_bot(emu) as bot:
        sent = await bot.send_message(siti.chat_id, "<b>A</b>", parse_mode=ParseMode.HTML)
        assert sent.text_html == "<b>A</b>"
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await sent.edit_text("<b>A</b>", parse_mode=ParseMode.HTML)
        await sent.edit_text("B")
        assert (await siti.next_edit()).text == "B"
        await sent.delete()
        assert siti.transcript == []
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await sent.delete()
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await sent.edit_text("C")
    assert len(emu.errors) == 2
    emu.errors.clear()


async def test_commands_menu_and_chat_actions(emu: BotApiEmulator) -> None:
    siti = emu.user(1001, first_name="Siti")
    async with emu_bot(emu) as bot:
        await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("bantuan", "Bantuan")])
        await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(1001))
        assert [c.command for c in await bot.get_my_commands()] == ["start", "bantuan"]
        scoped = await bot.get_my_commands(scope=BotCommandScopeChat(1001))
        assert [c.command for c in scoped] == ["admin"]
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
        assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
        await bot.send_chat_action(siti.chat_id, ChatAction.TYPING)
        assert (await bot.get_webhook_info()).pending_update_count == 0
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Mulai!", "x")])
    assert siti.chat_actions == ["typing"]
    assert emu.errors == ["setMyCommands: Bad Request: BOT_COMMAND_INVALID ('Mulai!')"]
    emu.errors.clear()


async def test_waiting_helpers_explain_failures(emu: BotApiEmulator) -> None:
    siti = emu.user(1001, first_name="Siti")
    await siti.send("halo")
    with pytest.raises(AssertionError, match=r"no new message within 0.05s(.|\n)*'halo'"):
        await siti.next_message(timeout=0.05)
    assert await siti.messages_until_quiet(quiet=0.05, timeout=1) == []


async def test_ptb_shuts_down_quickly(emu: BotApiEmulator) -> None:
    app = build_application(emu)
    async with polling(app, timeout=30):
        while not emu.state.updates.waiting:  # the first long poll reached the server
            await asyncio.sleep(0)
        started = time.perf_counter()
    assert time.perf_counter() - started < 1.0


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_project_defaults_catch_unescaped_html_and_ride_out_flood_waits(
    emu: BotApiEmulator,
) -> None:
    """The production setup: Defaults(parse_mode=HTML) plus AIORateLimiter retries."""
    bot = DemoBot()
    app = build_application(
        emu,
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)),
        rate_limiter=AIORateLimiter(max_retries=2),
    )
    siti = emu.user(1001, first_name="Siti")
    async with polling(bot.install(app)):
        await siti.send("<3 tanpa escape")  # the echo handler forgets html.escape
        await asyncio.wait_for(bot.error_seen.wait(), 5)
        assert isinstance(bot.errors[0], BadRequest)
        assert emu.errors == [
            'sendMessage: Bad Request: can\'t parse entities: Unsupported start tag "3" '
            "at byte offset 0 (text='<3 tanpa escape')"
        ]
        emu.errors.clear()

        emu.flood.configure(per_chat_per_second=1, global_per_second=30)
        await siti.send("satu")
        await siti.send("dua")  # 429 for the second reply; the rate limiter retries it
        assert [(await siti.next_message()).text for _ in range(2)] == ["satu", "dua"]
    assert emu.flood.rejected == {1001: 1}


async def test_fake_clock_dates_and_the_48_hour_delete_window() -> None:
    clock = FakeClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    async with BotApiEmulator(token=TOKEN, clock=clock) as emu:
        siti = emu.user(1001, first_name="Siti")
        async with emu_bot(emu) as bot:
            sent = await bot.send_message(siti.chat_id, "Pengingat posyandu")
            assert sent.date == clock.now()
            clock.advance(timedelta(hours=49))
            with pytest.raises(BadRequest, match="can't be deleted for everyone"):
                await sent.delete()
        assert emu.errors == []  # a runtime condition, not a bug


async def test_documents_by_url_and_file_id(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1001, first_name="Siti")
    url = "https://example.org/panduan.pdf"
    status, body = await raw_call(http, emu, "sendDocument", chat_id=1001, document=url)
    assert status == 200 and body["result"]["document"]["file_name"] == "panduan.pdf"
    file_id = body["result"]["document"]["file_id"]
    status, body = await raw_call(http, emu, "sendDocument", chat_id=1001, document=file_id)
    assert status == 200 and body["result"]["document"]["file_id"] == file_id
    await siti.send_photo()
    photo_id = (await raw_call(http, emu, "getUpdates"))[1]["result"][0]["message"]["photo"][0]["file_id"]
    status, body = await raw_call(http, emu, "sendDocument", chat_id=1001, document=photo_id)
    assert status == 400 and body["description"].endswith("can't use file of type Photo as Document")
    assert len(siti.transcript) == 2
    assert len(emu.errors) == 1
    emu.errors.clear()


async def test_plain_reply_keyboard_button_sends_its_label(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1001, first_name="Siti")
    keyboard = {"keyboard": [[{"text": "Ya"}, {"text": "Tidak"}]], "one_time_keyboard": True}
    await raw_call(http, emu, "sendMessage", chat_id=1001, text="Lanjut?", reply_markup=keyboard)
    assert siti.transcript[0].reply_keyboard_labels() == ["Ya", "Tidak"]
    await siti.press("Tidak")
    updates = (await raw_call(http, emu, "getUpdates"))[1]["result"]
    assert updates[0]["message"]["text"] == "Tidak"


# -- spec enforcement (raw HTTP) -----------------------------------------------------------------


def _keyboard(data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Ya", "callback_data": data}]]}


VIOLATIONS = {
    "missing chat_id": ("sendMessage", {"text": "hi"}, "chat_id is empty"),
    "missing text": ("sendMessage", {"chat_id": 1001}, "message text is empty"),
    "blank text": ("sendMessage", {"chat_id": 1001, "text": "  \n"}, "message text is empty"),
    "4097 chars": ("sendMessage", {"chat_id": 1001, "text": "x" * 4097}, "message is too long"),
    "4098 UTF-16 units": (
        "sendMessage",
        {"chat_id": 1001, "text": "😀" * 2049},
        "message is too long",
    ),
    "65-byte callback_data": (
        "sendMessage",
        {"chat_id": 1001, "text": "x", "reply_markup": _keyboard("d" * 65)},
        "BUTTON_DATA_INVALID",
    ),
    "66-byte callback_data in 33 chars": (
        "sendMessage",
        {"chat_id": 1001, "text": "x", "reply_markup": _keyboard("é" * 33)},
        "BUTTON_DATA_INVALID",
    ),
    "button without action": (
        "sendMessage",
        {"chat_id": 1001, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a"}]]}},
        "text buttons are unallowed",
    ),
    "wrong type": (
        "sendMessage",
        {"chat_id": 1001, "text": "x", "disable_notification": "yes"},
        "disable_notification must be of type Boolean",
    ),
    "unknown tag": (
        "sendMessage",
        {"chat_id": 1001, "text": "<foo>x</foo>", "parse_mode": "HTML"},
        'can\'t parse entities: Unsupported start tag "foo"',
    ),
    "unclosed tag": (
        "sendMessage",
        {"chat_id": 1001, "text": "<b>x", "parse_mode": "HTML"},
        "can't parse entities: Can't find end tag",
    ),
    "misnested": (
        "sendMessage",
        {"chat_id": 1001, "text": "<b><i>x</b></i>", "parse_mode": "HTML"},
        "can't parse entities: Unmatched end tag",
    ),
    "bare <": (
        "sendMessage",
        {"chat_id": 1001, "text": "1 < 2", "parse_mode": "HTML"},
        'can\'t parse entities: Unsupported start tag ""',
    ),
    "unknown entity": (
        "sendMessage",
        {"chat_id": 1001, "text": "&nbsp;", "parse_mode": "HTML"},
        "can't parse entities: Unsupported HTML entity",
    ),
    "span without class": (
        "sendMessage",
        {"chat_id": 1001, "text": "<span>x</span>", "parse_mode": "HTML"},
        'can\'t parse entities: Tag "span" must have class',
    ),
    "unsupported parse_mode": (
        "sendMessage",
        {"chat_id": 1001, "text": "x", "parse_mode": "HTML5"},
        "unsupported parse_mode",
    ),
    "unknown chat": ("sendMessage", {"chat_id": 777, "text": "x"}, "chat not found"),
    "edit missing message": (
        "editMessageText",
        {"chat_id": 1001, "message_id": 99, "text": "x"},
        "message to edit not found",
    ),
    "delete missing message": (
        "deleteMessage",
        {"chat_id": 1001, "message_id": 99},
        "message to delete not found",
    ),
    "unknown callback query": (
        "answerCallbackQuery",
        {"callback_query_id": "42"},
        "query is too old and response timeout expired or query ID is invalid",
    ),
    "unsupported method": (
        "sendDice",
        {"chat_id": 1001},
        "method not supported by the emulator",
    ),
    "wrong file_id": ("sendPhoto", {"chat_id": 1001, "photo": "nope"}, "wrong file identifier"),
    "bad chat action": (
        "sendChatAction",
        {"chat_id": 1001, "action": "dancing"},
        "wrong parameter",
    ),
}


@pytest.mark.parametrize("case", VIOLATIONS, ids=list(VIOLATIONS))
async def test_spec_violation_answers_400_and_is_recorded(
    emu: BotApiEmulator, http: aiohttp.ClientSession, case: str
) -> None:
    method, params, description = VIOLATIONS[case]
    emu.user(1001, first_name="Siti")
    status, body = await raw_call(http, emu, method, **params)
    assert status == 400
    assert body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith("Bad Request: ")
    assert description in body["description"]
    assert len(emu.errors) == 1 and description in emu.errors[0]
    assert emu.user(1001).transcript == []
    emu.errors.clear()


async def test_unknown_method_wrong_token_and_unknown_parameter(
    emu: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    emu.user(1001, first_name="Siti")
    status, body = await raw_call(http, emu, "sendTelepathy", chat_id=1001)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with http.post(f"{emu.base_url}999:WRONG/getMe") as response:
        assert response.status == 401
    status, body = await raw_call(http, emu, "sendMessage", chat_id=1001, text="x", colour="red")
    # Telegram ignores it, but it is a bug in the bot: refused like a missing parameter.
    assert status == 400 and body["description"] == 'Bad Request: unknown parameter "colour"'
    assert len(emu.errors) == 3
    assert "sendTelepathy: Not Found" in emu.errors[0]
    assert "wrong bot token" in emu.errors[1]
    assert emu.errors[2] == 'sendMessage: Bad Request: unknown parameter "colour"'
    emu.errors.clear()


async def test_limits_are_inclusive_and_form_bodies_decode_like_ptb(
    emu: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    siti = emu.user(1001, first_name="Siti")
    ok_cases: list[dict[str, Any]] = [
        {"chat_id": 1001, "text": "x" * 4096},
        {"chat_id": 1001, "text": "😀" * 2048},
        {"chat_id": 1001, "text": "<b>" + "y" * 4096 + "</b>", "parse_mode": "HTML"},
        {"chat_id": 1001, "text": "z", "reply_markup": _keyboard("d" * 64)},
    ]
    for params in ok_cases:
        status, body = await raw_call(http, emu, "sendMessage", **params)
        assert status == 200, body
    # python-telegram-bot sends url-encoded forms: strings raw, everything else as JSON.
    status, body = await raw_call(
        http,
        emu,
        "sendMessage",
        form={"chat_id": "1001", "text": "123", "reply_markup": json.dumps(_keyboard("a"))},
    )
    assert status == 200
    assert body["result"]["text"] == "123"
    assert body["result"]["reply_markup"] == _keyboard("a")
    assert len(siti.transcript) == 5


# -- getUpdates ------------------------------------------------------------------------------------


async def _update_ids(http: aiohttp.ClientSession, emu: BotApiEmulator, **params: Any) -> list[int]:
    status, body = await raw_call(http, emu, "getUpdates", **params)
    assert status == 200, body
    return [u["update_id"] for u in body["result"]]


async def test_get_updates_offset_limit_and_negative_offset(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    a, b = emu.user(1, first_name="A"), emu.user(2, first_name="B")
    for user, text in ((a, "1"), (b, "2"), (a, "3")):
        await user.send(text)
    assert await _update_ids(http, emu) == [1, 2, 3]
    assert await _update_ids(http, emu) == [1, 2, 3]  # reading does not confirm
    assert await _update_ids(http, emu, offset=2, limit=1) == [2]
    assert await _update_ids(http, emu) == [2, 3]  # offset=2 dropped update 1
    assert await _update_ids(http, emu, offset=4) == []
    assert emu.pending_update_count == 0
    for text in ("4", "5", "6"):
        await a.send(text)
    assert await _update_ids(http, emu, offset=-1) == [6]
    assert await _update_ids(http, emu) == [6]


async def test_long_poll_wakes_on_update_and_on_stop(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1, first_name="Siti")
    poll = asyncio.create_task(_update_ids(http, emu, timeout=10))
    while not emu.state.updates.waiting:
        await asyncio.sleep(0)
    started = time.perf_counter()
    await siti.send("halo")
    assert await poll == [1]
    assert time.perf_counter() - started < 0.5

    poll = asyncio.create_task(_update_ids(http, emu, offset=2, timeout=30))
    while not emu.state.updates.waiting:
        await asyncio.sleep(0)
    started = time.perf_counter()
    await emu.stop()
    assert await poll == []
    assert time.perf_counter() - started < 0.5


async def test_allowed_updates_persist_and_filter(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1, first_name="Siti")
    await raw_call(http, emu, "sendMessage", chat_id=1, text="x", reply_markup=_keyboard("k"))
    assert await _update_ids(http, emu, allowed_updates=["callback_query"]) == []
    await siti.send("ignored")
    await siti.press("Ya")
    updates = (await raw_call(http, emu, "getUpdates"))[1]["result"]
    assert [next(k for k in u if k != "update_id") for u in updates] == ["callback_query"]
    await _update_ids(http, emu, offset=updates[-1]["update_id"] + 1, allowed_updates=[])
    await siti.send("seen")
    assert len(await _update_ids(http, emu)) == 1


async def test_conflicting_long_polls_terminate_the_older(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    first = asyncio.create_task(raw_call(http, emu, "getUpdates", timeout=10))
    while not emu.state.updates.waiting:
        await asyncio.sleep(0)
    assert await _update_ids(http, emu, timeout=0) == []
    status, body = await first
    assert status == 409 and body["description"].startswith("Conflict: terminated")


# -- faults ---------------------------------------------------------------------------------------


def _kinds(seed: int, *, methods: list[str] | None = None, method: str = "sendMessage") -> list[Any]:
    faults = FaultInjector()
    faults.configure(error_rate=0.3, seed=seed, methods=methods)
    return [(f.kind if (f := faults.decide(method)) else None) for _ in range(300)]


def test_fault_decisions_are_seeded_and_spare_get_updates() -> None:
    assert _kinds(1) == _kinds(1)
    assert _kinds(1) != _kinds(2)
    share = sum(k is not None for k in _kinds(1)) / 300
    assert 0.2 < share < 0.4
    assert set(_kinds(1)) == {None, "502", "timeout", "drop", "429"}
    assert set(_kinds(1, method="getUpdates")) == {None}
    assert set(_kinds(1, method="getUpdates", methods=["getUpdates"])) != {None}


async def test_each_fault_kind_over_http(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1001, first_name="Siti")
    emu.faults.configure(error_rate=0.0, retry_after=3, stall_seconds=5.0)

    emu.faults.fail_next("502")
    status, body = await raw_call(http, emu, "sendMessage", chat_id=1001, text="a")
    assert (status, body["description"]) == (502, "Bad Gateway")

    emu.faults.fail_next("429")
    status, body = await raw_call(http, emu, "sendMessage", chat_id=1001, text="b")
    assert status == 429 and body["parameters"] == {"retry_after": 3}

    emu.faults.fail_next("drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await raw_call(http, emu, "sendMessage", chat_id=1001, text="c")

    emu.faults.fail_next("timeout")
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await raw_call(http, emu, "sendMessage", chat_id=1001, text="d")
    assert time.perf_counter() - started < 1.0

    assert siti.transcript == []  # deliver_before_fault=False: nothing was executed
    assert emu.faults.injected == {"502": 1, "429": 1, "drop": 1, "timeout": 1}
    status, _ = await raw_call(http, emu, "sendMessage", chat_id=1001, text="e")
    assert status == 200 and [m.text for m in siti.transcript] == ["e"]


async def test_deliver_before_fault_models_lost_answers(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1001, first_name="Siti")
    emu.faults.configure(error_rate=0.0, deliver_before_fault=True)
    emu.faults.fail_next("drop", count=2, methods=["sendMessage"])
    status, _ = await raw_call(http, emu, "getMe")  # not eligible: untouched
    assert status == 200
    for text in ("a", "b"):
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await raw_call(http, emu, "sendMessage", chat_id=1001, text=text)
    assert [m.text for m in siti.transcript] == ["a", "b"]


async def test_dropped_get_updates_answer_loses_nothing(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1, first_name="Siti")
    await siti.send("halo")
    emu.faults.fail_next("drop", methods=["getUpdates"])
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await raw_call(http, emu, "getUpdates")
    assert await _update_ids(http, emu) == [1]


async def test_ptb_sees_faults_as_network_errors(emu: BotApiEmulator, demo: DemoBot) -> None:
    siti = emu.user(1001, first_name="Siti")
    emu.faults.configure(error_rate=0.0, deliver_before_fault=True)
    emu.faults.fail_next("drop", methods=["sendMessage"])
    await siti.send("satu")
    await asyncio.wait_for(demo.error_seen.wait(), 5)
    assert isinstance(demo.errors[0], NetworkError)
    assert (await siti.next_message()).text == "satu"  # delivered although PTB saw an error

    demo.error_seen.clear()
    emu.faults.fail_next("502", methods=["sendMessage"])
    await siti.send("dua")
    await asyncio.wait_for(demo.error_seen.wait(), 5)
    assert "Bad Gateway" in str(demo.errors[1])
    await siti.send("tiga")
    assert (await siti.next_message()).text == "tiga"  # "dua" was never delivered


# -- flood control -------------------------------------------------------------------------------


async def test_flood_limits_per_chat_and_global(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    for uid in (1, 2, 3, 4):
        emu.user(uid, first_name=f"U{uid}")
    emu.flood.configure(per_chat_per_second=1, global_per_second=3)
    results = []
    for chat_id in (1, 1, 2, 3, 4):
        status, body = await raw_call(http, emu, "sendMessage", chat_id=chat_id, text="x")
        results.append((status, body.get("parameters")))
    assert results == [
        (200, None),
        (429, {"retry_after": 1}),
        (200, None),
        (200, None),
        (429, {"retry_after": 1}),
    ]
    assert emu.flood.rejected == {1: 1, 4: 1}
    assert (await raw_call(http, emu, "getMe"))[0] == 200  # only send methods are limited
    emu.flood.clear()
    assert (await raw_call(http, emu, "sendMessage", chat_id=1, text="y"))[0] == 200
    assert emu.stats.delivered == {1: 2, 2: 1, 3: 1}


def test_flood_window_slides_and_retry_after_rounds_up() -> None:
    now = [0.0]
    flood = FloodControl(monotonic=lambda: now[0])
    flood.configure(per_chat_per_second=2, global_per_second=None, window=5.0)
    assert flood.check("sendMessage", 1) is None
    now[0] = 1.0
    assert flood.check("sendMessage", 1) is None
    now[0] = 1.2
    assert flood.check("sendMessage", 1) == 4  # oldest (t=0) leaves the window at t=5
    assert flood.check("editMessageText", 1) is None
    now[0] = 5.0
    assert flood.check("sendMessage", 1) is None
    assert flood.total_rejected == 1


# -- Telegram HTML -------------------------------------------------------------------------------


def test_html_subset_produces_utf16_entities() -> None:
    parsed = parse_html(
        "😀 <b>tebal <i>miring</i></b> &lt;&gt;&amp;&quot;&#65;&#x42; "
        '<a href="https://x.org/?a=1&amp;b=2">tautan</a> <tg-spoiler>r</tg-spoiler> '
        '<span class="tg-spoiler">s</span> <pre><code class="language-python">x = 1</code></pre> '
        "<blockquote expandable>kutipan</blockquote> <u>u</u><s>s</s>"
    )
    assert parsed.text == '😀 tebal miring <>&"AB tautan r s x = 1 kutipan us'
    by_type = {e["type"]: e for e in parsed.entities}
    assert by_type["bold"] == {"type": "bold", "offset": 3, "length": 12}
    assert by_type["italic"] == {"type": "italic", "offset": 9, "length": 6}
    assert by_type["text_link"]["url"] == "https://x.org/?a=1&b=2"
    assert by_type["pre"]["language"] == "python" and "code" not in by_type
    assert "expandable_blockquote" in by_type and "spoiler" in by_type


@pytest.mark.parametrize(
    "source",
    [
        "<foo>",
        "<b>x",
        "x</b>",
        "<b><i>x</b></i>",
        "a < b",
        "&foo;",
        "<br/>",
        "<b",
        "<a href='x>y</a>",
    ],
)
def test_html_rejects_what_telegram_rejects(source: str) -> None:
    with pytest.raises(EntityParseError):
        parse_html(source)


@given(st.text())
def test_escaped_text_always_parses_back(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)).text == text
    assert parse_html(html.escape(text)).text == text


async def test_text_is_trimmed_like_telegram(emu: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    siti = emu.user(1001, first_name="Siti")
    status, body = await raw_call(
        http, emu, "sendMessage", chat_id="1001", text="\n  <b> Halo</b>  \n", parse_mode="HTML"
    )
    assert status == 200
    assert body["result"]["text"] == "Halo"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert siti.transcript[0].text == "Halo"
