"""Running an audit round: who may open it, the shortlist, the TPK members' KKA tasks, the
follow-up baseline and trends, and the semester's figures for the diseminasi.

Handlers and conversations call these; the rules sit in :mod:`bot.domain.audit_criteria` and
:mod:`bot.domain.audit_round`, the SQL in :mod:`storage.audit_kasus`.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from datetime import date

from bot.audit import callbacks
from bot.domain.audit_criteria import Point, shift_months, shortlist
from bot.domain.audit_round import Semester, Stage, Trend, trend
from bot.domain.regions import Level, level_of
from bot.domain.roles import Caller, Role
from bot.rekap.figures import Rekap
from bot.rekap.periods import Period
from bot.rekap.service import build_rekap
from bot.reminders.planning import visit_markup
from bot.services import Services
from storage import audit_kasus as store
from storage import notices
from storage.audit_kasus import Case, Round

log = logging.getLogger(__name__)

DROP_REASONS = ("Data belum lengkap", "Sudah membaik", "Pindah domisili", "Sudah diaudit sebelumnya",
                "Bukan wilayah prioritas")
ADD_REASONS = ("Usulan puskesmas", "Usulan TPK", "Gizi buruk", "Kasus baru dari posyandu")
SPECIALITIES = ("Dokter spesialis anak", "Dokter kandungan", "Ahli gizi", "Psikolog", "PKK", "Bidan koordinator")
#: Stored with each case's baseline: the day the pemantauan began.
FOLLOW_UP_FROM = "pemantauan_mulai"
RTL_OUTCOMES = ("Terlaksana", "Terlaksana sebagian", "Tidak terlaksana")


def today(services: Services) -> date:
    return services.clock.now().astimezone(services.settings.wilayah.zone).date()


def may_open(caller: Caller) -> bool:
    """A coordinator of a kab/kota (or a wider root) or an admin opens rounds for their area."""
    if caller.role is Role.ADMIN:
        return True
    return caller.role is Role.KOORDINATOR and caller.scope is not None and level_of(caller.scope) <= Level.KABKOTA


def round_label(services: Services, round_: Round) -> str:
    return f"{Semester(round_.year, round_.semester).label} — {services.regions.label(round_.region_code)}"


async def open_round(services: Services, caller: Caller, semester: Semester) -> tuple[Round, int]:
    """Open the round of the caller's area and store its shortlist; raises ``AlreadyOpen``."""
    assert caller.scope is not None
    criteria = services.settings.audit
    families = await store.selection_input(services.db, caller.scope)
    # ~1 s of CPU for a kota of 50,000 sasaran: off the event loop, so other members are answered meanwhile
    proposals = await asyncio.to_thread(shortlist, families, criteria, today(services))
    round_ = await store.open_round(services.db, region_code=caller.scope, year=semester.year, semester=semester.half,
                                    proposals=proposals, criteria=criteria.model_dump(mode="json"),
                                    actor_id=caller.user_id, now=services.clock.now())
    count = len(proposals)
    log.info("audit round %s opened with %d proposed cases", round_.id, count)
    return round_, count


async def may_read(services: Services, caller: Caller, case: Case) -> bool:
    """Names and the KKA: the round's coordinators, its active pakar while it is open, the case's own TPK member."""
    round_ = await store.visible_round(services.db, round_id=case.round_id, role=caller.role, scope=caller.scope,
                                       user_id=caller.user_id)
    if round_ is not None:
        return True
    if caller.role is Role.TPK and case.tpk_id == caller.user_id and case.status != "batal":
        return any(c.id == case.id for c in await store.cases_of_tpk(services.db, caller.user_id))
    return False


async def round_of_case(services: Services, caller: Caller, case: Case) -> Round | None:
    return await store.visible_round(services.db, round_id=case.round_id, role=caller.role, scope=caller.scope,
                                     user_id=caller.user_id)


async def queue_kka_tasks(services: Services, round_: Round) -> int:
    """At the KKA stage each kept case's TPK member gets a task: visit and complete the KKA."""
    now = services.clock.now()
    queued = 0
    async with services.db.transaction() as tx:
        for case in await store.cases(services.db, round_.id, include_dropped=False):
            if case.tpk_id is None:
                continue
            queued += await notices.queue(
                tx, recipient_id=case.tpk_id, kind="audit_kka", dedupe_key=f"audit_kka:{case.id}", now=now,
                text=(f"📋 Audit kasus stunting: <b>kasus no. {case.number}</b> perlu kunjungan rumah untuk "
                      "melengkapi Kertas Kerja Audit (KKA). Mohon dikunjungi lalu isi KKA-nya."),
                markup=[[{"text": "📝 Lengkapi KKA", "callback_data": callbacks.kka_form(case.id)}]])
    return queued


