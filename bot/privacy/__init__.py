"""Personal data (UU 27/2022 PDP, issue 8): erasure on request (/hapus), the export of
everything held about one person (``python -m bot export-subject``), anonymisation of
ended records after the retention period (a daily job), and consent records shown on
request (/persetujuan). The SQL lives in :mod:`storage.privacy`.
"""

from bot.privacy.erasure import erase
from bot.privacy.export import export_subject
from bot.privacy.retention import RetentionReport, sweep

__all__ = ["RetentionReport", "erase", "export_subject", "sweep"]
