"""/rekap, /ekspor and the monthly digest for coordinators.

``periods`` (what a period is and how people type it), ``request`` (the words after the
command), ``service`` (counts from :mod:`storage.rekap` → :class:`figures.Rekap`),
``figures`` (the one list of rows every output reads), ``message`` (chat text),
``chart`` (PNG), ``workbook`` (XLSX), ``keyboard`` (buttons and callback data),
``monthly_digest`` (the monthly job).
"""
