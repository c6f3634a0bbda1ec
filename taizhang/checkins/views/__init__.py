"""Check-in pages: periods, the period and 督办 boards, reports, benefit claims, inspections,
the inbox and group robots.

Views stay thin: every read goes through an `access_*` helper (out of scope answers 404
exactly like missing), every write through `checkins.services`, whose DomainError becomes a
form error or a message, never a half-saved record.
"""
