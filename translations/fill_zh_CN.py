#!/usr/bin/env python3
"""Fills translations/tokenledger_zh_CN.ts from the dictionary in zh_CN_strings.py.

Run after `lupdate` (see translations/README.md). Leaves a message "unfinished" when the dictionary has no
entry for it and prints it, so a missing translation is visible."""
import os
import sys
import xml.etree.ElementTree as ET

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from zh_CN_strings import T  # noqa: E402

path = os.path.join(here, 'tokenledger_zh_CN.ts')
tree = ET.parse(path)
missing = []
for ctx in tree.getroot().findall('context'):
    for m in ctx.findall('message'):
        src = m.find('source').text
        tr = m.find('translation')
        if src not in T:
            missing.append((ctx.find('name').text, src))
            continue
        text = T[src]
        tr.attrib.pop('type', None)
        if m.get('numerus') == 'yes':
            for child in list(tr):
                tr.remove(child)
            tr.text = None
            form = ET.SubElement(tr, 'numerusform')
            form.text = text
        else:
            tr.text = text
tree.write(path, encoding='utf-8', xml_declaration=True)
with open(path, encoding='utf-8') as f:
    body = f.read()
with open(path, 'w', encoding='utf-8') as f:
    f.write(body.replace("<?xml version='1.0' encoding='utf-8'?>", '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>', 1))
for ctx, src in missing:
    print(f'missing: {ctx}: {src!r}')
sys.exit(1 if missing else 0)
