"""The audit's documents as replies: the KKA sections, the one-case and the round's KKA PDF,
and the Diseminasi deck and workbook — each logged in the audit log as it goes out.

The files are built off the event loop (python-pptx, openpyxl, fpdf2 and matplotlib take
a while for a round of many cases), so other members are answered meanwhile.
"""

from __future__ import annotations

import asyncio

from telegram import Message

from bot.audit import files, kka, service
from bot.domain.roles import Caller
from bot.services import Services
from storage import audit_kasus as store
from storage.audit_kasus import Case, Round

PERSONAL = "Berisi data pribadi: hanya untuk koordinator dan tim pakar putaran."


async def kka_sections(services: Services, case: Case) -> list[kka.Section]:
    sources = await store.kka_sources(services.db, case)
    reviews = (await store.reviews(services.db, [case.id])).get(case.id, [])
    return kka.document(case, sources, reviews, audit_day=service.today(services), regions=services.regions)


async def send_case_pdf(services: Services, caller: Caller, case: Case, msg: Message) -> None:
    await store.log_read(services.db, case_id=case.id, actor_id=caller.user_id, how="pdf", now=services.clock.now())
    sections = await kka_sections(services, case)
    data = await asyncio.to_thread(files.kka_pdf, f"Kasus no. {case.number}", [(case.number, sections)])
    await msg.reply_document(data, filename=f"kka-kasus-{case.number}.pdf",
                             caption=f"KKA kasus no. {case.number}. Berisi data pribadi: jangan diteruskan.")


async def send_round_pdf(services: Services, caller: Caller, round_: Round, msg: Message) -> None:
    now = services.clock.now()
    documents = []
    for case in await store.cases(services.db, round_.id, include_dropped=False):
        await store.log_read(services.db, case_id=case.id, actor_id=caller.user_id, how="pdf_putaran", now=now)
        documents.append((case.number, await kka_sections(services, case)))
    await store.log_file(services.db, round_id=round_.id, actor_id=caller.user_id, kind="kka_pdf", now=now)
    data = await asyncio.to_thread(files.kka_pdf, service.round_label(services, round_), documents)
    await msg.reply_document(data, filename=f"kka-{round_.year}-s{round_.semester}.pdf",
                             caption=f"Semua KKA putaran ini. {PERSONAL}")


async def send_diseminasi(services: Services, caller: Caller, round_: Round, part: int, msg: Message) -> None:
    """Diseminasi I or II: the anonymous deck and workbook, then the KKA PDF for the tim pakar's file."""
    cases = await store.cases(services.db, round_.id, include_dropped=False)
    content = files.Round(
        title=service.round_label(services, round_), part=part, rekap=await service.semester_figures(services, round_),
        cases=cases, kecamatan={c.id: services.regions.label(c.region_code[:8]) for c in cases},
        reviews=await store.reviews(services.db, [c.id for c in cases]),
        rtl=await store.rtl_items(services.db, round_.id),
        trends=await service.trends(services, round_) if part == 2 else {}, today=service.today(services))
    slug = f"{round_.year}-s{round_.semester}-diseminasi-{part}"
    deck = await asyncio.to_thread(files.deck, content)
    await msg.reply_document(deck, filename=f"aks-{slug}.pptx",
                             caption=f"Bahan paparan Diseminasi {'I' * part} (tanpa nama).")
    await store.log_file(services.db, round_id=round_.id, actor_id=caller.user_id, kind=f"pptx:{part}",
                         now=services.clock.now())
    workbook = await asyncio.to_thread(files.workbook, content)
    await msg.reply_document(workbook, filename=f"aks-{slug}.xlsx",
                             caption="Angka semester dan satu baris per kasus (tanpa nama).")
    await store.log_file(services.db, round_id=round_.id, actor_id=caller.user_id, kind=f"xlsx:{part}",
                         now=services.clock.now())
    await send_round_pdf(services, caller, round_, msg)
