"""The one table of importable columns: what each column means, which form field
checks its values, and the header names it is recognised by.

The template (:mod:`bot.impor.template`), the header recognition
(:mod:`bot.impor.headers`) and the row parser (:mod:`bot.impor.rows`) all read this
table, and every value rule comes from the field of ``/lapor`` named by ``form_key``
(same parser, same range, same choice list): an import never validates differently
from a member typing the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot import lapor_fields
from conversations.forms.fields import ChoiceField, DateField, Field, Option, TextField


class Kind(StrEnum):
    """The record a column belongs to; the template has one sheet per kind."""

    KELUARGA = "keluarga"
    SASARAN = "sasaran"
    PENGUKURAN = "pengukuran"


#: Fields an import has that no form asks (the form knows them from the member's scope
#: or the moment of typing): the region by code or by name, and the measuring date.
_EXTRA_FIELDS: dict[str, Field] = {
    "kode_wilayah": TextField(key="kode_wilayah", label="Kode wilayah", prompt="", min_length=6, max_length=20),
    "desa": TextField(key="desa", label="Desa/Kelurahan", prompt="", min_length=2, max_length=80),
    "kecamatan": TextField(key="kecamatan", label="Kecamatan", prompt="", min_length=2, max_length=80),
    "nama_istri": TextField(key="nama_istri", label="Nama istri", prompt="", min_length=2, max_length=80),
    "tanggal_ukur": DateField(key="tanggal_ukur", label="Tanggal ukur", prompt="", earliest_days=-6 * 365,
                              latest_days=0, too_late="Tanggal ukur tidak boleh di masa depan."),
}


@dataclass(frozen=True)
class Column:
    key: str  # the import's field name (also the form field's key unless ``form_key`` differs)
    kind: Kind
    header: str  # the template's header
    description: str  # the documentation sheet's text
    aliases: tuple[str, ...] = ()  # other header names people use for it
    required: bool = False
    form_key: str | None = None

    @property
    def field(self) -> Field:
        """The form field whose parser and rules check this column's values."""
        key = self.form_key or self.key
        if key in _EXTRA_FIELDS:
            return _EXTRA_FIELDS[key]
        fields = lapor_fields.FAMILY_FIELDS if self.kind is Kind.KELUARGA else lapor_fields.SASARAN_FIELDS
        return next(f for f in fields if f.key == key)

    @property
    def choices(self) -> tuple[Option, ...]:
        field = self.field
        return field.choices if isinstance(field, ChoiceField) else ()


K, S, P = Kind.KELUARGA, Kind.SASARAN, Kind.PENGUKURAN

