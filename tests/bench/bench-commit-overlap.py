#!/usr/bin/env python3
"""Benchmark helper (not a test): do requests through the proxy wait while the ledger writer works?

Usage: bench-commit-overlap.py TIMES_FILE PROXY_LOG
  TIMES_FILE: `bench_proxy seq` output with TL_BENCH_TIMES set: "<start ns, steady clock> <latency us>" per request.
  PROXY_LOG:  the proxy's stderr with QT_LOGGING_RULES="tokenledger.ledger.debug=true": one line per writer batch,
              "batch records=N completions_ns=A..B commit_ns=B..C ok=true" on the same steady clock.
Prints the latency p50/p99/max of the requests that overlapped the writer's record completions, its commits
(SQLite transaction, WAL checkpoints included), and of those that overlapped neither; then the same grouped by
where each request started (not biased towards slow requests, which meet more spans).
"""
import bisect
import re
import sys


def pct(v, q):
    if not v:
        return float('nan')
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    reqs = [(int(a), float(b)) for a, b in (l.split() for l in open(sys.argv[1]) if l.strip())]
    spans = {'completions': [], 'commit': []}
    pat = re.compile(r'batch records=(\d+) completions_ns=(\d+)\.\.(\d+) commit_ns=(\d+)\.\.(\d+)')
    for line in open(sys.argv[2], errors='replace'):
        m = pat.search(line)
        if m:
            spans['completions'].append((int(m.group(2)), int(m.group(3))))
            spans['commit'].append((int(m.group(4)), int(m.group(5))))
    if not reqs or not spans['commit']:
        print(f"requests={len(reqs)} writer_batches={len(spans['commit'])}: nothing to line up")
        return 1
    first, last = reqs[0][0], reqs[-1][0] + int(reqs[-1][1] * 1000)

    def overlaps(kind, start, end):
        s = spans[kind]
        i = bisect.bisect_left(s, (start, 0))
        return any(a < end and b > start for a, b in s[max(0, i - 1):i + 1])

    # Two groupings. "overlapping": the request's span met the writer's span; a slow request meets more
    # spans than a fast one (length-biased), so this one overstates the writer's part. "started in": the
    # request began while the writer was in that span; a request's start does not depend on its latency.
    groups = {'completions': [], 'commit': [], 'neither': []}
    started = {'completions': [], 'commit': [], 'neither': []}
    for start, lat in reqs:
        end = start + int(lat * 1000)
        hit = False
        for kind in ('commit', 'completions'):
            if overlaps(kind, start, end):
                groups[kind].append(lat)
                hit = True
                break
        if not hit:
            groups['neither'].append(lat)
        hit = False
        for kind in ('commit', 'completions'):
            if overlaps(kind, start, start + 1):
                started[kind].append(lat)
                hit = True
                break
        if not hit:
            started['neither'].append(lat)
    busy = {k: sum(min(b, last) - max(a, first) for a, b in v if b > first and a < last) for k, v in spans.items()}
    run = max(1, last - first)
    print(f"writer batches={sum(1 for a, b in spans['commit'] if b > first and a < last)} "
          f"busy: completions {100 * busy['completions'] / run:.1f}% commit {100 * busy['commit'] / run:.1f}% of the run")
    for k, v in groups.items():
        print(f"requests overlapping {k:11s} n={len(v):6d} p50_us={pct(v, .5):8.1f} p99_us={pct(v, .99):8.1f} "
              f"max_us={max(v) if v else float('nan'):8.1f}")
    for k, v in started.items():
        print(f"requests started in  {k:11s} n={len(v):6d} p50_us={pct(v, .5):8.1f} p99_us={pct(v, .99):8.1f} "
              f"max_us={max(v) if v else float('nan'):8.1f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