async def queue_rtl_visit(services: Services, case: Case, action: str, due: date) -> None:
    """An RTL item for the TPK becomes a visit task for the case's own member, like a reminder's follow-up."""
    if case.tpk_id is None or case.sasaran_id is None:
        return
    async with services.db.transaction() as tx:
        await notices.queue(
            tx, recipient_id=case.tpk_id, kind="audit_rtl", now=services.clock.now(),
            dedupe_key=f"audit_rtl:{case.id}:{due.isoformat()}:{abs(hash(action)) % 10**8}",
            text=(f"📌 Tindak lanjut audit, <b>kasus no. {case.number}</b>: {html.escape(action)} "
                  f"(sebelum {due:%d-%m-%Y}) — mohon dikunjungi."),
            markup=visit_markup(case.sasaran_id))


def _point(visit: dict[str, object]) -> Point:
    return Point(date.fromisoformat(str(visit["visited_on"])), visit.get("weight_kg"),  # type: ignore[arg-type]
                 visit.get("haz"), None if visit.get("stunted") is None else bool(visit.get("stunted")),  # type: ignore[arg-type]
                 visit.get("lila_cm"), visit.get("hb"))  # type: ignore[arg-type]


async def start_follow_up(services: Services, round_: Round) -> None:
    """At Diseminasi I's end each case's latest measurement becomes the baseline of its trend."""
    baselines: dict[int, dict[str, object]] = {}
    started = today(services).isoformat()
    for case in await store.cases(services.db, round_.id, include_dropped=False):
        visits = (await store.kka_sources(services.db, case))["visits"]
        if visits:
            baselines[case.id] = {**visits[-1], FOLLOW_UP_FROM: started}
    await store.set_baseline(services.db, round_.id, baselines)


def follow_up_until(services: Services, case: Case) -> date | None:
    """The last day of the case's pemantauan: ``[audit] follow_up_months`` after it began."""
    started = (case.baseline or {}).get(FOLLOW_UP_FROM)
    if not isinstance(started, str):
        return None
    return shift_months(date.fromisoformat(started), services.settings.audit.follow_up_months)


async def trends(services: Services, round_: Round) -> dict[int, Trend | None]:
    """Each case's trend since the baseline (None: not measured since, or no baseline)."""
    found: dict[int, Trend | None] = {}
    thresholds = services.settings.klinis
    for case in await store.cases(services.db, round_.id, include_dropped=False):
        if case.baseline is None:
            found[case.id] = None
            continue
        until = follow_up_until(services, case)
        visits = [v for v in (await store.kka_sources(services.db, case))["visits"]
                  if until is None or date.fromisoformat(str(v["visited_on"])) <= until]
        found[case.id] = trend(_point(case.baseline), [_point(v) for v in visits],
                               haz_margin=services.settings.audit.trend_haz_margin,
                               lila_cutoff=thresholds.lila_kek_below_cm, hb_cutoff=thresholds.hb_hamil_below_g_dl)
    return found


def semester_period(round_: Round) -> Period:
    semester = Semester(round_.year, round_.semester)
    return Period(semester.first, semester.last.replace(day=1))


async def semester_figures(services: Services, round_: Round) -> Rekap:
    """The semester's figures for the deck and the workbook: the one place the audit reads /rekap
    (point it at the semester's closed figures once they exist)."""
    return await build_rekap(services, scope=round_.region_code, area=round_.region_code,
                             period=semester_period(round_), depth=1)


@dataclass(frozen=True)
class Progress:
    proposed: int
    kept: int
    dropped: int
    kka_done: int
    reviewed: int


async def progress(services: Services, round_: Round) -> Progress:
    every = await store.cases(services.db, round_.id)
    live = [c for c in every if c.status != "batal"]
    return Progress(len(every), sum(c.status == "tetap" for c in every), sum(c.status == "batal" for c in every),
                    sum(c.kka is not None for c in live), sum(c.review_done for c in live))


async def advance(services: Services, caller: Caller, round_: Round) -> Stage | None:
    """The next stage, with what it starts: KKA tasks, the follow-up baseline."""
    nxt = round_.stage.next()
    if nxt is None:
        return None
    if not await store.advance(services.db, round_, to=nxt, actor_id=caller.user_id, now=services.clock.now()):
        return None
    if nxt is Stage.KKA:
        await queue_kka_tasks(services, round_)
    if nxt is Stage.PEMANTAUAN:
        await start_follow_up(services, round_)
    return nxt
