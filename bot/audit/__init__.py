"""Audit Kasus Stunting (issue 18): the round's service, its buttons, the KKA and the diseminasi files."""
