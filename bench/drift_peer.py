#!/usr/bin/env python3
"""The peer of `mlops-tui drift` for bench/drift.ts: pandas + scipy doing Evidently's
large-sample defaults (more than 1,000 reference rows) on two CSV files:

  numeric columns      Wasserstein distance normalised by the reference's standard deviation
                       (Evidently's "wasserstein", drift at >= 0.1)
  categorical columns  Jensen-Shannon distance of the category shares over the union of
                       categories (Evidently's "jensenshannon", drift at >= 0.1)

Reading both files is timed with the statistics: the same work `mlops-tui drift` does.
Prints one JSON object: seconds (total), read_seconds, and per column the method and statistic.

  python3 bench/drift_peer.py reference.csv current.csv
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy.spatial import distance
from scipy.stats import wasserstein_distance


def main() -> None:
    ref_path, cur_path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    t_read = time.perf_counter() - t0
    out = {}
    for col in ref.columns:
        if col not in cur.columns:
            continue
        r = ref[col].dropna()
        c = cur[col].dropna()
        if pd.api.types.is_numeric_dtype(r) and pd.api.types.is_numeric_dtype(c):
            norm = max(np.std(r.to_numpy()), 0.001)
            stat = wasserstein_distance(r.to_numpy(), c.to_numpy()) / norm
            out[col] = {"method": "wasserstein", "statistic": float(stat)}
        else:
            keys = sorted(set(r.unique()) | set(c.unique()), key=str)
            p = r.value_counts(normalize=True).reindex(keys, fill_value=0).to_numpy()
            q = c.value_counts(normalize=True).reindex(keys, fill_value=0).to_numpy()
            out[col] = {"method": "jensenshannon", "statistic": float(distance.jensenshannon(p, q))}
    total = time.perf_counter() - t0
    print(json.dumps({"seconds": total, "read_seconds": t_read, "features": out}))


if __name__ == "__main__":
    main()