COLUMNS: tuple[Column, ...] = (
    # -- keluarga: where and who -------------------------------------------------------
    Column("kode_wilayah", K, "Kode Wilayah", "Kode Kemendagri desa/kelurahan, mis. 36.73.04.1007 (atau tanpa "
           "titik). Bila diisi, Desa/Kelurahan dan Kecamatan tidak perlu.",
           ("kode desa", "kode kelurahan", "kode wilayah desa", "kode kemendagri", "kode wil")),
    Column("desa", K, "Desa/Kelurahan", "Nama desa/kelurahan (dipakai bila Kode Wilayah kosong).",
           ("desa", "kelurahan", "desa kelurahan", "kelurahan desa", "nama desa", "nama kelurahan", "kel desa",
            "desa kel", "kel", "ds")),
    Column("kecamatan", K, "Kecamatan", "Nama kecamatan, untuk membedakan desa yang namanya sama.",
           ("kec", "nama kecamatan")),
    Column("rt", K, "RT", "Nomor RT (angka).", ("no rt", "nomor rt")),
    Column("rw", K, "RW", "Nomor RW (angka).", ("no rw", "nomor rw")),
    Column("alamat", K, "Alamat", "Alamat rumah (jalan, gang, nomor).",
           ("alamat rumah", "alamat lengkap", "jalan", "domisili")),
    Column("kepala", K, "Nama Kepala Keluarga", "Nama kepala keluarga, seperti di KK.",
           ("nama kepala keluarga", "kepala keluarga", "nama kk", "nama krt", "nama kepala rumah tangga",
            "kepala rumah tangga", "nama kepala"), required=True),
    Column("no_kk", K, "No. KK", "Nomor Kartu Keluarga, 16 angka.",
           ("no kk", "nomor kk", "nomor kartu keluarga", "no kartu keluarga", "nokk", "kk no")),
    Column("air", K, "Sumber Air Minum", "Sumber air minum utama; pilih dari daftar.",
           ("sumber air minum", "air minum", "sumber air", "sumber air minum utama")),
    Column("jamban", K, "Jamban", "Jamban (tempat buang air besar); pilih dari daftar.",
           ("jamban", "fasilitas bab", "tempat bab", "jamban sehat", "kepemilikan jamban")),
    Column("pus", K, "Ada PUS", "Ya bila ada pasangan suami-istri dengan istri 15–49 tahun.",
           ("pus", "pasangan usia subur", "status pus")),
    Column("nama_istri", K, "Nama Istri", "Nama istri (PUS), bila ada.", ("istri", "nama pasangan")),
    Column("istri_lahir", K, "Tanggal Lahir Istri", "Tanggal lahir istri (PUS).",
           ("tgl lahir istri", "tanggal lahir istri", "lahir istri")),
    Column("anak", K, "Jumlah Anak", "Jumlah anak yang masih hidup (PUS).",
           ("jumlah anak", "jml anak", "anak hidup", "jumlah anak hidup")),
    Column("anak_terakhir", K, "Tanggal Lahir Anak Terakhir", "Tanggal lahir anak terakhir (PUS).",
           ("tgl lahir anak terakhir", "lahir anak terakhir")),
    Column("hamil", K, "Istri Hamil", "Ya bila istri sedang hamil (PUS).", ("sedang hamil", "hamil", "istri hamil")),
    Column("kb", K, "KB", "Alat/cara KB yang dipakai sekarang (PUS, tidak hamil); pilih dari daftar.",
           ("kb", "metode kb", "alat kontrasepsi", "kontrasepsi", "peserta kb", "jenis kb")),
    # -- sasaran --------------------------------------------------------------------------
    Column("kategori", S, "Kategori", "Kelompok sasaran; pilih dari daftar.",
           ("kategori sasaran", "kelompok sasaran", "sasaran", "jenis sasaran"), required=True),
    Column("nama", S, "Nama", "Nama lengkap sasaran.", ("nama sasaran", "nama lengkap", "nama anak", "nama ibu"),
           required=True),
    Column("nik", S, "NIK", "NIK sasaran, 16 angka (boleh kosong untuk anak).",
           ("nik", "no nik", "nomor nik", "nik sasaran", "nomor induk kependudukan", "nik anak", "nik ibu")),
    Column("jk", S, "Jenis Kelamin", "L atau P (Laki-laki / Perempuan); untuk catin dan anak.",
           ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender")),
    Column("lahir", S, "Tanggal Lahir", "Tanggal lahir sasaran (DD-MM-YYYY).",
           ("tanggal lahir", "tgl lahir", "tgl lahir sasaran", "tanggal lahir sasaran", "ttl", "lahir"),
           required=True),
    Column("hp", S, "Nomor HP", "Nomor HP ibu (ibu hamil/nifas), boleh kosong.",
           ("no hp", "nomor hp", "hp", "telepon", "no telp", "nomor telepon", "no wa")),
    Column("hpht", S, "HPHT", "Hari pertama haid terakhir (ibu hamil).", ("hpht", "tanggal hpht", "tgl hpht")),
    Column("hpl", S, "HPL", "Taksiran persalinan (ibu hamil), bila HPHT tidak diketahui.",
           ("hpl", "taksiran persalinan", "tanggal hpl", "tp")),
    Column("persalinan", S, "Tanggal Persalinan", "Tanggal bersalin (ibu nifas).",
           ("tanggal persalinan", "tgl persalinan", "tanggal bersalin")),
    Column("anak_ke", S, "Anak Ke", "Anak ke berapa (anak).", ("anak ke",)),
    Column("berat_lahir", S, "Berat Lahir", "Berat badan waktu lahir, kg (anak).", ("bb lahir", "berat lahir")),
    Column("panjang_lahir", S, "Panjang Lahir", "Panjang badan waktu lahir, cm (anak).",
           ("pb lahir", "panjang lahir")),
    # -- pengukuran -------------------------------------------------------------------------
    Column("tanggal_ukur", P, "Tanggal Ukur", "Tanggal penimbangan/pengukuran.",
           ("tanggal ukur", "tgl ukur", "tanggal pengukuran", "tgl pengukuran", "tanggal penimbangan",
            "tgl timbang", "tanggal timbang")),
    Column("berat", P, "Berat Badan", "Berat badan, kg.", ("berat badan", "bb", "berat", "bb kg", "berat kg")),
    Column("tinggi", P, "Tinggi Badan", "Tinggi atau panjang badan, cm.",
           ("tinggi badan", "tb", "tinggi", "panjang badan", "pb", "tb pb", "tb cm")),
    Column("cara_ukur", P, "Cara Ukur", "Berbaring (panjang badan) atau berdiri (tinggi badan); anak.",
           ("cara ukur", "posisi", "posisi ukur", "cara pengukuran")),
    Column("lila", P, "LiLA", "Lingkar lengan atas, cm (catin, ibu hamil).", ("lila", "lingkar lengan atas")),
    Column("hb", P, "Hb", "Kadar Hb, g/dL (catin, ibu hamil).", ("hb", "hemoglobin", "kadar hb")),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}

#: The columns that tell which family a row belongs to (a sasaran or measurement row
#: may carry only these).
FAMILY_IDENTITY = frozenset({"kode_wilayah", "desa", "kecamatan", "kepala", "no_kk"})
#: The columns that tell which sasaran a measurement row belongs to.
SASARAN_IDENTITY = frozenset({"nik", "nama", "lahir"})


def columns_of(kind: Kind) -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS if c.kind is kind)
