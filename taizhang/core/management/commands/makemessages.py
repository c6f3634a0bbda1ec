"""makemessages without msgmerge's fuzzy matching.

The msgids are short Chinese phrases, and msgmerge's similarity guesses for them are nearly
always wrong ('新增' was offered 'New revenue'). A new msgid therefore arrives untranslated,
which scripts/update-translations.py lists, instead of fuzzy with a misleading guess that
a translator has to spot and undo.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
