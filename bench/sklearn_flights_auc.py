"""Reference number for bench/train.ts: scikit-learn logistic regression trained on January
2001 flights, held-out ROC AUC on February-March, same features as the tfjs models
(hour, distance standardised; dow, origin, destination one-hot).

Run with the Debian Python that has scikit-learn: /usr/bin/python3 bench/sklearn_flights_auc.py
Prints one line per encoding: all categories one-hot, and the top-30 + "other" encoding that
mirrors src/models/encoder.ts (DEFAULT_TOP_K = 30).
"""
import csv
import gzip
import os
import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "sample-data", "flights-2001q1.csv.gz")
NUMERIC = ["hour", "distance"]
CATEGORICAL = ["dow", "origin", "destination"]


def load():
    with gzip.open(DATA, "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    train = [r for r in rows if r["ts"] < "2001-02-01"]
    test = [r for r in rows if "2001-02-01" <= r["ts"] < "2001-04-01"]
    return train, test


def matrix(rows):
    num = np.array([[float(r[c]) for c in NUMERIC] for r in rows])
    cat = np.array([[r[c] for c in CATEGORICAL] for r in rows], dtype=object)
    y = np.array([int(r["delayed"]) for r in rows])
    return num, cat, y


def main():
    train, test = load()
    (ntr, ctr, ytr), (nte, cte, yte) = matrix(train), matrix(test)
    xtr = np.concatenate([ntr, ctr], axis=1)
    xte = np.concatenate([nte, cte], axis=1)
    num_idx = list(range(len(NUMERIC)))
    cat_idx = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
    print(f"train rows {len(ytr)} (January), held-out rows {len(yte)} (February-March)")
    for name, onehot in [
        ("one-hot all categories", OneHotEncoder(handle_unknown="ignore")),
        ("one-hot top-30 + other", OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=31)),
    ]:
        pre = ColumnTransformer([("num", StandardScaler(), num_idx), ("cat", onehot, cat_idx)])
        model = make_pipeline(pre, LogisticRegression(max_iter=2000))
        started = time.perf_counter()
        model.fit(xtr, ytr)
        seconds = time.perf_counter() - started
        p = model.predict_proba(xte)[:, 1]
        print(f"sklearn logreg, {name}: AUC {roc_auc_score(yte, p):.4f}  log loss {log_loss(yte, p):.4f}  fit {seconds:.1f}s")


if __name__ == "__main__":
    main()
