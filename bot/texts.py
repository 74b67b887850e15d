"""User-facing texts shared by several handlers (Bahasa Indonesia, short and kind).

Texts used by a single flow live beside that flow; these are the ones the whole bot
speaks with.
"""

NOT_ALLOWED = "Maaf, perintah ini tidak tersedia untuk Anda. Ketik /bantuan untuk melihat yang bisa Anda pakai."
DEACTIVATED = (
    "Akun Anda sedang dinonaktifkan. Hubungi koordinator Anda bila ini keliru."
)
PRIVATE_CHAT_ONLY = (
    "Demi menjaga data pribadi, perintah dan tombol ini hanya bisa dipakai di chat pribadi dengan bot. "
    "Silakan buka chat pribadi dengan bot."
)
INTERNAL_ERROR = (
    "Maaf, terjadi gangguan di sistem kami. Jawaban yang sudah tersimpan tidak hilang. "
    "Silakan coba lagi sebentar lagi, atau ketik /bantuan."
)
EXPIRED_BUTTON = "Tombol ini tidak dikenal atau sudah kedaluwarsa. Silakan mulai lagi dari perintahnya."
CANCELLED = "Baik, dibatalkan. Ketik /bantuan untuk melihat perintah lain."
NOTHING_TO_CANCEL = "Tidak ada isian yang sedang berjalan."

GREETING_UNKNOWN = (
    "Halo! Ini <b>TPK Bot</b>, pendamping Tim Pendamping Keluarga (TPK) untuk mencegah stunting.\n\n"
    "• Anggota TPK dan koordinator bergabung lewat <b>tautan undangan</b> dari koordinatornya.\n"
    "• Ibu hamil dan ibu nifas bergabung lewat <b>tautan atau kode QR</b> dari anggota TPK "
    "yang mendampinginya.\n\n"
    "Bila Anda sudah punya tautan, bukalah tautan itu."
)
