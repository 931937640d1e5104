#!/usr/bin/env python3
"""Fills translations/tokenledger_en.ts: the English singular and plural of every "%n" text.

Run after `lupdate ... -pluralonly -target-language en` (see translations/README.md). A source's "word(s)"
becomes "word" (n = 1) and "words" (else), "word(es)" "word" and "words"; en_strings.py gives both forms
where more than the noun changes ("%n row(s) have" -> "%n row has" / "%n rows have"). Fails, listing it,
on a form that still says "(s)" or "(es)", so a text that needs en_strings.py is visible, or that does not
count (%n, or %Ln for a count with group separators)."""
import os
import re
import sys
import xml.etree.ElementTree as ET

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from en_strings import PLURALS  # noqa: E402

_MARK = re.compile(r'(\w+)\((e?s)\)')
_COUNT = re.compile(r'%L?n')  # %n, or %Ln: the count with the locale's group separators


def forms(src):
    if src in PLURALS:
        return list(PLURALS[src])
    return [_MARK.sub(r'\1', src), _MARK.sub(r'\1\2', src)]


path = os.path.join(here, 'tokenledger_en.ts')
tree = ET.parse(path)
bad = []
for ctx in tree.getroot().findall('context'):
    for m in ctx.findall('message'):
        if m.get('numerus') != 'yes':
            continue
        src = m.find('source').text
        tr = m.find('translation')
        tr.attrib.pop('type', None)
        for child in list(tr):
            tr.remove(child)
        tr.text = None
        texts = forms(src)
        for text in texts:
            form = ET.SubElement(tr, 'numerusform')
            form.text = text
            if _MARK.search(text) or not _COUNT.search(text):
                bad.append((ctx.find('name').text, text))
tree.write(path, encoding='utf-8', xml_declaration=True)
with open(path, encoding='utf-8') as f:
    body = f.read()
with open(path, 'w', encoding='utf-8') as f:
    f.write(body.replace("<?xml version='1.0' encoding='utf-8'?>", '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>', 1))
for ctx, text in bad:
    print(f'not a plural form: {ctx}: {text!r}')
sys.exit(1 if bad else 0)
