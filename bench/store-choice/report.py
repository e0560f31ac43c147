#!/usr/bin/env python3
"""Aggregate results/*.jsonl into markdown tables of medians (over reps)."""
import json, statistics as st, os, collections
R = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
med = lambda xs: st.median(xs)
rows = [json.loads(l) for l in open(os.path.join(R, "load.jsonl")) if l.strip()]
g = collections.OrderedDict()
for r in rows:
    g.setdefault((r["store"], r["rate"]), []).append(r)
order = {"5000": 0, "20000": 1, "50000": 2, "max": 3}
keys = sorted(g, key=lambda k: (order.get(k[1], 9), k[0]))
def ms(us): return f"{us/1000:.2f}" if us < 10000 else f"{us/1000:.0f}"
print("### Load runs (median of %d reps; latency = enqueue -> batch durable, ms)\n" % max(len(v) for v in g.values()))
print("| store | offered rec/s | achieved rec/s | batch p50 | p50 | p99 | p99.9 | max | p99 from intended send | fsync'd commit p50 / p99 | CPU µs/rec | disk write B/rec | (+memtable flush) | size after run MB (alloc) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for k in keys:
    v = g[k]
    m = lambda f: med([f(x) for x in v])
    print(f"| {k[0]} | {k[1]} | {m(lambda x: x['achieved']):,.0f} | {m(lambda x: x['batchSize']['p50']):,.0f} | "
          f"{ms(m(lambda x: x['latEnqUs']['p50']))} | {ms(m(lambda x: x['latEnqUs']['p99']))} | {ms(m(lambda x: x['latEnqUs']['p999']))} | "
          f"{ms(m(lambda x: x['latEnqUs']['max']))} | {ms(m(lambda x: x['latIntendedUs']['p99']))} | "
          f"{ms(m(lambda x: x['commitUs']['p50']))} / {ms(m(lambda x: x['commitUs']['p99']))} | "
          f"{m(lambda x: x['cpuUsPerRec']):.1f} | {m(lambda x: x['writeBytesPerRec']):,.0f} | "
          f"{m(lambda x: x['flushWriteBytesPerRec']):,.0f} | {m(lambda x: x['sizeBytes'])/2**20:,.0f} ({m(lambda x: x['allocKiB'])/1024:,.0f}) |")
print()
print("Per-run spread (achieved rec/s; latency p99 ms):\n")
for k in keys:
    v = g[k]
    print(f"- {k[0]} @ {k[1]}: achieved " + ", ".join(f"{x['achieved']:,.0f}" for x in v)
          + "; p99 " + ", ".join(ms(x['latEnqUs']['p99']) for x in v)
          + "; storeStats " + " ".join(json.dumps(x['storeStats'], separators=(',', ':')) for x in v[:1]))
rp = os.path.join(R, "recovery.jsonl")
if os.path.exists(rp):
    rr = [json.loads(l) for l in open(rp) if l.strip()]
    gr = collections.OrderedDict()
    for r in rr:
        gr.setdefault(r["load"]["store"], []).append(r)
    print("\n### Recovery (1.1M appends, 100k deletes -> 1,000,000 messages + 10,000 meta kept; crash = Runtime.halt without close; page cache dropped before reopen; median of %d)\n" % max(len(v) for v in gr.values()))
    print("| store | build time s (1.1M put + 100k del, 10k-record synced batches) | size on disk MB | RocksDB WAL at crash MB | reopen after crash ms (cold cache) | full scan after crash s (cold) | reopen clean ms (warm) | full scan clean s (warm) | keys found |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, v in gr.items():
        m = lambda f: med([f(x) for x in v])
        print(f"| {s} | {m(lambda x: (x['load']['loadMs']+x['load']['deleteMs'])/1000):.1f} | {m(lambda x: x['open']['sizeBeforeOpen'])/2**20:,.0f} | "
              f"{m(lambda x: x['open']['walBytesAtCrash'])/2**20:.1f} | {m(lambda x: x['open']['crashOpenMs']):,.0f} | {m(lambda x: x['open']['crashScanMs'])/1000:.2f} | "
              f"{m(lambda x: x['open']['cleanOpenMs']):,.0f} | {m(lambda x: x['open']['cleanScanMs'])/1000:.2f} | "
              f"{'/'.join(sorted(set(str(x['open']['msgs'] + x['open']['metas']) for x in v)))} |")
fp = os.path.join(R, "fsync.jsonl")
if os.path.exists(fp):
    f = [json.loads(l) for l in open(fp) if l.strip()][-1]
    print("\n### Raw fsync (4 KiB write + FileChannel.force, 2,000 iterations, µs)\n")
    print("| variant | p50 | p99 | p99.9 | max |\n|---|---|---|---|---|")
    for k in ("append_force_true", "append_force_false", "overwrite_force_false"):
        h = f[k]; print(f"| {k} | {h['p50']} | {h['p99']} | {h['p999']} | {h['max']} |")
