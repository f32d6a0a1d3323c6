"""The baseline of bench/screening: what a Python team would write with rapidfuzz.
Every query is scored against every name with Jaro-Winkler (`process.extract`, rapidfuzz's
default preprocessing: lower case, punctuation removed), keeping the best 10.

  python3 bench/screening_rapidfuzz.py NAMES QUERIES

A query is recalled when the name it was made from is among its 10 best. Prints one JSON
line: throughput, latency percentiles, recall.
"""
import json
import sys
import time

from rapidfuzz import process, utils
from rapidfuzz.distance import JaroWinkler


def main():
    names = open(sys.argv[1], encoding="utf-8").read().splitlines()
    queries = [line.split("\t") for line in open(sys.argv[2], encoding="utf-8").read().splitlines()]
    # Preprocess the list once, as a team would.
    prepared = [utils.default_process(n) for n in names]
    latencies, recalled = [], 0
    started = time.perf_counter()
    for query, expected in queries:
        one = time.perf_counter()
        best = process.extract(
            utils.default_process(query), prepared, scorer=JaroWinkler.normalized_similarity,
            processor=None, limit=10,
        )
        latencies.append((time.perf_counter() - one) * 1e6)
        if any(index == int(expected) for _, _, index in best):
            recalled += 1
    seconds = time.perf_counter() - started
    latencies.sort()
    pick = lambda p: latencies[min(len(latencies) - 1, round((len(latencies) - 1) * p))]
    print(json.dumps({
        "names": len(names), "queries": len(queries), "qps": round(len(queries) / seconds, 1),
        "p50_us": round(pick(0.5), 1), "p99_us": round(pick(0.99), 1),
        "recall": round(recalled / len(queries), 4),
    }))


if __name__ == "__main__":
    main()
