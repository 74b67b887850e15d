"""A TPK member filling /lapor the way a person does on a bad connection.

The member reads the newest message and answers what it asks (by its prompt, not by
counting steps), so a question shown twice, an apology or a resumed draft is handled
as a person would: after an apology or silence they type /lanjut and carry on from the
question the bot shows. Everything that happened is tallied for the reliability figures.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from dataclasses import dataclass, field

from bot.dev.emulator import BotApiEmulator, BotMessage, SimUser
from storage import keluarga as keluarga_store
from storage.crypto import IdentityCipher
from storage.db import Database

TRACE = bool(os.environ.get("TRACE_DRIVER"))
APOLOGY = "gangguan di sistem kami"
#: After a toast, how long a member waits for a message before taking the toast as the answer.
TOAST_GRACE = 5.0
#: The member's own kelurahan (Sukawana, Kec. Curug, Kota Serang).
SUKAWANA = "36.73.04.1007"
SURNAMES = ("Hidayat", "Saputra", "Nugroho", "Wibowo", "Santoso", "Gunawan", "Kusuma", "Pratama", "Siregar",
            "Lubis", "Nasution", "Harahap")
GIVEN = ("Ahmad", "Budi", "Cahyo", "Dedi", "Eko", "Fajar", "Gilang", "Hendra")
BRIDES = ("Dewi", "Eka", "Fitri", "Gita", "Hana", "Indah", "Julia", "Kartika")


@dataclass(frozen=True)
class Report:
    """One family (and optionally its catin) a member means to report."""

    head: str
    rt: int
    rw: int
    address: str
    catin: tuple[str, str] | None = None  # (name, NIK)


def plan_reports(member_index: int, count: int, *, with_catin: bool) -> list[Report]:
    """Distinct values everywhere (RT 10+, RW 50+), so an answer stored under the wrong
    question is caught when the records are checked."""
    surname = SURNAMES[member_index % len(SURNAMES)]
    reports = []
    for n in range(count):
        # NIK of a woman born 25-05-2000 in Kec. Curug (36.73.04), serial unique per report.
        nik = f"367304650500{member_index + 1:02d}{n + 1:02d}"
        reports.append(Report(
            head=f"{GIVEN[n % len(GIVEN)]} {surname}", rt=10 + member_index, rw=50 + n,
            address=f"Jl. Melati No. {member_index}{n}",
            catin=(f"{BRIDES[n % len(BRIDES)]} {surname}", nik) if with_catin else None,
        ))
    return reports


@dataclass
class Tally:
    actions: int = 0
    replied: int = 0  # a new message answered the action
    toast_only: int = 0  # only the button's toast or alert answered it
    apologies: int = 0  # the apology (as a message or an alert)
    silent: int = 0  # nothing at all within the wait
    resumes: int = 0  # /lanjut typed after an apology or silence
    repeated_screens: int = 0  # the same message arrived twice (a retried send that had gone through)
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        for name in ("actions", "replied", "toast_only", "apologies", "silent", "resumes", "repeated_screens"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.outcomes.update(other.outcomes)


@dataclass
class Progress:
    """What the member believes about each report."""

    family: str = "todo"  # todo / confirmed / unconfirmed (Kirim pressed, no answer) / started
    catin: str = "todo"


FAMILY_ANSWERS = {
    # prompt fragment -> (kind, value or attribute of the report)
    "Nomor RT/RW?": ("type", "rt"),
    "Nomor RW?": ("type", "rw"),
    "Alamat rumah": ("type", "address"),
    "Nama kepala keluarga?": ("type", "head"),
    "Nomor Kartu Keluarga": ("tap", "Lewati ➡️"),
    "Sumber air minum utama": ("tap", "Sumur tak terlindung"),
    "Jamban (tempat buang air besar)": ("tap", "Jamban sendiri tanpa tangki septik"),
    "pasangan suami-istri": ("tap", "Tidak"),
}
CATIN_ANSWERS = {
    "Nama lengkap sasaran?": ("type", "catin_name"),
    "NIK (16 angka": ("type", "catin_nik"),
    "Jenis kelamin?": ("tap", "Perempuan"),
    "Tanggal lahir?": ("type", "25-05-2000"),
    "Tanggal rencana menikah?": ("type", "1 Februari 2027"),
    "Tinggi atau panjang badan": ("type", "158 cm"),
    "Berat badan sekarang": ("type", "41"),
    "Lingkar lengan atas": ("type", "21,5"),
    "Kadar Hb": ("tap", "Lewati ➡️"),
    "merokok": ("tap", "Tidak merokok"),
}
CATIN_HEIGHT, CATIN_WEIGHT, CATIN_LILA = 158.0, 41.0, 21.5


class Reporter:
    """Drives one member through ``reports``; ``run()`` returns when all are done."""

    def __init__(self, emu: BotApiEmulator, user: SimUser, reports: list[Report], *, wait: float = 30.0,
                 max_actions: int = 400, settle: float = 0.3) -> None:
        self.emu = emu
        self.user = user
        self.reports = reports
        self.progress = [Progress() for _ in reports]
        self.tally = Tally()
        self.wait = wait
        self.max_actions = max_actions
        self.settle = settle  # quiet time that ends a reply (an edit and a new message can both come)
        self._screen: BotMessage | None = None
        self._index = 0

    # -- acting and waiting -----------------------------------------------------------------

    async def _type(self, text: str) -> str:
        self.user.drain()
        self.user.drain_edits()
        await self.user.send(text)
        return await self._await_reply(None)

    async def _tap(self, label: str) -> str:
        self.user.drain()
        self.user.drain_edits()
        query_id = await self.user.press(label)
        return await self._await_reply(query_id)

    async def _await_reply(self, query_id: str | None) -> str:
        """Wait for the bot's answer to one action; returns what kind it was.

        A reply is a new message or an edit (a pressed question is replaced in place by
        the next one); everything arriving together is taken, the newest new message (else
        the newest edit) is what the member reads next. A toast with nothing after it is a
        reply too ("sudah terkirim"); an apology anywhere makes the whole reply an apology.
        """
        self.tally.actions += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        toast_seen_at: float | None = None
        news: list[BotMessage] = []
        edits: list[BotMessage] = []
        last_event = 0.0
        while loop.time() < deadline:
            fresh = self.user.drain()
            changed = [e for e in self.user.drain_edits()
                       if not (self._screen is not None and e.message_id == self._screen.message_id
                               and e.text == self._screen.text)]
            for message in fresh:
                previous = news[-1] if news else self._screen
                if previous is not None and message.text == previous.text:
                    self.tally.repeated_screens += 1  # a send retried after it had gone through
                    continue
                news.append(message)
            edits += changed
            if fresh or changed:
                last_event = loop.time()
            if news or edits:
                newest = news[-1] if news else edits[-1]
                settle = TOAST_GRACE if not news and newest.text.endswith("✅ Terkirim") else self.settle
                if loop.time() - last_event >= settle:
                    self._screen = newest
                    apology = any(APOLOGY in m.text for m in news)
                    return self._count("apology" if apology else "replied")
            elif query_id is not None and toast_seen_at is None and self._answered(query_id):
                answer = self.user.last_callback_answer
                if answer is not None and answer.text:
                    if APOLOGY in answer.text:
                        return self._count("apology")
                    toast_seen_at = loop.time()
            if not (news or edits) and toast_seen_at is not None and loop.time() - toast_seen_at > TOAST_GRACE:
                return self._count("toast")  # a toast and no message after it
            await asyncio.sleep(0.02)
        if news or edits:
            self._screen = news[-1] if news else edits[-1]
            return self._count("replied")
        return self._count("silent")

    def _answered(self, query_id: str) -> bool:
        query = self.emu.state.callbacks.get(query_id)
        return query is not None and query.answered

    def _count(self, kind: str) -> str:
        if TRACE:
            shown = self._screen.text[:60] if self._screen else None
            print(f"{asyncio.get_running_loop().time():.1f} [{self.user.id}] {kind}: {shown!r}", flush=True)
        field_name = {"replied": "replied", "apology": "apologies", "toast": "toast_only", "silent": "silent"}[kind]
        setattr(self.tally, field_name, getattr(self.tally, field_name) + 1)
        return kind

    # -- the member's reasoning -------------------------------------------------------------

    async def run(self) -> Tally:
        outcome = await self._type("/lapor")
        while self._index < len(self.reports):
            if self.tally.actions > self.max_actions:
                raise AssertionError(f"{self.user!r} is going round in circles\n{self.user.describe()}")
            outcome = await self._step(outcome)
        return self.tally

    async def _resume(self) -> str:
        self.tally.resumes += 1
        return await self._type("/lanjut")

    async def _step(self, outcome: str) -> str:
        report, progress = self.reports[self._index], self.progress[self._index]
        self.tally.outcomes[outcome] += 1
        if outcome in ("apology", "silent"):
            return await self._resume()
        answer = self.user.last_callback_answer
        if outcome == "toast":
            assert answer is not None and answer.text
            if "sudah terkirim" in answer.text or "Terkirim" in answer.text:
                return await self._confirmed(progress, report, with_result=False)
            return await self._resume()  # "kedaluwarsa" or another refusal: look where we are
        assert self._screen is not None
        text = self._screen.text
        if text.endswith("✅ Terkirim"):  # the review, marked sent; the result message never came
            return await self._confirmed(progress, report, with_result=False)
        if "Anda masih punya draf" in text:
            return await self._tap("Lanjutkan draf")
        if "Tidak ada isian yang belum selesai" in text:
            return await self._nothing_open(progress, report)
        if "Laporan keluarga — periksa dulu" in text or "Data sasaran — periksa dulu" in text:
            phase = "family" if "Laporan keluarga" in text else "catin"
            setattr(progress, phase, "unconfirmed")
            return await self._tap("✅ Kirim")
        if f"Keluarga {report.head} tersimpan" in text:
            return await self._confirmed(progress, report, with_result=True)
        if report.catin and f"{report.catin[0]} tersimpan sebagai" in text:
            return await self._confirmed(progress, report, with_result=True)
        table, phase = (CATIN_ANSWERS, "catin") if "Data sasaran" in text else (FAMILY_ANSWERS, "family")
        for prompt, (kind, value) in table.items():
            if prompt in text:
                setattr(progress, phase, "started")
                if kind == "tap":
                    return await self._tap(value)
                return await self._type(self._value(report, value))
        raise AssertionError(f"{self.user!r} does not know how to answer:\n{text}\n{self.user.describe()}")

    @staticmethod
    def _value(report: Report, name: str) -> str:
        if name == "catin_name":
            assert report.catin
            return report.catin[0]
        if name == "catin_nik":
            assert report.catin
            return report.catin[1]
        value = getattr(report, name, None)
        return name if value is None else str(value)

    async def _confirmed(self, progress: Progress, report: Report, *, with_result: bool) -> str:
        if progress.family != "confirmed":
            progress.family = "confirmed"
            if report.catin and with_result:
                return await self._tap("➕ Calon pengantin (catin)")
            if report.catin:
                progress.catin = "skipped"  # the result message with its buttons never came
        else:
            progress.catin = "confirmed"
        return await self._next_report()

    async def _nothing_open(self, progress: Progress, report: Report) -> str:
        """/lanjut found no draft: what was sent was saved (checked against the database later)."""
        if progress.family in ("todo", "started"):
            return await self._type("/lapor")  # the form never opened: start it again
        if progress.family == "unconfirmed":
            progress.family = "confirmed"
            if report.catin:
                progress.catin = "skipped"
            return await self._next_report()
        if progress.catin == "unconfirmed":
            progress.catin = "confirmed"
        elif progress.catin != "confirmed":
            progress.catin = "skipped"  # the catin form never opened
        return await self._next_report()

    async def _next_report(self) -> str:
        self._index += 1
        if self._index >= len(self.reports):
            return "done"
        return await self._type("/lapor")


async def check_records(db: Database, cipher: IdentityCipher, reporters: list[Reporter]) -> dict[str, int]:
    """Every report a member believes sent is stored exactly once with the values typed;
    nothing else is stored. Returns the counts for the figures."""
    figures = Counter[str]()
    for reporter in reporters:
        families, total = await keluarga_store.list_keluarga(db, SUKAWANA, reporter_id=reporter.user.id, limit=1000)
        by_head = Counter(k.head_name for k in families)
        assert all(n == 1 for n in by_head.values()), f"a family saved twice: {by_head}"
        assert total == len(families)
        planned = {r.head: (r, p) for r, p in zip(reporter.reports, reporter.progress, strict=True)}
        assert set(by_head) <= set(planned), f"unexpected families {set(by_head) - set(planned)}"
        for family in families:
            report, progress = planned[family.head_name]
            assert (family.rt, family.rw, family.address) == (str(report.rt), str(report.rw), report.address), (
                f"answers stored under the wrong question: {family}")
            members = await keluarga_store.members(db, SUKAWANA, family.id)
            assert len(members) <= 1, f"a catin saved twice: {members}"
            for sasaran in members:
                assert report.catin and sasaran.name == report.catin[0], sasaran
                identity = await keluarga_store.identity_for_edit(db, cipher, SUKAWANA, sasaran.id)
                assert identity is not None and identity["nik"] == report.catin[1]
                visit = await keluarga_store.latest_kunjungan(db, sasaran.id)
                assert visit is not None
                measured = visit.measurement
                assert (measured.height_cm, measured.weight_kg, measured.lila_cm) == (
                    CATIN_HEIGHT, CATIN_WEIGHT, CATIN_LILA), measured
                figures["sasaran"] += 1
            figures["families"] += 1
        for report, progress in zip(reporter.reports, reporter.progress, strict=True):
            if progress.family == "confirmed":
                assert by_head[report.head] == 1, f"{report.head}: the member was told it was sent, not stored"
            figures[f"family_{progress.family}"] += 1
            figures[f"catin_{progress.catin}"] += 1
            if progress.catin == "confirmed":
                family = next(k for k in families if k.head_name == report.head)
                assert len(await keluarga_store.members(db, SUKAWANA, family.id)) == 1, f"{report.catin} lost"
    return dict(figures)
