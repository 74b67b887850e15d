-- A closed period's zero figures are no longer written (issue 19): a national close freezes
-- every desa/kelurahan too, 83,000 areas of some 45 figures, most of them zero where a desa
-- has little data. zero_keys lists, as JSON {"<key>": <whether the figure has a whole>}, the
-- keys of the figures closed that way: an area of the period without a row for one of them
-- had 0 (and a whole of 0 when the figure has one). NULL for the periods closed before, whose
-- zeros were written (storage/rekap_closed.py keeps writing them when such a period is re-closed).
ALTER TABLE rekap_closed_period ADD COLUMN zero_keys TEXT;
