"""Inline-keyboard widgets that handlers, conversations and bot/ modules share (region picker, paging)."""
