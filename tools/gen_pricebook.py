#!/usr/bin/env python3
"""Regenerates resources/pricing/pricebook.json from the genai-prices data file.

Usage: tools/gen_pricebook.py [../shared/data/pricing/genai-prices-0.1.8.json] [resources/pricing/pricebook.json]

Every price is converted exactly (decimal arithmetic, no floats) to an integer count of nano-USD per
unit: per million tokens for *_mtok keys, per thousand for *_kcount keys, per hour for *_hours keys.
Match rules, context windows and dated price constraints are kept as the source gives them.
Source: pydantic/genai-prices (MIT licence), data as published in npm @pydantic/genai-prices.
"""
import json
import os
import re
import sys
from decimal import ROUND_HALF_UP, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', 'shared', 'data', 'pricing', 'genai-prices-0.1.8.json')
DST = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, '..', 'resources', 'pricing', 'pricebook.json')
NANO = Decimal(1_000_000_000)


ROUNDED = []


def nano(value):
    d = Decimal(value) * NANO
    exact = d.to_integral_value()
    if d != exact:
        # The source carries binary floating-point noise (0.18000000000000002) and a few repeating
        # fractions (0.08333333333333334 = 1/12 USD per MTok). Round to the nearest nano-USD per unit
        # (an error below 1e-9 USD per million tokens) and list them so the rounding is visible.
        exact = d.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        ROUNDED.append(str(value))
    return int(exact)


def convert_price(value):
    if isinstance(value, dict):  # tiered: {"base": x, "tiers": [{"start": n, "price": y}]}
        return {'base': nano(value['base']),
                'tiers': [{'start': t['start'], 'price': nano(t['price'])} for t in value['tiers']]}
    return nano(value)


def convert_prices(prices):
    entries = prices if isinstance(prices, list) else [{'prices': prices}]
    out = []
    for e in entries:
        item = {'prices': {k: convert_price(v) for k, v in e['prices'].items()}}
        c = e.get('constraint')
        if c:
            # start_date: prices valid from that UTC date on; time_of_date: an off-peak UTC window
            if c.get('type') not in ('start_date', 'time_of_date'):
                raise SystemExit(f'unsupported price constraint {c}')
            item['constraint'] = c
        out.append(item)
    return out


def main():
    data = json.load(open(SRC, encoding='utf-8'), parse_float=Decimal)
    version = 'genai-prices-' + re.search(r'(\d+\.\d+\.\d+)', os.path.basename(SRC)).group(1)
    providers = []
    for p in data:
        prov = {'id': p['id'], 'name': p['name']}
        for key in ('model_match', 'provider_match', 'fallback_model_providers'):
            if key in p:
                prov[key] = p[key]
        prov['models'] = []
        for m in p['models']:
            model = {'id': m['id'], 'match': m['match'], 'prices': convert_prices(m['prices'])}
            for key in ('name', 'context_window', 'deprecated'):
                if key in m:
                    model[key] = m[key]
            prov['models'].append(model)
        providers.append(prov)
    book = {
        'version': version,
        'units': 'integer nano-USD per unit: *_mtok per 1,000,000 tokens, *_kcount per 1,000, *_hours per hour',
        'source': 'pydantic/genai-prices ' + version.split('-')[-1] + ' (MIT licence, https://github.com/pydantic/genai-prices)',
        'providers': providers,
    }
    os.makedirs(os.path.dirname(DST), exist_ok=True)
    with open(DST, 'w', encoding='utf-8') as f:
        json.dump(book, f, ensure_ascii=False, separators=(',', ':'), sort_keys=False)
        f.write('\n')
    n = sum(len(p['models']) for p in providers)
    if ROUNDED:
        print(f'rounded {len(ROUNDED)} prices carrying float noise, e.g. {ROUNDED[:3]}')
    print(f'{DST}: {len(providers)} providers, {n} models, version {version}')


if __name__ == '__main__':
    main()
